/** The audit history and scheduler state contract on a real PostgreSQL server. */
import pg from "pg";
import { afterEach, beforeEach, expect, inject } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { historyContract } from "../support/history-contract.js";

const base = inject("postgresUrl");
let store: Store;
let counter = 0;

async function freshDatabase(): Promise<string> {
  const name = `history_${process.pid}_${++counter}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

beforeEach(async () => {
  store = await openStore(await freshDatabase());
  expect(store.engine).toBe("postgres");
});
afterEach(async () => {
  await store.close();
});

historyContract(() => store);
