/**
 * Migration `2026-12-03-tlsrpt`: received TLS-RPT reports (RFC 8460), their policies and failure
 * details. The unique (organization, report_id) is what makes a report seen twice a duplicate, under
 * concurrency too. Same schema on SQLite and PostgreSQL; the key and the bytes type differ.
 */
import type { Kysely, Migration } from "kysely";
import type { Engine } from "./database.js";

export function tlsRptMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  const bytes = engine === "postgres" ? "bytea" : "blob";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("tlsrpt_reports")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("organization", "text", (c) => c.notNull())
        .addColumn("report_id", "text", (c) => c.notNull())
        .addColumn("start_datetime", "text", (c) => c.notNull())
        .addColumn("end_datetime", "text", (c) => c.notNull())
        .addColumn("contact_info", "text")
        .addColumn("raw", bytes, (c) => c.notNull())
        .addColumn("raw_kind", "text", (c) => c.notNull())
        .addColumn("normalised", "text", (c) => c.notNull())
        .addColumn("warnings", "text", (c) => c.notNull())
        .addColumn("door", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("received_at", "text", (c) => c.notNull())
        .addColumn("successful", "integer", (c) => c.notNull())
        .addColumn("failed", "integer", (c) => c.notNull())
        .addUniqueConstraint("tlsrpt_reports_org_report", ["organization", "report_id"])
        .execute();
      await db.schema
        .createTable("tlsrpt_policies")
        .addColumn("report_row", "integer", (c) =>
          c.notNull().references("tlsrpt_reports.id").onDelete("cascade"),
        )
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("policy_type", "text", (c) => c.notNull())
        .addColumn("policy_domain", "text", (c) => c.notNull())
        .addColumn("policy_string", "text", (c) => c.notNull())
        .addColumn("mx_hosts", "text", (c) => c.notNull())
        .addColumn("successful", "integer", (c) => c.notNull())
        .addColumn("failed", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("tlsrpt_policies_pk", ["report_row", "position"])
        .execute();
      await db.schema
        .createIndex("tlsrpt_policies_day_domain")
        .on("tlsrpt_policies")
        .columns(["day", "policy_domain"])
        .execute();
      await db.schema
        .createTable("tlsrpt_failures")
        .addColumn("report_row", "integer", (c) =>
          c.notNull().references("tlsrpt_reports.id").onDelete("cascade"),
        )
        .addColumn("policy_position", "integer", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("result_type", "text", (c) => c.notNull())
        .addColumn("sending_mta_ip", "text")
        .addColumn("receiving_mx_hostname", "text")
        .addColumn("receiving_mx_helo", "text")
        .addColumn("receiving_ip", "text")
        .addColumn("failed_session_count", "integer", (c) => c.notNull())
        .addColumn("additional_information", "text")
        .addColumn("failure_reason_code", "text")
        .addPrimaryKeyConstraint("tlsrpt_failures_pk", ["report_row", "policy_position", "position"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ["tlsrpt_failures", "tlsrpt_policies", "tlsrpt_reports"])
        await db.schema.dropTable(table).execute();
    },
  };
}
