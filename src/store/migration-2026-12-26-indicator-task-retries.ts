/**
 * Migration `2026-12-26-indicator-task-retries`: each time an operator put a given-up indicator task
 * back to due (`indicators schedule --retry`), who did, when, and how it stood before (its attempts
 * and last error), so that the schedule shows a task was retried and why it had failed.
 */
import type { Kysely, Migration } from "kysely";

export function indicatorTaskRetriesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("indicator_task_retries")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("retried_at", "text", (c) => c.notNull())
        .addColumn("retried_by", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addPrimaryKeyConstraint("indicator_task_retries_pk", ["key", "retried_at"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("indicator_task_retries").execute();
    },
  };
}
