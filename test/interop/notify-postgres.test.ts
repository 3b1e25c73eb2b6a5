/**
 * The outbox on a real PostgreSQL server: the same notice and the same report enqueued at once from
 * two pools (two processes' worth of connections) are stored once; inside a transaction that fails,
 * nothing is stored; two workers delivering at once send each message once.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sent } from "../../src/notify/attempt.js";
import { emptyNotifyConfig } from "../../src/notify/config.js";
import { deliverDue, type Transports } from "../../src/notify/deliver.js";
import { enqueueNotice, enqueueOutgoing } from "../../src/notify/outbox.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";

let a: Store;
let b: Store;

beforeAll(async () => {
  const base = inject("postgresUrl");
  const name = `notify_${process.pid}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = base.replace(/\/postgres$/, `/${name}`);
  a = await openStore(url);
  await migrate(a.db as never, a.engine);
  b = await openStore(url);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const notice = (key: string) => ({
  kind: "incident-opened" as const,
  dedupKey: key,
  audiences: ["agency" as const],
  summary: { fr: "interruption", en: "interruption" },
  occurredAt: "2026-12-02T00:00:00.000Z",
});

describe("the outbox on PostgreSQL", () => {
  it("stores a notice and a message raced from two pools once each", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => enqueueNotice((i % 2 ? a : b).db, notice("incident:1:opened"))),
    );
    expect(results.filter((r) => r.status === "queued")).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const outgoing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        enqueueOutgoing((i % 2 ? a : b).db, {
          channel: "https",
          destination: "https://b.example/tlsrpt",
          content: Buffer.from([0x1f, 0x8b, 0, 1, 2]),
          contentType: "application/tlsrpt+gzip",
          dedupKey: "tlsrpt:a:b:2026-12-01",
        }),
      ),
    );
    expect(outgoing.filter((r) => r.status === "queued")).toHaveLength(1);
    const row = await a.db.selectFrom("notify_outbox").selectAll().executeTakeFirstOrThrow();
    expect(Buffer.from(row.content).equals(Buffer.from([0x1f, 0x8b, 0, 1, 2]))).toBe(true);
  });

  it("a duplicate inside a transaction does not abort it; a failed transaction stores nothing", async () => {
    await a.db.transaction().execute(async (trx) => {
      expect((await enqueueNotice(trx, notice("incident:1:opened"))).status).toBe("duplicate");
      expect((await enqueueNotice(trx, notice("incident:2:opened"))).status).toBe("queued");
    });
    await expect(
      a.db.transaction().execute(async (trx) => {
        await enqueueNotice(trx, notice("incident:3:opened"));
        throw new Error("the incident was not committed");
      }),
    ).rejects.toThrow(/not committed/);
    const keys = (await a.db.selectFrom("notify_notices").select("dedup_key").orderBy("id").execute()).map(
      (r) => r.dedup_key,
    );
    expect(keys).toEqual(["incident:1:opened", "incident:2:opened"]);
  });

  it("two workers at once send each due message once", async () => {
    for (let i = 0; i < 20; i++)
      await enqueueOutgoing(a.db, {
        channel: "https",
        destination: `https://r${i}.example/tlsrpt`,
        content: Buffer.from("x"),
        contentType: "application/tlsrpt+gzip",
        dedupKey: `burst:${i}`,
      });
    const posted: string[] = [];
    const transports: Transports = {
      mail: async () => sent("unused"),
      post: async (request) => {
        posted.push(request.url);
        await new Promise((r) => setTimeout(r, 5));
        return sent("HTTP 200");
      },
    };
    const ctx = (store: Store) => ({
      db: store.db,
      config: emptyNotifyConfig,
      registry: async () => [],
      transports,
    });
    await Promise.all([deliverDue(ctx(a)), deliverDue(ctx(b))]);
    expect(posted.length).toBe(21);
    expect(new Set(posted).size).toBe(21);
    const states = await a.db.selectFrom("notify_outbox").select("state").execute();
    expect(states.every((s) => s.state === "sent")).toBe(true);
  });
});
