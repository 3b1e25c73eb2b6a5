/** Migration `2026-12-22-indicator-tasks`: the indicators' scheduled work (mailbox fetches, TLS-RPT days). */
import type { Kysely, Migration } from "kysely";

export function indicatorTasksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("indicator_tasks")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("next_due_at", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addColumn("detail", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("indicator_tasks_kind")
        .on("indicator_tasks")
        .columns(["kind", "status"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("indicator_tasks").execute();
    },
  };
}
