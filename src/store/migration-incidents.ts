/**
 * Migration `2026-12-09-incidents`: baselines (last good state per subject), processed audits,
 * suspicions, incidents and their timeline. Same schema on SQLite and PostgreSQL; only the
 * auto-increment key differs.
 */
import { type ColumnDefinitionBuilder, type Kysely, type Migration, sql } from "kysely";
import type { Engine } from "./database.js";

export function incidentsMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  const key = (c: ColumnDefinitionBuilder) =>
    engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement();
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("monitor_baselines")
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("run_id", "integer", (c) => c.notNull())
        .addColumn("observed_at", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("unknown_since", "text")
        .addColumn("unknown_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("last_unknown_reason", "text")
        .addPrimaryKeyConstraint("monitor_baselines_pk", ["domain", "subject"])
        .execute();
      await db.schema
        .createTable("monitor_processed_runs")
        .addColumn("run_id", "integer", (c) => c.primaryKey())
        .addColumn("processed_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("monitor_suspicions")
        .addColumn("id", id, key)
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("run_id", "integer", (c) => c.notNull())
        .addColumn("observed_at", "text", (c) => c.notNull())
        .addColumn("confirm_at", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("confirm_run_id", "integer")
        .addColumn("settled_at", "text")
        .addColumn("detection", "text", (c) => c.notNull())
        .addCheckConstraint("monitor_suspicions_status", sql`status in ('pending', 'confirmed', 'cleared')`)
        .execute();
      await db.schema
        .createIndex("monitor_suspicions_pending")
        .on("monitor_suspicions")
        .columns(["status", "domain"])
        .execute();
      await db.schema
        .createTable("incidents")
        .addColumn("id", id, key)
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("organisation", "text")
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("audience", "text", (c) => c.notNull())
        .addColumn("last_good_at", "text")
        .addColumn("last_good_run_id", "integer")
        .addColumn("first_observed_at", "text", (c) => c.notNull())
        .addColumn("first_run_id", "integer", (c) => c.notNull())
        .addColumn("opened_at", "text", (c) => c.notNull())
        .addColumn("confirm_run_id", "integer", (c) => c.notNull())
        .addColumn("acknowledged_at", "text")
        .addColumn("acknowledged_by", "text")
        .addColumn("resolved_at", "text")
        .addColumn("resolve_run_id", "integer")
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("reopened", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("details", "text", (c) => c.notNull())
        .addCheckConstraint("incidents_state", sql`state in ('open', 'acknowledged', 'resolved')`)
        .addCheckConstraint("incidents_severity", sql`severity in ('interruption', 'warning')`)
        .addCheckConstraint("incidents_audience", sql`audience in ('all', 'organisation')`)
        .execute();
      await db.schema
        .createIndex("incidents_subject")
        .on("incidents")
        .columns(["domain", "subject", "kind"])
        .execute();
      await db.schema
        .createIndex("incidents_organisation")
        .on("incidents")
        .columns(["organisation", "state"])
        .execute();
      await db.schema
        .createTable("incident_events")
        .addColumn("id", id, key)
        .addColumn("incident_id", "integer", (c) =>
          c.notNull().references("incidents.id").onDelete("cascade"),
        )
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("run_id", "integer")
        .addColumn("author", "text")
        .addColumn("text", "text")
        .addColumn("data", "text")
        .execute();
      await db.schema
        .createIndex("incident_events_incident")
        .on("incident_events")
        .column("incident_id")
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("incident_events").execute();
      await db.schema.dropTable("incidents").execute();
      await db.schema.dropTable("monitor_suspicions").execute();
      await db.schema.dropTable("monitor_processed_runs").execute();
      await db.schema.dropTable("monitor_baselines").execute();
    },
  };
}
