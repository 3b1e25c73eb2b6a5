/**
 * Migration `2026-12-24-tlsrpt-mail-domains`: the report mail's sender domains (DKIM-verified, then
 * From; src/indicators/tlsrpt/reporter.ts), JSON text, so the per-link figures can name the sending
 * signatory by evidence rather than by the free-text organization-name. Reports stored before (and
 * reports not received by mail) have none: they are mapped by contact-info, then by name.
 */
import type { Kysely, Migration } from "kysely";

export function tlsRptMailDomainsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("tlsrpt_reports").addColumn("mail_domains", "text").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("tlsrpt_reports").dropColumn("mail_domains").execute();
    },
  };
}
