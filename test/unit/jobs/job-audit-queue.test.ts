/**
 * The distributed mode's path on SQLite: the scheduler queues runs and sends them as jobs; a "worker"
 * (the audit-domain handler on a job backend) runs them with the same runAuditJob; the cycle ends when
 * the store shows every run finished. Runs of dead holders are reaped and sent again.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProbeCache } from "../../../src/audit/audit.js";
import { auditDomainHandler } from "../../../src/jobs/audit-domain-handler.js";
import { inProcessJobs } from "../../../src/jobs/in-process-jobs.js";
import type { JobPayloads } from "../../../src/jobs/job.js";
import { jobAuditQueue } from "../../../src/jobs/job-audit-queue.js";
import { jobHandlers } from "../../../src/jobs/job-handlers.js";
import { reapRuns } from "../../../src/jobs/run-reaper.js";
import type { AuditJobResult } from "../../../src/monitor/audit-job.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { FakeClock, fakeEngine, monitorOn, registered } from "../../support/monitor-fixture.js";

const t0 = Date.parse("2026-12-01T10:00:00.000Z");
const inForce = ["alpha.example", "alpha2.example", "bravo.example", "charlie.example", "delta.example"];

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
  await registered(store);
});
afterEach(async () => {
  await store.close();
});

describe("the distributed audit queue", () => {
  it("a cycle sent to a worker: every domain audited once, by the worker, through runAuditJob", async () => {
    const clock = new FakeClock(t0);
    const engine = fakeEngine(clock);
    const handlers = jobHandlers();
    const jobs = inProcessJobs({ handlers, retryDelayMs: 1 });
    const sent: JobPayloads["audit-domain"][] = [];
    const sending = {
      ...jobs,
      send: async <K extends keyof JobPayloads>(kind: K, key: string, payload: JobPayloads[K]) => {
        if (kind === "audit-domain") sent.push(payload as JobPayloads["audit-domain"]);
        return jobs.send(kind, key, payload);
      },
    };
    const serve = await monitorOn(store, clock, engine.auditor, {
      queue: jobAuditQueue({ jobs: sending, pollMs: 2 }),
    });
    const results: AuditJobResult[] = [];
    const cache = new ProbeCache();
    handlers.register(
      "audit-domain",
      auditDomainHandler(
        () => ({
          history: serve.history,
          audit: engine.auditor(cache),
          clock,
          holder: "worker-1",
          leaseMs: 60_000,
          nextDueAt: (d, f) => serve.scheduler.nextDueAt(d, f),
        }),
        (r) => results.push(r),
      ),
    );
    await jobs.start();
    const outcome = await serve.runCycle();
    expect(outcome.status).toBe("ran");
    expect(outcome.runs.map((r) => r.domain).sort()).toEqual(inForce);
    expect(outcome.runs.every((r) => r.status === "done")).toBe(true);
    expect(sent.map((p) => p.domain).sort()).toEqual(inForce);
    expect(results.map((r) => r.outcome)).toEqual(inForce.map(() => "done"));
    expect(serve.queue.active).toBe(0); // nothing audited in the serving process

    // The same job delivered twice (a retry after a kill): the run is stored once.
    const again = await auditDomainHandler(() => ({
      history: serve.history,
      audit: engine.auditor(cache),
      clock,
      holder: "worker-2",
      leaseMs: 60_000,
    }))(sent[0] as JobPayloads["audit-domain"], {
      id: "x",
      kind: "audit-domain",
      key: "k",
      attempt: 2,
      signal: new AbortController().signal,
    });
    expect(again).toEqual({ status: "done", detail: "already_done" });
    for (const d of inForce) expect(await serve.history.listAudits(d)).toHaveLength(1);
    await serve.stop();
  });

  it("a run held by a live holder is tried again later; one of a dead holder is reaped and sent again", async () => {
    const clock = new FakeClock(t0);
    const engine = fakeEngine(clock);
    const serve = await monitorOn(store, clock, engine.auditor);
    const { run } = await serve.history.enqueue(
      { jobKey: "k1", domain: "alpha.example", trigger: "schedule", requestedBy: "scheduler" },
      clock.now(),
    );
    expect(await serve.history.claim(run.id, "worker-dead", clock.now(), 60_000)).toBe(true);
    const handler = auditDomainHandler(() => ({
      history: serve.history,
      audit: engine.auditor(new ProbeCache()),
      clock,
      holder: "worker-live",
      leaseMs: 60_000,
    }));
    const payload = {
      runId: run.id,
      jobKey: "k1",
      domain: "alpha.example",
      trigger: "schedule",
      requestedBy: "scheduler",
      cycleId: null,
    } as const;
    const ctx = {
      id: "1",
      kind: "audit-domain",
      key: "k1",
      attempt: 1,
      signal: new AbortController().signal,
    } as const;
    expect((await handler(payload, ctx)).status).toBe("retry");

    const sends: string[] = [];
    const jobs = {
      send: async (_kind: string, key: string) => {
        sends.push(key);
        return { id: "j" };
      },
    };
    // Alive: nothing reaped.
    expect(
      await reapRuns({
        history: serve.history,
        jobs,
        self: "worker-live",
        now: clock.now(),
        isHolderDead: () => false,
      }),
    ).toBe(0);
    expect(
      await reapRuns({
        history: serve.history,
        jobs,
        self: "worker-live",
        now: clock.now(),
        isHolderDead: (h) => h === "worker-dead",
      }),
    ).toBe(1);
    expect(sends).toEqual(["k1"]);
    expect(await handler(payload, ctx)).toEqual({ status: "done", detail: "done" });
    expect((await serve.history.listAudits("alpha.example")).map((r) => r.status)).toEqual(["done"]);
    // A lease that passed is reaped even when the holder cannot be told dead (another host).
    const second = await serve.history.enqueue(
      { jobKey: "k2", domain: "bravo.example", trigger: "schedule", requestedBy: "scheduler" },
      clock.now(),
    );
    await serve.history.claim(second.run.id, "other-host:1:x", clock.now(), 60_000);
    expect(
      await reapRuns({
        history: serve.history,
        jobs,
        self: "w",
        now: clock.now() + 30_000,
        isHolderDead: () => false,
      }),
    ).toBe(0);
    expect(
      await reapRuns({
        history: serve.history,
        jobs,
        self: "w",
        now: clock.now() + 61_000,
        isHolderDead: () => false,
      }),
    ).toBe(1);
    await serve.stop();
  });
});
