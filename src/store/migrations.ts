/** Schema migrations, in code, the same for SQLite and PostgreSQL (Kysely Migrator). */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { MailcharterError } from "../core/errors.js";
import type { Engine } from "./database.js";
import { linkIncidentsMigration } from "./migration-2026-12-21-link-incidents.js";
import { indicatorTasksMigration } from "./migration-2026-12-22-indicator-tasks.js";
import { tlsRptMailDomainsMigration } from "./migration-2026-12-24-tlsrpt-mail-domains.js";
import { indicatorTaskRetriesMigration } from "./migration-2026-12-26-indicator-task-retries.js";
import { accountLastLoginMigration } from "./migration-account-last-login.js";
import { accountsMigration } from "./migration-accounts.js";
import { annexMigration } from "./migration-annex.js";
import { auditHistoryMigration } from "./migration-audit-history.js";
import { fleetMigration } from "./migration-fleet.js";
import { incidentsMigration } from "./migration-incidents.js";
import { indicatorsLogMigration } from "./migration-indicators-log.js";
import { notifyMigration } from "./migration-notify.js";
import { outboundTestsMigration } from "./migration-outbound-tests.js";
import { tlsRptMigration } from "./migration-tlsrpt.js";

function migrations(engine: Engine): Record<string, Migration> {
  // SERIAL in PostgreSQL, INTEGER PRIMARY KEY AUTOINCREMENT in SQLite.
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    "2026-11-29-registry": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("charter_versions")
          .addColumn("version", "text", (c) => c.primaryKey())
          .addColumn("published", "text", (c) => c.notNull())
          .addColumn("title", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("organisations")
          .addColumn("id", id, (c) =>
            engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("contact", "text", (c) => c.notNull())
          .addColumn("adhesion_date", "text", (c) => c.notNull())
          .addColumn("withdrawal_notice_date", "text")
          .addColumn("charter_version", "text", (c) => c.notNull().references("charter_versions.version"))
          .execute();
        await db.schema
          .createTable("domains")
          .addColumn("id", id, (c) =>
            engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("organisation_id", "integer", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("domain", "text", (c) => c.notNull().unique())
          .addColumn("mx_patterns", "text", (c) => c.notNull())
          .execute();
        // Art. 8: the annex can change; the 2015 text is the first version.
        await sql`insert into charter_versions (version, published, title) values ('2015', '2015-01-01', 'Charte pour la sécurité des services de courriers électroniques (2015)')`.execute(
          db,
        );
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable("domains").execute();
        await db.schema.dropTable("organisations").execute();
        await db.schema.dropTable("charter_versions").execute();
      },
    },
    "2026-12-01-audit-history": auditHistoryMigration(engine),
    "2026-12-02-accounts": accountsMigration(engine),
    "2026-12-03-tlsrpt": tlsRptMigration(engine),
    "2026-12-04-indicators-log": indicatorsLogMigration(engine),
    "2026-12-06-notify": notifyMigration(engine),
    "2026-12-07-outbound-tests": outboundTestsMigration(engine),
    "2026-12-08-account-last-login": accountLastLoginMigration(),
    "2026-12-09-incidents": incidentsMigration(engine),
    "2026-12-10-fleet": fleetMigration(),
    "2026-12-11-annex-versions": annexMigration(engine),
    "2026-12-21-link-incidents": linkIncidentsMigration(),
    "2026-12-22-indicator-tasks": indicatorTasksMigration(),
    "2026-12-24-tlsrpt-mail-domains": tlsRptMailDomainsMigration(),
    "2026-12-26-indicator-task-retries": indicatorTaskRetriesMigration(),
  };
}

export async function migrate(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
  // Migrations are named by the date they were planned for, and do not always land in that order: a
  // database that already ran `2026-12-22-…` must still run a `2026-12-21-…` that landed after it
  // (Kysely refuses that as "corrupted migrations" by default). Each migration is independent of the
  // ones dated near it, so the pending ones are run, in name order.
  const { error, results } = await new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    // A database we cannot migrate (not ours, no rights, gone) is a configuration problem to report.
    throw new MailcharterError("config", `database migration ${failed} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
