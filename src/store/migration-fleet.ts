/** Migration `2026-12-10-fleet`: the cycle-scoped probe cache shared by the workers. */
import type { Kysely, Migration } from "kysely";

export function fleetMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("fleet_probes")
        .addColumn("cycle_id", "integer", (c) =>
          c.notNull().references("monitor_cycles.id").onDelete("cascade"),
        )
        .addColumn("endpoint", "text", (c) => c.notNull())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("result", "text")
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addPrimaryKeyConstraint("fleet_probes_pk", ["cycle_id", "endpoint"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("fleet_probes").execute();
    },
  };
}
