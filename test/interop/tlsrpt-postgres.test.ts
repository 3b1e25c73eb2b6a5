/** The TLS-RPT store contract on a real PostgreSQL server: a fresh database per test. */
import pg from "pg";
import { expect, inject } from "vitest";
import { openStore } from "../../src/store/database.js";
import { tlsRptContract } from "../support/tlsrpt-contract.js";

const base = inject("postgresUrl");
let counter = 0;
let current = "";
let lastTest = "";

async function freshDatabase(): Promise<string> {
  const name = `tlsrpt_${process.pid}_${++counter}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

tlsRptContract(async () => {
  const test = expect.getState().currentTestName ?? "";
  if (!current || test !== lastTest) {
    lastTest = test;
    current = await freshDatabase();
  }
  const store = await openStore(current);
  expect(store.engine).toBe("postgres");
  return store;
});
