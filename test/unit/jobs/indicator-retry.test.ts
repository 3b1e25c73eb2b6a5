/**
 * A TLS-RPT day given up after its attempts stays given up — across restarts, after a configuration
 * fix — until an operator retries it: `indicators schedule --retry KEY|--retry-failed` puts it back to
 * due now with its attempts reset, records who did it and what it had failed with, and the scheduler
 * sends it even when its day has left the catch-up window.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indicatorsSchedule } from "../../../src/cli/indicators-schedule-command.js";
import { IndicatorSchedule } from "../../../src/jobs/indicator-schedule.js";
import { generateKey, IndicatorTasks, taskRetry } from "../../../src/jobs/indicator-tasks.js";
import { loadIndicatorsConfig } from "../../../src/jobs/indicators-config.js";
import type { Jobs } from "../../../src/jobs/job.js";
import { scheduleDocumentSchema } from "../../../src/jobs/schedule-document.js";
import { retryTasks } from "../../../src/jobs/schedule-view.js";
import { openStore } from "../../../src/store/database.js";
import { addAlpha, cli, usageError } from "../../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicator-retry-"));
const db = join(dir, "r.sqlite");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const t0 = Date.parse("2026-12-02T01:00:00Z");
const given = generateKey(1, "2026-11-20");
const other = generateKey(1, "2026-11-21");
const done = generateKey(1, "2026-11-22");

/** Gives `key` up the way the handler does: maxAttempts failures in a row. */
async function giveUp(key: string, error: string): Promise<void> {
  const store = await openStore(db);
  try {
    const tasks = await IndicatorTasks.open(store);
    for (let i = 0; i < taskRetry.maxAttempts; i++) await tasks.failed(key, "generate-tlsrpt", t0 + i, error);
  } finally {
    await store.close();
  }
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => err.push(t) },
      setExit: () => {},
    } as unknown as Parameters<typeof indicatorsSchedule>[1],
  };
}

beforeAll(async () => {
  await addAlpha(db);
  await giveUp(given, "_smtp._tls.peer.example TXT: SERVFAIL");
  await giveUp(other, "no DKIM key for alpha.example");
  const store = await openStore(db);
  try {
    await (await IndicatorTasks.open(store)).succeeded(
      done,
      "generate-tlsrpt",
      t0,
      { sessions: 1, reports: [] },
      null,
    );
  } finally {
    await store.close();
  }
});

describe("indicators schedule --retry", () => {
  it("a given-up task stays given up when the store is opened again (a restart does not revive it)", async () => {
    const store = await openStore(db);
    try {
      expect((await (await IndicatorTasks.open(store)).get(given))?.status).toBe("failed");
    } finally {
      await store.close();
    }
    const listed = await cli("indicators", "schedule", "--db", db);
    expect(listed.code).toBe(1);
    expect(listed.out).toContain(
      `TLS-RPT Alpha 2026-11-20 [${given}]: given up after 10 attempt(s): _smtp._tls.peer.example TXT: SERVFAIL`,
    );
  });

  it("refuses what it cannot do, clearly, and changes nothing", async () => {
    expect(
      usageError(await cli("indicators", "schedule", "--db", db, "--retry", given, "--retry-failed")),
    ).toMatch(/--retry and --retry-failed/);
    expect(usageError(await cli("indicators", "schedule", "--db", db, "--retry", "2026-11-20"))).toMatch(
      /not a task key/,
    );
    const unknown = await cli("indicators", "schedule", "--db", db, "--retry", generateKey(9, "2026-11-20"));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("tlsrpt:9:2026-11-20: no such task");
    const notFailed = await cli("indicators", "schedule", "--db", db, "--retry", done);
    expect(notFailed.code).toBe(1);
    expect(notFailed.err).toContain(`${done}: not given up (done), left as it is`);
    const doc = scheduleDocumentSchema.parse(
      JSON.parse((await cli("indicators", "schedule", "--db", db, "--json")).out),
    );
    expect(doc.tasks.map((t) => [t.key, t.status, t.attempts, t.lastRetry])).toEqual([
      [given, "failed", 10, null],
      [other, "failed", 10, null],
      [done, "done", 0, null],
    ]);
  });

  it("--retry KEY: due now, attempts reset, the retry recorded with who and what it had failed with", async () => {
    const now = Date.parse("2026-12-10T08:00:00Z");
    const run = io();
    expect(await indicatorsSchedule({ db, json: true, retry: [given] }, run.io, () => now)).toBe(1);
    expect(run.err.join("")).toContain(
      `${given}: due again now, attempts reset (was given up after 10 attempt(s): _smtp._tls.peer.example TXT: SERVFAIL)`,
    );
    const doc = scheduleDocumentSchema.parse(JSON.parse(run.out.join("")));
    expect(doc.tasks.find((t) => t.key === given)).toMatchObject({
      status: "due",
      attempts: 0,
      nextDueAt: "2026-12-10T08:00:00.000Z",
      lastError: "_smtp._tls.peer.example TXT: SERVFAIL",
      lastRetry: {
        at: "2026-12-10T08:00:00.000Z",
        by: expect.stringMatching(/^cli(:.+)?$/),
        attempts: 10,
        lastError: "_smtp._tls.peer.example TXT: SERVFAIL",
      },
    });
    // The other given-up task is untouched.
    expect(doc.tasks.find((t) => t.key === other)).toMatchObject({
      status: "failed",
      attempts: 10,
      lastRetry: null,
    });
    // Retrying it again at once: it is due, not given up, so nothing more is recorded.
    const store = await openStore(db);
    try {
      expect(await retryTasks(store, [given], now + 1, "test")).toEqual({
        retried: [],
        refused: [{ key: given, reason: "not-failed", status: "due" }],
      });
    } finally {
      await store.close();
    }
  });

  it("the scheduler sends the retried day although it has left the catch-up window", async () => {
    const store = await openStore(db);
    const sent: string[] = [];
    const jobs = {
      mode: "in-process",
      send: async (_kind: string, key: string) => {
        sent.push(key);
        return { sent: true };
      },
      start: async () => {},
      stop: async () => {},
    } as unknown as Jobs;
    try {
      const config = loadIndicatorsConfig(
        JSON.stringify({ generate: { afterMinutes: 60, catchUpDays: 2, checkEverySeconds: 5 } }),
        "indicators.json",
        dir,
      );
      const now = Date.parse("2026-12-10T08:00:01Z");
      const schedule = await IndicatorSchedule.open({ store, config, jobs, clock: { now: () => now } });
      await schedule.tick();
      // Nov 20 is weeks before the window (Dec 8–9): sent because it was retried; Nov 21 stays given up.
      expect(sent).toEqual([given]);
    } finally {
      await store.close();
    }
  });

  it("--retry-failed retries every given-up task; with none left it says so", async () => {
    const now = Date.parse("2026-12-10T09:00:00Z");
    const run = io();
    await indicatorsSchedule({ db, retryFailed: true }, run.io, () => now);
    expect(run.err.join("")).toBe(
      `${other}: due again now, attempts reset (was given up after 10 attempt(s): no DKIM key for alpha.example)\n`,
    );
    expect(run.out.join("")).toContain("TLS-RPT Alpha 2026-11-21: next at 2026-12-10T09:00:00.000Z");
    const none = io();
    await indicatorsSchedule({ db, retryFailed: true }, none.io, () => now);
    expect(none.err.join("")).toBe("No given-up task to retry.\n");
  });
});
