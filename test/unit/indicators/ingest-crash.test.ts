/**
 * `ingest-log` killed with SIGKILL in the middle of a batch's transaction (after some of its session
 * rows, before its cursor) loses nothing and counts nothing twice: what is stored is exactly what
 * the bytes before the stored cursor hold, and the next run resumes there and ends with the same
 * sessions and link figures as one uninterrupted run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generatePostfixLog } from "../../../bench/logs.js";
import { openStore } from "../../../src/store/database.js";
import { cli } from "../../support/cli.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-ingest-crash-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function registry(name: string): Promise<{ db: string; orgId: number }> {
  const db = join(dir, `${name}.sqlite`);
  const add = await cli(
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Bench",
    "--contact",
    "pm@mx1.example",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "mx1.example=mx1.example",
  );
  expect(add.code).toBe(0);
  return {
    db,
    orgId: await read(
      db,
      async (s) => (await s.selectFrom("organisations").select("id").executeTakeFirstOrThrow()).id,
    ),
  };
}

async function read<T>(
  db: string,
  work: (s: Awaited<ReturnType<typeof openStore>>["db"]) => Promise<T>,
): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store.db);
  } finally {
    await store.close();
  }
}

/** Every stored session key and figure, and the cursor: the whole stored state, comparable. */
const state = (db: string) =>
  read(db, async (s) => ({
    keys: (await s.selectFrom("log_sessions").select("key").orderBy("key").execute()).map((r) => r.key),
    figures: await s
      .selectFrom("link_figures")
      .selectAll()
      .orderBy("day")
      .orderBy("sender")
      .orderBy("receiver")
      .orderBy("source")
      .orderBy("metric")
      .orderBy("value")
      .execute(),
    cursor: await s.selectFrom("log_cursors").select(["byte_offset", "state"]).executeTakeFirst(),
  }));

const ingest = (db: string, log: string) =>
  cli("indicators", "ingest-log", "--format", "postfix", "--org", "Bench", "--db", db, "--json", log);

function killedChild(args: readonly string[]): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "..", "..", "support", "ingest-killed.ts"), ...args],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.once("error", reject);
    child.once("exit", (_code, signal) => resolve(signal));
  });
}

describe("ingest-log killed mid-batch", () => {
  it("loses nothing and counts nothing twice", { timeout: 120_000 }, async () => {
    const log = join(dir, "mail.log");
    // ~5.8 MB: six 1 MiB reads, so six batches of about 1 600 sessions each.
    const text = generatePostfixLog(40_000);
    writeFileSync(log, text);
    const crashed = await registry("crashed");
    const killAt = 4_000; // in the third batch
    expect(await killedChild([crashed.db, log, String(crashed.orgId), "1", String(killAt)])).toBe("SIGKILL");

    const afterKill = await state(crashed.db);
    const offset = Number(afterKill.cursor?.byte_offset);
    // Some batches were committed, the open one was not: fewer rows than were written.
    expect(afterKill.keys.length).toBeGreaterThan(0);
    expect(afterKill.keys.length).toBeLessThan(killAt);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(Buffer.byteLength(text));
    expect(text[offset - 1]).toBe("\n");
    // What is stored is exactly what the bytes before the cursor hold.
    const prefix = join(dir, "prefix.log");
    writeFileSync(prefix, readFileSync(log).subarray(0, offset));
    const before = await registry("before");
    expect((await ingest(before.db, prefix)).code).toBe(0);
    const expectedBefore = await state(before.db);
    expect(afterKill.keys).toEqual(expectedBefore.keys);
    expect(afterKill.figures).toEqual(expectedBefore.figures);

    // Resumed from the cursor, the result is that of one uninterrupted run.
    const resumed = await ingest(crashed.db, log);
    expect(resumed.code).toBe(0);
    const clean = await registry("clean");
    const whole = await ingest(clean.db, log);
    expect(JSON.parse(resumed.out).lines).toBe(
      JSON.parse(whole.out).lines - text.slice(0, offset).split("\n").length + 1,
    );
    const [end, expected] = [await state(crashed.db), await state(clean.db)];
    expect(end.keys.length).toBe(expected.keys.length);
    expect(end.keys).toEqual(expected.keys);
    expect(end.figures).toEqual(expected.figures);
    expect(Number(end.cursor?.byte_offset)).toBe(Buffer.byteLength(text));
  });
});

describe("the same line written twice", () => {
  it("is two sessions, stored once each, and not again from another path or after a resume", async () => {
    // Postfix's smtpd serving the same client twice in one second writes two identical sessions.
    const session = [
      "Dec  2 06:05:01 mx1 postfix/smtpd[1234]: connect from mx.peer.example[192.0.2.10]",
      "Dec  2 06:05:01 mx1 postfix/smtpd[1234]: disconnect from mx.peer.example[192.0.2.10] ehlo=1 quit=1 commands=2",
    ];
    const log = join(dir, "mail.log");
    const first = `${[...session, ...session].join("\n")}\n`;
    writeFileSync(log, first);
    const { db } = await registry("repeats");
    const one = await ingest(db, log);
    expect(JSON.parse(one.out).tls.inbound.none).toBe(2);
    // The third one arrives after the cursor: numbered from the state stored with it.
    writeFileSync(log, `${first}${session.join("\n")}\n`);
    const two = await ingest(db, log);
    expect(JSON.parse(two.out).lines).toBe(2);
    const copy = join(dir, "copy.log");
    writeFileSync(copy, readFileSync(log));
    await ingest(db, copy);
    const stored = await state(db);
    expect(stored.keys).toHaveLength(3);
    expect(stored.figures.filter((f) => f.metric === "class").map((f) => [f.value, f.count])).toEqual([
      ["none", 3],
    ]);
  });
});
