/**
 * Migration `2026-12-04-indicators-log`: MTA-log sessions, per-file cursors and per-link daily
 * figures (indicators-log-tables.ts). Same schema on SQLite and PostgreSQL; only the auto-increment
 * key differs.
 */
import type { Kysely, Migration } from "kysely";
import type { Engine } from "./database.js";

export function indicatorsLogMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("log_sessions")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("organisation_id", "integer", (c) => c.references("organisations.id").onDelete("cascade"))
        .addColumn("time", "text", (c) => c.notNull())
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("mta", "text", (c) => c.notNull())
        .addColumn("log_host", "text")
        .addColumn("instance", "text", (c) => c.notNull())
        .addColumn("queue_id", "text")
        .addColumn("peer_domain", "text")
        .addColumn("peer_host", "text")
        .addColumn("peer_ip", "text")
        .addColumn("peer_port", "integer")
        .addColumn("tls_class", "text", (c) => c.notNull())
        .addColumn("tls_version", "text")
        .addColumn("tls_cipher", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("failure_type", "text")
        .addColumn("failure_detail", "text")
        .addColumn("tls_level", "text")
        .addColumn("policy_domain", "text")
        .execute();
      await db.schema
        .createIndex("log_sessions_org_day")
        .on("log_sessions")
        .columns(["organisation_id", "day", "direction"])
        .execute();
      await db.schema
        .createTable("log_cursors")
        .addColumn("path", "text", (c) => c.primaryKey())
        .addColumn("format", "text", (c) => c.notNull())
        .addColumn("organisation_id", "integer", (c) => c.references("organisations.id").onDelete("cascade"))
        .addColumn("inode", "text", (c) => c.notNull())
        .addColumn("byte_offset", "bigint", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("link_figures")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("sender", "text", (c) => c.notNull())
        .addColumn("receiver", "text", (c) => c.notNull())
        .addColumn("sender_org_id", "integer", (c) => c.references("organisations.id").onDelete("cascade"))
        .addColumn("receiver_org_id", "integer", (c) => c.references("organisations.id").onDelete("cascade"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("metric", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("count", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("link_figures_pk", [
          "day",
          "sender",
          "receiver",
          "source",
          "metric",
          "value",
        ])
        .execute();
      await db.schema
        .createIndex("link_figures_sender")
        .on("link_figures")
        .columns(["sender_org_id", "day"])
        .execute();
      await db.schema
        .createIndex("link_figures_receiver")
        .on("link_figures")
        .columns(["receiver_org_id", "day"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("link_figures").execute();
      await db.schema.dropTable("log_cursors").execute();
      await db.schema.dropTable("log_sessions").execute();
    },
  };
}
