/** The registry contract on a real PostgreSQL server, and the CLI on it. */
import { execFile } from "node:child_process";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { registryContract } from "../support/registry-contract.js";

const base = inject("postgresUrl");
let store: Store;
let counter = 0;

async function freshDatabase(): Promise<string> {
  const name = `registry_${process.pid}_${++counter}`;
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

registryContract(() => store);

describe("the registry CLI on PostgreSQL", () => {
  it("adds and lists through --db postgres://", async () => {
    const url = await freshDatabase();
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile("node", ["dist/cli/main.js", ...args], { timeout: 60_000 }, (error, stdout) =>
          resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout }),
        ),
      );
    expect(
      (
        await cli([
          "registry",
          "add",
          "--db",
          url,
          "--name",
          "Delta",
          "--contact",
          "pm@delta.example",
          "--adhesion",
          "2026-02-01",
          "--domain",
          "delta.example=mx.delta.example",
        ])
      ).code,
    ).toBe(0);
    const list = await cli(["registry", "list", "--db", url, "--json"]);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({
      name: "Delta",
      domains: [{ domain: "delta.example", mx: ["mx.delta.example"] }],
    });
  });
});
