/**
 * `ingest-log` on a real PostgreSQL server (multi-row inserts, log-store.ts) stores exactly what it
 * stores on SQLite (prepared single-row statements): the same session keys, the same link figures,
 * the same cursor — in several batches, and again idempotent when the same lines come back.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { generatePostfixLog } from "../../bench/logs.js";
import { partyDirectory } from "../../src/indicators/links/directory.js";
import { ingestFile } from "../../src/indicators/log/ingest.js";
import { LogStore } from "../../src/indicators/log/log-store.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore, type Store } from "../../src/store/database.js";
import { cli } from "../support/cli.js";

const base = inject("postgresUrl");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-log-store-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshDatabase(): Promise<string> {
  const name = `logstore_${process.pid}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name}`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

async function state(store: Store) {
  return {
    keys: (await store.db.selectFrom("log_sessions").select("key").orderBy("key").execute()).map(
      (r) => r.key,
    ),
    figures: (
      await store.db
        .selectFrom("link_figures")
        .select(["day", "sender", "receiver", "source", "metric", "value", "count"])
        .orderBy("day")
        .orderBy("sender")
        .orderBy("receiver")
        .orderBy("source")
        .orderBy("metric")
        .orderBy("value")
        .execute()
    ).map((f) => ({ ...f, count: Number(f.count) })),
    cursor: await store.db
      .selectFrom("log_cursors")
      .select(["path", "byte_offset", "state"])
      .orderBy("path")
      .executeTakeFirst(),
  };
}

async function ingestInto(location: string, log: string) {
  const add = await cli(
    "registry",
    "add",
    "--db",
    location,
    "--name",
    "Bench",
    "--contact",
    "pm@mx1.example",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "mx1.example=mx1.example",
  );
  expect(add.code, add.err).toBe(0);
  const store = await openStore(location);
  try {
    const registry = await Registry.open(store);
    const options = {
      format: "postfix" as const,
      organisationId: (await registry.organisationId("Bench")) ?? null,
      directory: partyDirectory(await registry.entries()),
      store: await LogStore.open(store),
      batchSessions: 1, // a commit after each 1 MiB read
    };
    const first = await ingestFile(log, options);
    // The same lines under another path: nothing more stored, no figure counted twice.
    const copy = join(dir, "copy.log");
    writeFileSync(copy, generatePostfixLog(30_000));
    await ingestFile(copy, options);
    return { summary: first, state: await state(store) };
  } finally {
    await store.close();
  }
}

describe("ingest-log on PostgreSQL", () => {
  it("stores what SQLite stores, batch after batch", { timeout: 120_000 }, async () => {
    const log = join(dir, "mail.log");
    writeFileSync(log, generatePostfixLog(30_000));
    const stamp = new Date("2026-12-01T12:00:00Z");
    utimesSync(log, stamp, stamp);
    const onPostgres = await ingestInto(await freshDatabase(), log);
    const onSqlite = await ingestInto(join(dir, "s.sqlite"), log);
    expect(onPostgres.summary).toEqual(onSqlite.summary);
    expect(onPostgres.state.keys.length).toBeGreaterThan(5_000);
    expect(onPostgres.state.keys).toEqual(onSqlite.state.keys);
    expect(onPostgres.state.figures).toEqual(onSqlite.state.figures);
    expect(Number(onPostgres.state.cursor?.byte_offset)).toBe(Number(onSqlite.state.cursor?.byte_offset));
  });
});
