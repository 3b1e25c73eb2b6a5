/**
 * The indicators in the service's schedule over the in-process job backend: the days due (the
 * previous UTC day once `afterMinutes` have passed, catch-up within the window, only days with
 * sessions), one generation per organisation-day whatever the number of looks, a DNS failure retried
 * after its backoff without queuing twice, the report rows delivered by send-tlsrpt jobs through the
 * outbox (DKIM key chosen by the configured selector), a lease held elsewhere respected, and the
 * outbox's backoff handed back as the job's retry.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessJobs, inProcessJobs } from "../../../src/jobs/in-process-jobs.js";
import { registerIndicatorHandlers } from "../../../src/jobs/indicator-handlers.js";
import { dueDays, IndicatorSchedule } from "../../../src/jobs/indicator-schedule.js";
import { fetchKey, generateKey, IndicatorTasks, taskLease } from "../../../src/jobs/indicator-tasks.js";
import { loadIndicatorsConfig } from "../../../src/jobs/indicators-config.js";
import type { JobContext, JobKind, JobPayloads, Jobs } from "../../../src/jobs/job.js";
import { jobHandlers } from "../../../src/jobs/job-handlers.js";
import { ScheduleStore } from "../../../src/monitor/schedule-store.js";
import type { Clock } from "../../../src/net/clock.js";
import { type FakeZone, fakeResolver, type Resolver } from "../../../src/net/resolver.js";
import { type Attempt, failed, sent } from "../../../src/notify/attempt.js";
import { loadNotifyConfig } from "../../../src/notify/config.js";
import type { Transports } from "../../../src/notify/deliver.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { addAlpha, cli } from "../../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicator-schedule-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = [
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: A1B2C3: to=<u@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "2026-11-30T11:00:00+00:00 mx postfix/smtp[101]: D4E5F6: to=<w@other.example>, relay=mx.other.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.other.example[192.0.2.2])",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: A1B2C5: to=<x@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
].join("\n");

const zone: FakeZone = {
  TXT: {
    "_smtp._tls.peer.example": ["v=TLSRPTv1; rua=mailto:tlsrpt@peer.example,https://reports.peer.example/v1"],
    "_smtp._tls.other.example": ["v=TLSRPTv1; rua=mailto:reports@other.example"],
  },
};

/** The fake zone, with other.example's DNS failing while `dnsDown` is set. */
let dnsDown = true;
const base = fakeResolver(zone);
const resolver: Resolver = {
  ...base,
  txt: async (name, timeoutMs) =>
    dnsDown && name === "_smtp._tls.other.example"
      ? { ok: false, reason: "timeout", message: "fake DNS: timeout" }
      : base.txt(name, timeoutMs),
};

let now = Date.parse("2026-12-02T00:30:00Z");
const clock: Clock = { now: () => now };

const mails: { to: string; dkim: string | null }[] = [];
const posts: string[] = [];
let mailOutcome: () => Attempt = () => sent("250 ok");
const transports: Transports = {
  mail: async (_channel, mail, dkim) => {
    mails.push({ to: mail.to, dkim: dkim ? `${dkim.selector}._domainkey.${dkim.domain}` : null });
    return mailOutcome();
  },
  post: async (request) => {
    posts.push(request.url);
    return sent("200");
  },
};

let store: Store;
let organisationId: number;

