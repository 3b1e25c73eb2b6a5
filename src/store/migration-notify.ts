/**
 * Migration `2026-12-06-notify`: notices, the outbox of outgoing messages and the delivery log
 * (src/store/notify-tables.ts). The unique de-duplication keys are what make a notice or a message
 * enqueued twice — by two processes at once too — stored and sent once. Same schema on both engines.
 */
import type { Kysely, Migration } from "kysely";
import type { Engine } from "./database.js";

export function notifyMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  const bytes = engine === "postgres" ? "bytea" : "blob";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("notify_notices")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("dedup_key", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("incident_id", "integer")
        .addColumn("organisation_id", "integer")
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("enqueued_at", "text", (c) => c.notNull())
        .addColumn("expanded_at", "text")
        .execute();
      await db.schema
        .createIndex("notify_notices_unexpanded")
        .on("notify_notices")
        .columns(["expanded_at", "id"])
        .execute();
      await db.schema
        .createTable("notify_outbox")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("dedup_key", "text", (c) => c.notNull().unique())
        .addColumn("notice_id", "integer", (c) => c.references("notify_notices.id").onDelete("cascade"))
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("destination", "text", (c) => c.notNull())
        .addColumn("content", bytes, (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("meta", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("next_attempt_at", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("sent_at", "text")
        .addColumn("last_error", "text")
        .addColumn("lease_until", "text")
        .execute();
      await db.schema
        .createIndex("notify_outbox_due")
        .on("notify_outbox")
        .columns(["state", "next_attempt_at"])
        .execute();
      await db.schema
        .createTable("notify_deliveries")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("outbox_id", "integer", (c) =>
          c.notNull().references("notify_outbox.id").onDelete("cascade"),
        )
        .addColumn("attempted_at", "text", (c) => c.notNull())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("destination", "text", (c) => c.notNull())
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("error_code", "text")
        .addColumn("error", "text")
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("notify_deliveries_outbox")
        .on("notify_deliveries")
        .columns(["outbox_id", "id"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("notify_deliveries").execute();
      await db.schema.dropTable("notify_outbox").execute();
      await db.schema.dropTable("notify_notices").execute();
    },
  };
}
