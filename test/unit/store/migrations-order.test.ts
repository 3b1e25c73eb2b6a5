/**
 * A database that ran the migrations in the order they landed: one named by an earlier date, landed
 * later than a newer one, is still run (the registry of a running service opens after the upgrade).
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openStore } from "../../../src/store/database.js";
import { migrate } from "../../../src/store/migrations.js";

describe("migrations landed out of their date order", () => {
  it("a pending migration named before one already run is run, not refused as corrupted", async () => {
    const store = await openStore(":memory:");
    try {
      await migrate(store.db as never, store.engine);
      // The state of a database migrated before 2026-12-21-link-incidents landed.
      await sql`drop index incidents_basis`.execute(store.db);
      await sql`alter table incidents drop column peer_organisation`.execute(store.db);
      await sql`alter table incidents drop column basis`.execute(store.db);
      await sql`delete from kysely_migration where name = '2026-12-21-link-incidents'`.execute(store.db);
      await migrate(store.db as never, store.engine);
      const columns = await sql<{ name: string }>`select name from pragma_table_info('incidents')`.execute(
        store.db,
      );
      expect(columns.rows.map((c) => c.name)).toEqual(expect.arrayContaining(["basis", "peer_organisation"]));
      const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        store.db,
      );
      expect(ran.rows.map((r) => r.name)).toContain("2026-12-21-link-incidents");
    } finally {
      await store.close();
    }
  });
});