const notifyConfig = () => {
  const key = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
  writeFileSync(join(dir, "dkim.pem"), key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return loadNotifyConfig(
    JSON.stringify({
      email: {
        relay: { host: "relay.alpha.example" },
        from: "reports@alpha.example",
        dkim: [{ domain: "alpha.example", selector: "mc1", privateKeyFile: "dkim.pem" }],
      },
      retry: { maxAttempts: 5, firstDelaySeconds: 120, maxDelaySeconds: 3600 },
    }),
    "notify.json",
    dir,
  );
};

const indicators = loadIndicatorsConfig(
  JSON.stringify({
    generate: {
      afterMinutes: 60,
      catchUpDays: 3,
      checkEverySeconds: 5,
      organisations: [{ name: "Alpha", dkimSelector: "mc1" }],
    },
  }),
  "indicators.json",
  dir,
);

beforeAll(async () => {
  const db = join(dir, "alpha.sqlite");
  await addAlpha(db);
  writeFileSync(join(dir, "maillog.txt"), `${log}\n`);
  const ingest = await cli(
    "indicators",
    "ingest-log",
    "--db",
    db,
    "--format",
    "postfix",
    "--org",
    "Alpha",
    join(dir, "maillog.txt"),
  );
  expect(ingest.code, ingest.err).toBe(0);
  store = await openStore(db);
  organisationId = Number(
    (
      await store.db
        .selectFrom("organisations")
        .select("id")
        .where("name", "=", "Alpha")
        .executeTakeFirstOrThrow()
    ).id,
  );
});

afterAll(async () => {
  await store?.close();
});

async function backend(): Promise<InProcessJobs> {
  const handlers = jobHandlers();
  const jobs: InProcessJobs = inProcessJobs({ handlers });
  await registerIndicatorHandlers(handlers, {
    store,
    indicators,
    notify: notifyConfig(),
    resolver,
    clock,
    holder: "test-host:1:aaaa",
    jobs: () => jobs,
    transports,
  });
  await jobs.start();
  return jobs;
}

const outbox = () =>
  store.db
    .selectFrom("notify_outbox")
    .select(["id", "destination", "state", "dedup_key"])
    .orderBy("id")
    .execute();

describe("the days due", () => {
  it("the previous UTC day once afterMinutes have passed, then the catch-up window", () => {
    const hour = 3_600_000;
    expect(dueDays(Date.parse("2026-12-02T00:30:00Z"), hour, 3)).toEqual([
      "2026-11-30",
      "2026-11-29",
      "2026-11-28",
    ]);
    expect(dueDays(Date.parse("2026-12-02T01:00:00Z"), hour, 2)).toEqual(["2026-12-01", "2026-11-30"]);
    expect(dueDays(Date.parse("2026-12-02T23:59:59Z"), 0, 1)).toEqual(["2026-12-01"]);
    expect(dueDays(Date.parse("2026-01-01T00:00:00Z"), 0, 1)).toEqual(["2025-12-31"]);
  });
});

describe("the indicators' schedule on the in-process backend", () => {
  it("generates each day once, retries a DNS failure after its backoff, delivers through the outbox", async () => {
    const jobs = await backend();
    const schedule = await IndicatorSchedule.open({ store, config: indicators, jobs, clock });
    const tasks = await IndicatorTasks.open(store);
    try {
      // 00:30 on Dec 2: Nov 30 is due (Dec 1 is over for less than afterMinutes); Nov 29/28 had no session.
      const first = await schedule.tick();
      expect(first.sent).toEqual([
        { kind: "generate-tlsrpt", key: generateKey(organisationId, "2026-11-30") },
      ]);
      await jobs.idle();
      // peer.example: queued to both rua and delivered; other.example: its TLSRPT record timed out.
      expect((await outbox()).map((r) => [r.destination, r.state])).toEqual([
        ["tlsrpt@peer.example", "sent"],
        ["https://reports.peer.example/v1", "sent"],
      ]);
      expect(mails).toEqual([{ to: "tlsrpt@peer.example", dkim: "mc1._domainkey.alpha.example" }]);
      expect(posts).toEqual(["https://reports.peer.example/v1"]);
      const failedTask = await tasks.get(generateKey(organisationId, "2026-11-30"));
      expect(failedTask).toMatchObject({ status: "due", attempts: 1, nextDueAt: "2026-12-02T00:31:00.000Z" });
      expect(failedTask?.lastError).toMatch(/TLSRPT record of other\.example: DNS failure/);

      // Looks before the backoff is over send nothing (the check interval is honoured too).
      now += 5_000;
      expect((await schedule.tick()).sent).toEqual([]);

      // After the backoff, with DNS back: the day runs again; peer.example is not queued nor sent twice.
      dnsDown = false;
      now = Date.parse("2026-12-02T00:31:00Z");
      expect((await schedule.tick()).sent.map((s) => s.key)).toEqual([
        generateKey(organisationId, "2026-11-30"),
      ]);
      await jobs.idle();
      expect((await outbox()).map((r) => [r.destination, r.state])).toEqual([
        ["tlsrpt@peer.example", "sent"],
        ["https://reports.peer.example/v1", "sent"],
        ["reports@other.example", "sent"],
      ]);
      expect(mails.map((m) => m.to)).toEqual(["tlsrpt@peer.example", "reports@other.example"]);
      expect(posts).toHaveLength(1);
      const done = await tasks.get(generateKey(organisationId, "2026-11-30"));
      expect(done).toMatchObject({ status: "done", attempts: 0, lastError: null });
      expect(done?.detail).toMatchObject({ sessions: 2 });

      // Done is done: later looks the same day send nothing.
      now += 10_000;
      expect((await schedule.tick()).sent).toEqual([]);

      // Dec 1 becomes due at 01:00; a service down for days catches up within the window only.
      now = Date.parse("2026-12-02T01:00:00Z");
      expect((await schedule.tick()).sent.map((s) => s.key)).toEqual([
        generateKey(organisationId, "2026-12-01"),
      ]);
      await jobs.idle();
      expect(await tasks.get(generateKey(organisationId, "2026-12-01"))).toMatchObject({ status: "done" });
      expect(mails.map((m) => m.to)).toEqual([
        "tlsrpt@peer.example",
        "reports@other.example",
        "tlsrpt@peer.example",
      ]);
      expect(posts).toHaveLength(2);
      await store.db.deleteFrom("indicator_tasks").execute();
      now = Date.parse("2026-12-03T02:00:00Z"); // window: Dec 2, Dec 1, Nov 30 — both days again, queued once
      expect((await schedule.tick()).sent).toHaveLength(2);
      await jobs.idle();
      expect(await outbox()).toHaveLength(5);
      expect(mails).toHaveLength(3);
      expect(posts).toHaveLength(2);
      now = Date.parse("2026-12-05T02:00:00Z"); // window: Dec 4, 3, 2 — no session on those days
      expect((await schedule.tick()).sent).toEqual([]);
    } finally {
      await schedule.stop();
      await jobs.stop(1_000);
    }
  });

  it("a configured organisation the registry does not know is said once, the others go on", async () => {
    const config = loadIndicatorsConfig(
      JSON.stringify({ generate: { organisations: [{ name: "Nobody" }, { name: "Alpha" }] } }),
      "indicators.json",
      dir,
    );
    const sentJobs: string[] = [];
    const recording: Jobs = {
      mode: "in-process",
      send: async (_kind, key) => {
        sentJobs.push(key);
        return { id: key };
      },
      start: async () => {},
      stop: async () => {},
    };
    const errors: string[] = [];
    await store.db.deleteFrom("indicator_tasks").execute();
    now = Date.parse("2026-12-02T02:00:00Z");
    const schedule = await IndicatorSchedule.open({
      store,
      config,
      jobs: recording,
      clock,
      onError: (e) => errors.push(String(e)),
    });
    expect((await schedule.tick()).unknown).toEqual(["Nobody"]);
    now += 3_600_000;
    await schedule.tick();
    expect(errors).toEqual([
      "Error: indicators.json: generate.organisations: no organisation Nobody in the registry",
    ]);
    // Each look sends the days not done yet; the backend's key keeps one waiting per day.
    expect([...new Set(sentJobs)].sort()).toEqual([
      generateKey(organisationId, "2026-11-30"),
      generateKey(organisationId, "2026-12-01"),
    ]);
  });
});

describe("the handlers, one by one", () => {
  async function handlersWith(jobs: Jobs) {
    const handlers = jobHandlers();
    await registerIndicatorHandlers(handlers, {
      store,
      indicators,
      notify: notifyConfig(),
      resolver,
      clock,
      holder: "test-host:1:bbbb",
      jobs: () => jobs,
      transports,
    });
    const run = <K extends JobKind>(kind: K, payload: JobPayloads[K]) => {
      const registered = handlers.get(kind);
      if (!registered) throw new Error(`no handler for ${kind}`);
      const ctx: JobContext = { id: "t", kind, key: "k", attempt: 1, signal: new AbortController().signal };
      return registered.handler(payload, ctx);
    };
    return { handlers, run };
  }

  const idle: Jobs = {
    mode: "in-process",
    send: async () => ({ id: null }),
    start: async () => {},
    stop: async () => {},
  };

  it("every job kind has a handler", async () => {
    const { handlers } = await handlersWith(idle);
    // audit-domain is registered by the monitor's queue (serve) or the worker, the rest here.
    expect(handlers.kinds().sort()).toEqual([
      "fetch-mailbox",
      "generate-tlsrpt",
      "send-notice",
      "send-tlsrpt",
    ]);
  });

  it("a generation whose lease another live process holds does nothing", async () => {
    await store.db.deleteFrom("indicator_tasks").execute();
    const key = generateKey(organisationId, "2026-11-30");
    const leases = await ScheduleStore.open(store);
    expect(await leases.acquireLease(taskLease(key), "other-host:42:cccc", now, 60_000)).toBe(true);
    const { run } = await handlersWith(idle);
    const before = (await outbox()).length;
    expect(await run("generate-tlsrpt", { organisationId, day: "2026-11-30" })).toEqual({
      status: "done",
      detail: "held by another process",
    });
    expect(await (await IndicatorTasks.open(store)).get(key)).toBeNull();
    expect(await outbox()).toHaveLength(before);
    await leases.releaseLease(taskLease(key), "other-host:42:cccc");
  });

  it("a delivery that fails comes back as a retry when the outbox's backoff says, then is done", async () => {
    const { run } = await handlersWith(idle);
    const { enqueueOutgoing } = await import("../../../src/notify/outbox.js");
    const { id } = await enqueueOutgoing(
      store.db,
      {
        channel: "email",
        destination: "mailto:tlsrpt@retry.example",
        content: Buffer.from("x"),
        contentType: "text/plain",
        dedupKey: "retry-test",
        subject: "s",
      },
      new Date(now),
    );
    mailOutcome = () => failed("smtp-deferred", "451 try later");
    expect(await run("send-tlsrpt", { ref: String(id) })).toMatchObject({
      status: "retry",
      afterMs: 120_000,
    });
    // Before its time the row is not tried again (the outbox decides), the job waits the rest.
    now += 60_000;
    const tried = mails.length;
    expect(await run("send-tlsrpt", { ref: String(id) })).toMatchObject({ status: "retry", afterMs: 60_000 });
    expect(mails).toHaveLength(tried);
    mailOutcome = () => sent("250 ok");
    now += 60_000;
    expect(await run("send-tlsrpt", { ref: String(id) })).toEqual({ status: "done" });
    expect(mails).toHaveLength(tried + 1);
    expect((await outbox()).find((r) => r.id === id)?.state).toBe("sent");
    // A row sent, or that does not exist, is done at once.
    expect(await run("send-tlsrpt", { ref: String(id) })).toEqual({ status: "done" });
    expect(await run("send-tlsrpt", { ref: "999999" })).toEqual({ status: "done" });
  });

  it("a mailbox that cannot be reached is recorded with its backoff; an unknown mailbox is done", async () => {
    writeFileSync(join(dir, "pw"), "secret\n", { mode: 0o600 });
    const config = loadIndicatorsConfig(
      JSON.stringify({
        mailboxes: [{ name: "gone", url: "imaps://u@127.0.0.1:1/INBOX", passwordFile: "pw" }],
      }),
      "indicators.json",
      dir,
    );
    const handlers = jobHandlers();
    await registerIndicatorHandlers(handlers, {
      store,
      indicators: config,
      notify: notifyConfig(),
      resolver,
      clock,
      holder: "test-host:1:dddd",
      jobs: () => idle,
    });
    const handler = handlers.get("fetch-mailbox")?.handler;
    const ctx: JobContext = {
      id: "t",
      kind: "fetch-mailbox",
      key: "k",
      attempt: 1,
      signal: new AbortController().signal,
    };
    expect(await handler?.({ mailbox: "gone" }, ctx)).toEqual({ status: "done", detail: "failed" });
    const task = await (await IndicatorTasks.open(store)).get(fetchKey("gone"));
    expect(task).toMatchObject({ kind: "fetch-mailbox", status: "due", attempts: 1 });
    expect(task?.lastError).toMatch(/127\.0\.0\.1:1: cannot log in/);
    expect(Date.parse(task?.nextDueAt ?? "")).toBe(now + 60_000);
    // Not due yet: the schedule does not send it; the handler does not fetch it.
    const sentJobs: string[] = [];
    const recording: Jobs = {
      ...idle,
      send: async (_kind, key) => {
        sentJobs.push(key);
        return { id: key };
      },
    };
    const schedule = await IndicatorSchedule.open({ store, config, jobs: recording, clock });
    await schedule.tick();
    expect(sentJobs).toEqual([]);
    now += 60_000;
    await schedule.tick();
    expect(sentJobs).toEqual([fetchKey("gone")]);
    // A mailbox is never given up: after many failures it is still due, at most 30 min apart.
    const tasks = await IndicatorTasks.open(store);
    for (let i = 0; i < 12; i++) {
      now = Date.parse((await tasks.get(fetchKey("gone")))?.nextDueAt ?? "");
      expect(await handler?.({ mailbox: "gone" }, ctx)).toEqual({ status: "done", detail: "failed" });
    }
    const later = await tasks.get(fetchKey("gone"));
    expect(later).toMatchObject({ status: "due", attempts: 13 });
    expect(Date.parse(later?.nextDueAt ?? "") - now).toBe(30 * 60_000);
    expect(await handler?.({ mailbox: "renamed" }, ctx)).toMatchObject({ status: "done" });
  });
});
