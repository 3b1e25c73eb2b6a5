/** The audit history on SQLite (the same contract runs on PostgreSQL in the interop suite). */
import { afterEach, beforeEach } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { historyContract } from "../../support/history-contract.js";

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
});
afterEach(async () => {
  await store.close();
});

historyContract(() => store);
