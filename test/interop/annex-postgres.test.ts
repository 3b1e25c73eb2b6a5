/**
 * The annex store on a real PostgreSQL server (the lab's private cluster): the same contract as on
 * SQLite (test/support/annex-contract.ts), where concurrent answers, adoption and closure run in
 * transactions that really overlap.
 */
import { afterEach, beforeEach, describe, expect, inject } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { annexStoreContract } from "../support/annex-contract.js";
import { freshDatabase } from "../support/fleet/fleet-harness.js";

const base = inject("postgresUrl");
let counter = 0;

describe("the annex store on PostgreSQL", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(await freshDatabase(base, `annex_${process.pid}_${++counter}`));
    expect(store.engine).toBe("postgres");
  });
  afterEach(async () => {
    await store.close();
  });

  annexStoreContract(() => store);
});
