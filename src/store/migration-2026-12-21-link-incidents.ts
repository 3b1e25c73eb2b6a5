/**
 * Migration `2026-12-21-link-incidents`: incidents detected from the indicators (a link's verified
 * share, a new TLS-RPT failure type) beside those detected from audits. `basis` says which (the audit
 * watch only ever looks at its own); `peer_organisation` is the other party of a link, who sees and is
 * told of the incident as well as `organisation`.
 */
import type { Kysely, Migration } from "kysely";

export function linkIncidentsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("incidents")
        .addColumn("basis", "text", (c) => c.notNull().defaultTo("audit"))
        .execute();
      await db.schema.alterTable("incidents").addColumn("peer_organisation", "text").execute();
      await db.schema.createIndex("incidents_basis").on("incidents").columns(["basis", "state"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("incidents_basis").execute();
      await db.schema.alterTable("incidents").dropColumn("peer_organisation").execute();
      await db.schema.alterTable("incidents").dropColumn("basis").execute();
    },
  };
}
