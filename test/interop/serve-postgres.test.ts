/** The accounts contract and the service on a real PostgreSQL server (the lab's private cluster). */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { accountsContract } from "../support/accounts-contract.js";
import { password, startHarness } from "../support/service-harness.js";

const base = inject("postgresUrl");
let counter = 0;

async function freshDatabase(): Promise<string> {
  const name = `serve_${process.pid}_${++counter}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

describe("on PostgreSQL", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(await freshDatabase());
    expect(store.engine).toBe("postgres");
  });
  afterEach(async () => {
    await store.close();
  });

  accountsContract(() => store);

  it("the server: login, a session kept across a restart, the role matrix's edges, no IDOR", async () => {
    let h = await startHarness(store);
    try {
      const c = h.client();
      expect((await c.login(h.emails.operatorX, password)).status).toBe(303);
      h = await h.restart();
      const again = h.client();
      for (const [k, v] of c.cookies) again.cookies.set(k, v);
      expect((await again.get("/api/v1/me")).json<{ account: { email: string } }>().account.email).toBe(
        h.emails.operatorX,
      );
      expect((await again.get(`/api/v1/domains/${h.ids.domainY}`)).status).toBe(404);
      expect((await again.get(`/api/v1/domains/${h.ids.domainX}`)).status).toBe(200);
      expect((await again.get("/api/v1/accounts")).status).toBe(403);
      expect((await h.client().get("/api/v1/accounts", { bearer: h.tokens.agency })).status).toBe(200);
      expect(
        (await h.client().get("/api/v1/signatories")).json<{ signatories: unknown[] }>().signatories,
      ).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
