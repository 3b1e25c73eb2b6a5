import { afterEach, beforeEach } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { accountsContract } from "../../support/accounts-contract.js";

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
});
afterEach(async () => {
  await store.close();
});

accountsContract(() => store);
