/**
 * The indicators' job kinds on pg-boss and a real PostgreSQL: two workers — one `startWorker` (as
 * `mailcharter worker --indicators-config` runs it, with its own schedule), one with the handlers
 * registered by hand and its schedule looked at by the test — at the same moment. Each organisation-day is generated
 * once, each report row delivered once (generate-tlsrpt, then send-tlsrpt), whichever worker takes
 * the jobs; looking again sends nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerIndicatorHandlers } from "../../src/jobs/indicator-handlers.js";
import { IndicatorSchedule } from "../../src/jobs/indicator-schedule.js";
import { generateKey, IndicatorTasks, taskRetry } from "../../src/jobs/indicator-tasks.js";
import { loadIndicatorsConfig } from "../../src/jobs/indicators-config.js";
import { jobHandlers } from "../../src/jobs/job-handlers.js";
import { type PgBossJobs, pgBossJobs } from "../../src/jobs/pg-boss-jobs.js";
import { retryTasks } from "../../src/jobs/schedule-view.js";
import { type RunningWorker, startWorker } from "../../src/jobs/worker.js";
import type { Clock } from "../../src/net/clock.js";
import { fakeResolver } from "../../src/net/resolver.js";
import { sent } from "../../src/notify/attempt.js";
import { emptyNotifyConfig } from "../../src/notify/config.js";
import type { Transports } from "../../src/notify/deliver.js";
import { openStore, type Store } from "../../src/store/database.js";
import { cli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-jobs-postgres-"));
let url = "";
const stores: Store[] = [];
const workers: PgBossJobs[] = [];
let fleetWorker: RunningWorker | null = null;
const posts: string[] = [];
let now = Date.parse("2026-12-02T02:00:00Z");
const clock: Clock = { now: () => now };

const log = [
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: A1B2C3: to=<u@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "2026-11-30T11:00:00+00:00 mx postfix/smtp[101]: D4E5F6: to=<w@other.example>, relay=mx.other.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.other.example[192.0.2.2])",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: A1B2C5: to=<x@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
].join("\n");

const resolver = fakeResolver({
  TXT: {
    "_smtp._tls.peer.example": ["v=TLSRPTv1; rua=https://reports.peer.example/v1"],
    "_smtp._tls.other.example": ["v=TLSRPTv1; rua=https://reports.other.example/tlsrpt"],
  },
});

const transports: Transports = {
  mail: async () => sent("unused"),
  post: async (request) => {
    posts.push(request.url);
    return sent("200");
  },
};

const indicators = loadIndicatorsConfig(
  JSON.stringify({ generate: { afterMinutes: 60, catchUpDays: 3, checkEverySeconds: 5 } }),
  "indicators.json",
  dir,
);

beforeAll(async () => {
  const base = inject("postgresUrl");
  const name = `jobs_${process.pid}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name}`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  url = base.replace(/\/postgres$/, `/${name}`);
  const add = await cli(
    "registry",
    "add",
    "--db",
    url,
    "--name",
    "Alpha",
    "--contact",
    "tlsrpt@alpha.example",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "alpha.example=mx.alpha.example",
  );
  expect(add.code, add.err).toBe(0);
  writeFileSync(join(dir, "maillog.txt"), `${log}\n`);
  const ingest = await cli(
    "indicators",
    "ingest-log",
    "--db",
    url,
    "--format",
    "postfix",
    "--org",
    "Alpha",
    join(dir, "maillog.txt"),
  );
  expect(ingest.code, ingest.err).toBe(0);
}, 60_000);

afterAll(async () => {
  await fleetWorker?.stop(1_000).catch(() => {});
  for (const w of workers) await w.stop(1_000).catch(() => {});
  for (const s of stores) await s.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** One worker: its own store connection and pg-boss, the indicators' handlers, its own schedule. */
async function worker(holder: string): Promise<IndicatorSchedule> {
  const store = await openStore(url);
  stores.push(store);
  const handlers = jobHandlers();
  const jobs = await pgBossJobs({ url, handlers, pollingIntervalSeconds: 0.5 });
  workers.push(jobs);
  await registerIndicatorHandlers(handlers, {
    store,
    indicators,
    notify: { ...emptyNotifyConfig, allowPrivate: false },
    resolver,
    clock,
    holder,
    jobs: () => jobs,
    transports,
  });
  await jobs.start();
  return IndicatorSchedule.open({ store, config: indicators, jobs, clock });
}

