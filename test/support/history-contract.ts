/** Audit history and scheduler state every storage engine must show: SQLite (unit), PostgreSQL (interop). */
import { describe, expect, it } from "vitest";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { ScheduleStore } from "../../src/monitor/schedule-store.js";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";
import { goodMx, reportOf } from "./audit-fixture.js";
import { signatories } from "./registry-fixture.js";

const t0 = Date.parse("2026-12-01T10:00:00.000Z");
const cycleRequest = (domain: string, cycleId: number | null = null) => ({
  jobKey: `test:${domain}:${cycleId ?? 0}`,
  domain,
  trigger: "schedule" as const,
  requestedBy: "scheduler",
  cycleId,
});

export function historyContract(store: () => Store): void {
  describe("audit history contract", () => {
    it("stores a finished audit with its measures and endpoints, and reads it back whole", async () => {
      const registry = await Registry.open(store());
      await registry.import(signatories);
      const history = await AuditHistory.open(store());
      const queued = await history.enqueue(cycleRequest("alpha.example"), t0);
      expect(queued.created).toBe(true);
      expect(queued.run).toMatchObject({ status: "queued", organisation: "Alpha Mail", verdict: null });
      const report = reportOf("alpha.example", { statuses: { "mx.cipher": "fail" } });
      const saved = await history.save(cycleRequest("alpha.example"), report, { now: t0 + 5000 });
      expect(saved).toEqual({ runId: queued.run.id, written: true });
      const run = await history.getAudit(saved.runId);
      expect(run?.status).toBe("done");
      expect(run?.verdict).toBe("non_compliant");
      expect(run?.report).toEqual(report);
      // A report naming a measure twice (the first statement counts) is stored, one row per measure.
      const twice = reportOf("alpha-corp.example");
      const doubled = { ...twice, measures: [...twice.measures, { ...twice.measures[0], status: "fail" }] };
      await history.save(cycleRequest("alpha-corp.example"), doubled as typeof twice, { now: t0 });
      const { rows } = await history.statusMatrix("2026-12-01");
      const alpha = rows.find((r) => r.organisation === "Alpha Mail");
      expect(alpha?.measures["mx.cipher"]).toBe("fail");
      expect(alpha?.measures["mx.starttls"]).toBe("pass");
      expect(alpha?.measures["mx.dane"]).toBeUndefined(); // beside the verdict, not in the matrix
      expect(alpha?.domains.find((d) => d.domain === "alpha-corp.example")?.measures["access.tls"]).toBe(
        "pass",
      );
      const bravo = rows.find((r) => r.organisation === "Bravo Télécom");
      expect(bravo?.domains).toEqual([
        { domain: "bravo.example", runId: null, verdict: null, finishedAt: null, measures: {} },
      ]);
      expect(rows.map((r) => r.organisation)).not.toContain("Charlie"); // withdrawn before that date
    });

    it("writes a retried job once (idempotent by job key), and nothing of a failed transaction", async () => {
      const history = await AuditHistory.open(store());
      const request = cycleRequest("bravo.example");
      const first = await history.save(request, reportOf("bravo.example"), { now: t0 });
      const again = await history.save(
        request,
        reportOf("bravo.example", { statuses: { "mx.hash": "fail" } }),
        {
          now: t0 + 1,
        },
      );
      expect(again).toEqual({ runId: first.runId, written: false });
      expect((await history.getAudit(first.runId))?.verdict).toBe("compliant");
      expect(await history.listAudits("bravo.example")).toHaveLength(1);
      // An endpoint row that breaks a constraint (port null) rolls the whole save back.
      const broken = reportOf("charlie.example", { endpoints: [{ ...goodMx(), port: null as never }] });
      await expect(history.save(cycleRequest("charlie.example"), broken, { now: t0 })).rejects.toThrow();
      expect(await history.listAudits("charlie.example")).toEqual([]);
      expect(await history.getAuditByKey(cycleRequest("charlie.example").jobKey)).toBeNull();
    });

    it("queues a domain once: a second request while queued or running gets the same run", async () => {
      const history = await AuditHistory.open(store());
      const a = await history.requestOnDemand(
        { idempotencyKey: "k1", domain: "alpha.example", requestedBy: "op@alpha" },
        t0,
      );
      const sameKey = await history.requestOnDemand(
        { idempotencyKey: "k1", domain: "alpha.example", requestedBy: "op@alpha" },
        t0 + 1,
      );
      const otherKey = await history.requestOnDemand(
        { idempotencyKey: "k2", domain: "alpha.example", requestedBy: "agency@x" },
        t0 + 2,
      );
      const scheduled = await history.enqueue(cycleRequest("alpha.example", null), t0 + 3);
      expect(a.created).toBe(true);
      expect([sameKey, otherKey, scheduled].map((e) => [e.created, e.run.id])).toEqual([
        [false, a.run.id],
        [false, a.run.id],
        [false, a.run.id],
      ]);
      expect(await history.claim(a.run.id, "worker-1", t0 + 10, 60_000)).toBe(true);
      expect(await history.claim(a.run.id, "worker-2", t0 + 20, 60_000)).toBe(false);
      const whileRunning = await history.requestOnDemand(
        { idempotencyKey: "k3", domain: "alpha.example", requestedBy: "op@alpha" },
        t0 + 30,
      );
      expect(whileRunning).toMatchObject({ created: false, run: { id: a.run.id, status: "running" } });
      await history.save({ ...a.run, jobKey: a.run.jobKey }, reportOf("alpha.example"), { now: t0 + 40 });
      const after = await history.requestOnDemand(
        { idempotencyKey: "k4", domain: "alpha.example", requestedBy: "op@alpha" },
        t0 + 50,
      );
      expect(after.created).toBe(true);
      expect(after.run.id).not.toBe(a.run.id);
      expect((await history.listAudits("alpha.example")).map((r) => r.status)).toEqual(["queued", "done"]);
    });

    it("re-queues the runs of a dead holder or an expired lease, and a new holder may claim them", async () => {
      const history = await AuditHistory.open(store());
      const one = (await history.enqueue(cycleRequest("one.example"), t0)).run;
      const two = (await history.enqueue(cycleRequest("two.example"), t0)).run;
      expect(await history.claim(one.id, "dead", t0, 60_000)).toBe(true);
      expect(await history.claim(two.id, "slow", t0, 1_000)).toBe(true);
      expect(await history.runningHolders()).toEqual(expect.arrayContaining(["dead", "slow"]));
      expect(await history.requeue({ holders: ["dead"] })).toBe(1);
      expect(await history.requeue({ expiredAt: t0 + 500 })).toBe(0);
      await history.renew("slow", t0 + 900, 1_000);
      expect(await history.requeue({ expiredAt: t0 + 1_500 })).toBe(0);
      expect(await history.claim(two.id, "other", t0 + 2_500, 1_000)).toBe(true); // lease passed
      expect((await history.queued()).map((r) => r.domain)).toEqual(["one.example"]);
      await history.fail(one.jobKey, "store unavailable", t0 + 3_000);
      expect((await history.getAudit(one.id))?.status).toBe("failed");
    });

    it("lists a domain's audits newest first and the latest finished audit of each domain", async () => {
      const history = await AuditHistory.open(store());
      for (const [i, day] of ["01", "02", "03"].entries())
        await history.save(
          { ...cycleRequest("alpha.example"), jobKey: `day-${day}` },
          reportOf("alpha.example", {
            finishedAt: `2026-11-${day}T10:00:00.000Z`,
            statuses: i === 1 ? { "access.tls": "error" } : {},
          }),
          { now: t0 },
        );
      await history.save(cycleRequest("bravo.example"), reportOf("bravo.example"), { now: t0 });
      const list = await history.listAudits("alpha.example", { limit: 2 });
      expect(list.map((r) => r.jobKey)).toEqual(["day-03", "day-02"]);
      expect(
        (await history.listAudits("alpha.example", { limit: 2, offset: 2 })).map((r) => r.jobKey),
      ).toEqual(["day-01"]);
      const latest = await history.latestPerDomain();
      expect(latest.map((l) => [l.domain, l.finishedAt, l.verdict])).toEqual([
        ["alpha.example", "2026-11-03T10:00:00.000Z", "compliant"],
        ["bravo.example", "2026-12-01T10:00:05.000Z", "compliant"],
      ]);
      const verdicts = await history.latestVerdicts(["bravo.example", "never.example"]);
      expect([...verdicts.keys()]).toEqual(["bravo.example"]);
      expect(verdicts.get("bravo.example")).toMatchObject({ verdict: "compliant" });
      expect(await history.getAudit(999_999)).toBeNull();
      expect(await history.getAudit(-1)).toBeNull();
    });

    it("keeps cadences, next due times, cycles and a lease one holder at a time", async () => {
      const history = await AuditHistory.open(store());
      const schedule = await ScheduleStore.open(store());
      expect(await schedule.schedule(["new.example"])).toEqual([
        { domain: "new.example", cadenceSeconds: 86_400, nextDueAt: null, lastRunId: null },
      ]);
      const saved = await history.save(cycleRequest("new.example"), reportOf("new.example"), {
        now: t0,
        nextDueAt: t0 + 86_400_000,
      });
      expect((await schedule.schedule(["new.example"]))[0]).toMatchObject({
        nextDueAt: "2026-12-02T10:00:00.000Z",
        lastRunId: saved.runId,
      });
      const hourly = await schedule.setCadence("new.example", 3600, t0);
      expect(hourly).toMatchObject({ cadenceSeconds: 3600, nextDueAt: "2026-12-01T11:00:00.000Z" });
      await expect(schedule.setCadence("new.example", 60, t0)).rejects.toThrow(/between 3600 and/);

      expect(await schedule.acquireLease("cycle", "p1", t0, 10_000)).toBe(true);
      expect(await schedule.acquireLease("cycle", "p2", t0 + 1, 10_000)).toBe(false);
      expect(await schedule.renewLease("cycle", "p1", t0 + 5_000, 10_000)).toBe(true);
      expect(await schedule.acquireLease("cycle", "p2", t0 + 12_000, 10_000)).toBe(false);
      expect(await schedule.acquireLease("cycle", "p2", t0 + 12_000, 10_000, (h) => h === "p1")).toBe(true);
      expect(await schedule.renewLease("cycle", "p1", t0 + 12_001, 10_000)).toBe(false);
      await schedule.releaseLease("cycle", "p2");
      expect(await schedule.leaseHolder("cycle")).toBeNull();

      const cycle = await schedule.startCycle("p1", t0, 3);
      expect(await schedule.unfinishedCycles()).toEqual([cycle]);
      await schedule.finishCycle(cycle.id, t0 + 1, "done");
      expect(await schedule.unfinishedCycles()).toEqual([]);
      expect((await schedule.cycle(cycle.id))?.status).toBe("done");
    });
  });
}
