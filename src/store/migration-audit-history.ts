/**
 * Migration `2026-12-01-audit-history`: audit runs (the full report + one row per measure and per
 * endpoint), on-demand requests, per-domain cadence, scheduler cycles and leases. Same schema on SQLite
 * and PostgreSQL; only the auto-increment key differs.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { Engine } from "./database.js";

export function auditHistoryMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("monitor_cycles")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("planned", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("audit_runs")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("job_key", "text", (c) => c.notNull().unique())
        .addColumn("domain_id", "integer", (c) => c.references("domains.id").onDelete("set null"))
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("organisation", "text")
        .addColumn("trigger", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("cycle_id", "integer", (c) => c.references("monitor_cycles.id"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("queued_at", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("finished_at", "text")
        .addColumn("verdict", "text")
        .addColumn("report", "text")
        .addColumn("error", "text")
        .addColumn("claimed_by", "text")
        .addColumn("claim_expires_at", "text")
        .execute();
      await db.schema
        .createIndex("audit_runs_domain_finished")
        .on("audit_runs")
        .columns(["domain", "finished_at"])
        .execute();
      await db.schema
        .createIndex("audit_runs_status")
        .on("audit_runs")
        .columns(["status", "domain"])
        .execute();
      // A domain is queued or running at most once: on-demand requests and cycles share this rule.
      await sql`create unique index audit_runs_active on audit_runs (domain) where status in ('queued', 'running')`.execute(
        db,
      );
      await db.schema.createIndex("audit_runs_cycle").on("audit_runs").columns(["cycle_id"]).execute();
      await db.schema
        .createTable("audit_measures")
        .addColumn("run_id", "integer", (c) => c.notNull().references("audit_runs.id").onDelete("cascade"))
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("measure_id", "text", (c) => c.notNull())
        .addColumn("charter", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("finished_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("audit_measures_pk", ["run_id", "measure_id"])
        .execute();
      // The latest status per domain × measure: newest first within (domain, measure).
      await db.schema
        .createIndex("audit_measures_latest")
        .on("audit_measures")
        .columns(["domain", "measure_id", "finished_at"])
        .execute();
      await db.schema
        .createTable("audit_endpoints")
        .addColumn("run_id", "integer", (c) => c.notNull().references("audit_runs.id").onDelete("cascade"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("address", "text")
        .addColumn("port", "integer", (c) => c.notNull())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("tls_mode", "text", (c) => c.notNull())
        .addColumn("starttls_advertised", "integer")
        .addColumn("tls_version", "text")
        .addColumn("cipher_suite", "text")
        .addColumn("versions", "text")
        .addColumn("certificate_status", "text")
        .addColumn("certificate_not_after", "text")
        .addColumn("certificate_sha256", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("error_step", "text")
        .addColumn("error_reason", "text")
        .addColumn("connections", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("audit_endpoints_pk", ["run_id", "position"])
        .execute();
      await db.schema
        .createIndex("audit_endpoints_host")
        .on("audit_endpoints")
        .columns(["host", "port", "service"])
        .execute();
      await db.schema
        .createTable("audit_requests")
        .addColumn("idempotency_key", "text", (c) => c.primaryKey())
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requested_at", "text", (c) => c.notNull())
        .addColumn("run_id", "integer", (c) => c.notNull().references("audit_runs.id").onDelete("cascade"))
        .execute();
      await db.schema
        .createTable("monitor_schedule")
        .addColumn("domain", "text", (c) => c.primaryKey())
        .addColumn("cadence_seconds", "integer", (c) => c.notNull())
        .addColumn("next_due_at", "text")
        .addColumn("last_run_id", "integer")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("monitor_leases")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        "monitor_leases",
        "monitor_schedule",
        "audit_requests",
        "audit_endpoints",
        "audit_measures",
        "audit_runs",
        "monitor_cycles",
      ])
        await db.schema.dropTable(table).execute();
    },
  };
}