describe("indicators' jobs on pg-boss", () => {
  it("two workers looking at once generate each day once and deliver each report once", async () => {
    const schedule = await worker("host-b:2:bbbb");
    const store = await openStore(url);
    stores.push(store);
    const [, look] = await Promise.all([
      startWorker({
        url,
        store,
        holder: "host-a:1:aaaa",
        clock,
        auditor: () => async () => {
          throw new Error("no audit in this test");
        },
        indicators: { config: indicators, notify: emptyNotifyConfig, resolver, transports },
      }).then((w) => {
        fleetWorker = w;
      }),
      schedule.tick(),
    ]);
    // The two days due (Dec 1, Nov 30): whichever schedule sends a job first, pg-boss keeps one per key.
    expect(look.sent.map((s) => s.key).sort()).toEqual(
      ["2026-11-30", "2026-12-01"].map((d) => expect.stringMatching(new RegExp(`^tlsrpt:\\d+:${d}$`))),
    );
    expect(fleetWorker?.indicators).toMatch(/TLS-RPT of every organisation with logs/);
    const organisationId = Number(
      (await store.db.selectFrom("organisations").select("id").executeTakeFirstOrThrow()).id,
    );
    const tasks = await IndicatorTasks.open(store);
    const until = Date.now() + 60_000;
    let rows: { destination: string; state: string }[] = [];
    while (Date.now() < until) {
      rows = await store.db
        .selectFrom("notify_outbox")
        .select(["destination", "state"])
        .orderBy("id")
        .execute();
      const done = await Promise.all(
        ["2026-11-30", "2026-12-01"].map(
          async (d) => (await tasks.get(generateKey(organisationId, d)))?.status,
        ),
      );
      if (done.every((s) => s === "done") && rows.length === 3 && rows.every((r) => r.state === "sent"))
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rows.map((r) => r.state)).toEqual(["sent", "sent", "sent"]);
    expect(posts.sort()).toEqual([
      "https://reports.other.example/tlsrpt",
      "https://reports.peer.example/v1",
      "https://reports.peer.example/v1",
    ]);
    const deliveries = await store.db.selectFrom("notify_deliveries").select("result").execute();
    expect(deliveries.map((d) => d.result)).toEqual(["sent", "sent", "sent"]);

    // Looking again later sends nothing: the days are done.
    now += 60_000;
    expect((await schedule.tick()).sent).toEqual([]);
    expect(posts).toHaveLength(3);
  });

  it("a given-up day retried on PostgreSQL: due again, attempts reset, recorded once when two retry at once", async () => {
    // The worker process schedules on the real clock: stopped, so that it does not run the retried day.
    await fleetWorker?.stop(1_000);
    const a = await openStore(url);
    const b = await openStore(url);
    stores.push(a, b);
    const key = generateKey(1, "2026-11-01");
    const tasks = await IndicatorTasks.open(a);
    for (let i = 0; i < taskRetry.maxAttempts; i++)
      await tasks.failed(key, "generate-tlsrpt", now + i, "_smtp._tls.peer.example TXT: SERVFAIL");
    expect((await tasks.get(key))?.status).toBe("failed");
    const at = now + 3_600_000;
    const both = await Promise.all([
      retryTasks(a, [key], at, "cli:a"),
      retryTasks(b, [key], at + 1, "cli:b"),
    ]);
    expect(both.flatMap((o) => o.retried)).toHaveLength(1);
    expect(both.flatMap((o) => o.refused)).toEqual([{ key, reason: "not-failed", status: "due" }]);
    expect(await tasks.get(key)).toMatchObject({ status: "due", attempts: 0 });
    const retries = await a.db
      .selectFrom("indicator_task_retries")
      .selectAll()
      .where("key", "=", key)
      .execute();
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempts: 10, last_error: "_smtp._tls.peer.example TXT: SERVFAIL" });
  });
});
