/** The scheduler and queue with the real engine over a fake network and a hand-moved clock. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProbeCache } from "../../../src/audit/audit.js";
import { dueDomains, nextDue } from "../../../src/monitor/due.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { FakeClock, fakeEngine, Gate, monitorOn, registered, until } from "../../support/monitor-fixture.js";

const t0 = Date.parse("2026-12-01T10:00:00.000Z");
const day = 86_400_000;
const inForce = ["alpha.example", "alpha2.example", "bravo.example", "charlie.example", "delta.example"];

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
  await registered(store);
});
afterEach(async () => {
  await store.close();
});

describe("cadence and jitter", () => {
  it("brings the next audit forward by at most the jitter fraction, never later than the cadence", () => {
    for (const r of [0, 0.25, 0.5, 0.999999, 1, -1, 7]) {
      const next = nextDue(t0, 86_400, () => r, 0.1);
      expect(next).toBeGreaterThanOrEqual(t0 + 0.9 * day);
      expect(next).toBeLessThanOrEqual(t0 + day);
    }
    expect(nextDue(t0, 86_400, () => 0, 0.1)).toBe(t0 + day);
    expect(nextDue(t0, 3_600, () => 0.5, 0.1)).toBe(t0 + 0.95 * 3_600_000);
  });

  it("is due when never audited or when the due time has come", () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const schedules = [
      { domain: "new.example", cadenceSeconds: 86_400, nextDueAt: null, lastRunId: null },
      { domain: "now.example", cadenceSeconds: 86_400, nextDueAt: iso(t0), lastRunId: 1 },
      { domain: "later.example", cadenceSeconds: 86_400, nextDueAt: iso(t0 + 1), lastRunId: 2 },
    ];
    expect(dueDomains(schedules, t0)).toEqual(["new.example", "now.example"]);
  });
});

describe("a scheduler cycle", () => {
  it("audits every domain in force once, probing an MX shared by three domains once", async () => {
    const clock = new FakeClock(t0);
    const engine = fakeEngine(clock);
    const monitor = await monitorOn(store, clock, engine.auditor);
    const outcome = await monitor.runCycle();
    expect(outcome.status).toBe("ran");
    expect(outcome.resumed).toBe(false);
    expect(outcome.runs.map((r) => r.domain).sort()).toEqual(inForce);
    expect(outcome.runs.every((r) => r.status === "done" && r.trigger === "schedule")).toBe(true);
    expect(outcome.cycle).toMatchObject({ status: "done", planned: 5 });
    // The fake network refuses everything: the MX measures cannot pass, the verdict says so.
    expect(new Set(outcome.runs.map((r) => r.verdict))).not.toContain("compliant");
    const shared = engine.connections.get("192.0.2.10:25") ?? 0;
    const alone = engine.connections.get("192.0.2.20:25") ?? 0;
    expect(alone).toBeGreaterThan(0);
    expect(shared).toBe(alone);
    expect(engine.connections.has("192.0.2.40:25")).toBe(false); // withdrawn: not audited

    // Without the cycle's shared cache, the shared MX would cost three times as much.
    const separate = fakeEngine(clock);
    for (const d of ["alpha.example", "alpha2.example", "bravo.example"])
      await separate.auditor(new ProbeCache())(d, () => {});
    expect(separate.connections.get("192.0.2.10:25")).toBe(3 * alone);
  });

  it("finds nothing due right after, and everything due again once the cadence has passed", async () => {
    const clock = new FakeClock(t0);
    const monitor = await monitorOn(store, clock, fakeEngine(clock).auditor, { random: () => 0.999 });
    await monitor.runCycle();
    clock.advance(60_000);
    const second = await monitor.runCycle();
    expect(second.runs).toEqual([]);
    const [schedule] = await monitor.schedule.schedule(["charlie.example"]);
    const due = Date.parse(schedule?.nextDueAt ?? "");
    expect(due).toBeGreaterThan(t0 + 0.9 * day);
    expect(due).toBeLessThan(t0 + day);
    clock.t = due;
    const third = await monitor.runCycle();
    expect(third.runs.map((r) => r.domain)).toContain("charlie.example");
    clock.t = t0 + day + 60_000;
    const fourth = await monitor.runCycle();
    expect([...third.runs, ...fourth.runs].map((r) => r.domain).sort()).toEqual(inForce);
    for (const d of inForce) expect(await monitor.history.listAudits(d)).toHaveLength(2);
  });

  it("follows a domain's own cadence", async () => {
    const clock = new FakeClock(t0);
    const monitor = await monitorOn(store, clock, fakeEngine(clock).auditor, { random: () => 0 });
    await monitor.schedule.setCadence("delta.example", 6 * 3600, t0);
    await monitor.runCycle();
    clock.advance(6 * 3_600_000);
    const later = await monitor.runCycle();
    expect(later.runs.map((r) => r.domain)).toEqual(["delta.example"]);
  });

  it("never overlaps itself: a second cycle, in this process or another, is refused while one runs", async () => {
    const clock = new FakeClock(t0);
    const gate = new Gate();
    gate.hold("charlie.example");
    const engine = fakeEngine(clock);
    const a = await monitorOn(store, clock, gate.wrap(engine.auditor), { holder: "host:1:a" });
    const b = await monitorOn(store, clock, gate.wrap(engine.auditor), {
      holder: "host:2:b",
      isHolderDead: () => false,
    });
    const first = a.runCycle();
    await until(() => gate.started.includes("charlie.example"));
    expect(await a.runCycle()).toMatchObject({ status: "held", runs: [] });
    expect(await b.runCycle()).toMatchObject({ status: "held", heldBy: "host:1:a" });
    gate.release("charlie.example");
    expect((await first).runs).toHaveLength(5);
    expect(gate.started.filter((d) => d === "charlie.example")).toHaveLength(1);
  });

  it("resumes a cycle after a crash: each domain audited once, none lost", async () => {
    const clock = new FakeClock(t0);
    const engine = fakeEngine(clock);
    const gate = new Gate();
    gate.hold("charlie.example");
    gate.hold("delta.example");
    // Process A audits two at a time; charlie and delta hang, then A "dies" (its holder is gone).
    const a = await monitorOn(store, clock, gate.wrap(engine.auditor), {
      holder: "host:1:a",
      concurrency: 2,
    });
    void a.runCycle();
    await until(async () => (await a.history.runsOfCycle(1)).filter((r) => r.status === "done").length === 3);
    await until(() => gate.started.includes("charlie.example") && gate.started.includes("delta.example"));
    const beforeCrash = [...gate.started];
    expect(beforeCrash.sort()).toEqual(inForce);

    clock.advance(1_000);
    const audited: string[] = [];
    const b = await monitorOn(
      store,
      clock,
      (cache) => {
        const inner = engine.auditor(cache);
        return (domain, onProgress) => {
          audited.push(domain);
          return inner(domain, onProgress);
        };
      },
      { holder: "host:2:b", isHolderDead: (h) => h === "host:1:a" },
    );
    const resumed = await b.runCycle();
    expect(resumed).toMatchObject({ status: "ran", resumed: true, cycle: { id: 1, status: "done" } });
    expect(audited.sort()).toEqual(["charlie.example", "delta.example"]);
    expect(resumed.runs.map((r) => r.domain).sort()).toEqual(inForce);
    for (const d of inForce) expect(await b.history.listAudits(d)).toHaveLength(1);

    // A's hung audits finish late: their results are not written a second time.
    gate.release("charlie.example");
    gate.release("delta.example");
    await until(() => a.queue.active === 0);
    for (const d of inForce) {
      const runs = await b.history.listAudits(d);
      expect(runs.map((r) => r.status)).toEqual(["done"]);
    }
  });
});

describe("the audit queue", () => {
  it("queues an on-demand domain once and reports its progress to the end", async () => {
    const clock = new FakeClock(t0);
    const gate = new Gate();
    gate.hold("bravo.example");
    const monitor = await monitorOn(store, clock, gate.wrap(fakeEngine(clock).auditor));
    const first = await monitor.requestAudit({
      domain: "bravo.example",
      requestedBy: "op@bravo",
      idempotencyKey: "r1",
    });
    const events = (async () => {
      const seen: string[] = [];
      for await (const e of monitor.progress.follow(first.run.id))
        seen.push(e.phase === "probing" ? `probing ${e.done}/${e.total}` : e.phase);
      return seen;
    })();
    const retry = await monitor.requestAudit({
      domain: "bravo.example",
      requestedBy: "op@bravo",
      idempotencyKey: "r1",
    });
    const other = await monitor.requestAudit({
      domain: "bravo.example",
      requestedBy: "agency",
      idempotencyKey: "r2",
    });
    expect(first.created).toBe(true);
    expect([retry, other].map((e) => [e.created, e.run.id])).toEqual([
      [false, first.run.id],
      [false, first.run.id],
    ]);
    gate.release("bravo.example");
    expect(await events).toEqual(["queued", "discovering", "probing 1/1", "storing", "done"]);
    const run = await monitor.history.getAudit(first.run.id);
    expect(run).toMatchObject({
      status: "done",
      trigger: "on_demand",
      requestedBy: "op@bravo",
      organisation: "Bravo",
    });
    expect(run?.report?.domain).toBe("bravo.example");
    // An on-demand audit moves the domain's next due time too.
    expect((await monitor.schedule.schedule(["bravo.example"]))[0]?.lastRunId).toBe(first.run.id);
  });

  it("runs a job whose run is done without auditing again (a retried job)", async () => {
    const clock = new FakeClock(t0);
    const audited: string[] = [];
    const engine = fakeEngine(clock);
    const monitor = await monitorOn(store, clock, (cache) => {
      const inner = engine.auditor(cache);
      return (d, p) => {
        audited.push(d);
        return inner(d, p);
      };
    });
    const { run } = await monitor.requestAudit({
      domain: "delta.example",
      requestedBy: "x",
      idempotencyKey: "k",
    });
    await until(async () => (await monitor.history.getAudit(run.id))?.status === "done");
    const { runAuditJob } = await import("../../../src/monitor/audit-job.js");
    const again = await runAuditJob(
      {
        runId: run.id,
        jobKey: run.jobKey,
        domain: run.domain,
        trigger: run.trigger,
        requestedBy: run.requestedBy,
      },
      {
        history: monitor.history,
        audit: engine.auditor(new ProbeCache()),
        clock,
        holder: "other",
        leaseMs: 1000,
      },
    );
    expect(again.outcome).toBe("already_done");
    expect(audited).toEqual(["delta.example"]);
  });

  it("stops gracefully: finished audits are kept, the rest re-queued and resumed by the next start", async () => {
    const clock = new FakeClock(t0);
    const gate = new Gate();
    gate.hold("charlie.example");
    const engine = fakeEngine(clock);
    const a = await monitorOn(store, clock, gate.wrap(engine.auditor), { holder: "host:1:a" });
    const quick = await a.requestAudit({ domain: "delta.example", requestedBy: "x", idempotencyKey: "q" });
    const slow = await a.requestAudit({ domain: "charlie.example", requestedBy: "x", idempotencyKey: "s" });
    await until(async () => (await a.history.getAudit(quick.run.id))?.status === "done");
    const stopped = await a.stop(50);
    expect(stopped).toEqual({ finished: 0, requeued: 1 });
    expect((await a.history.getAudit(slow.run.id))?.status).toBe("queued");
    // Refused after stop: nothing new starts in a stopping process.
    await a.requestAudit({ domain: "alpha.example", requestedBy: "x", idempotencyKey: "late" });
    expect(a.queue.active).toBe(1);

    const b = await monitorOn(store, clock, engine.auditor, { holder: "host:2:b" });
    await b.recover();
    await until(async () => (await b.history.getAudit(slow.run.id))?.status === "done");
    gate.release("charlie.example");
    await until(() => a.queue.active === 0);
    expect((await b.history.listAudits("charlie.example")).map((r) => r.status)).toEqual(["done"]);
  });
});
