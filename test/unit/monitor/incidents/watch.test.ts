/**
 * Detection and incidents through the real monitor (store, scheduler, queue) with a scripted auditor
 * and a hand-moved clock: suspicion, confirming audit, incident, acknowledgement, resolution by the
 * audit that sees TLS back, flapping, "could not check", certificate expiry warnings and notices.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditedEndpoint } from "../../../../src/audit/audit.js";
import type { Auditor } from "../../../../src/monitor/audit-job.js";
import { monitorReport, monitorReportSchema } from "../../../../src/monitor/cycle-report.js";
import type { IncidentNotice } from "../../../../src/monitor/incidents/incident-notice.js";
import type { Monitor } from "../../../../src/monitor/monitor.js";
import { openStore, type Store } from "../../../../src/store/database.js";
import { goodMx, reportOf } from "../../../support/audit-fixture.js";
import { FakeClock, monitorOn, registered } from "../../../support/monitor-fixture.js";

const t0 = Date.parse("2026-12-01T10:00:00.000Z");
const hour = 3_600_000;
const day = 24 * hour;
const pause = 5 * 60_000;

/** An endpoint whose certificate is far from expiry (the fixture's expires at the end of 2026). */
function lasting(
  e: AuditedEndpoint,
  notAfter = "2030-01-01T00:00:00.000Z",
  fingerprint = "AA",
): AuditedEndpoint {
  const cert = e.tls?.certificate;
  return e.tls && cert
    ? { ...e, tls: { ...e.tls, certificate: { ...cert, notAfter, fingerprintSha256: fingerprint } } }
    : e;
}
const good = lasting(goodMx("mx.charlie.example", "192.0.2.20"));
const off: AuditedEndpoint = {
  ...good,
  starttlsAdvertised: false,
  tls: null,
  outcome: "failed",
  error: { step: "starttls", reason: "not_offered", message: "STARTTLS not in the EHLO reply" },
};
const throttled: AuditedEndpoint = {
  ...good,
  tls: null,
  starttlsAdvertised: null,
  outcome: "failed",
  error: { step: "greeting", reason: "throttled", message: "421 4.7.0 too many connections" },
};

let store: Store;
let clock: FakeClock;
let monitor: Monitor;
let notices: IncidentNotice[];
/** What charlie.example's MX shows at each audit, in turn (the last one repeats). */
let script: AuditedEndpoint[][];
let audits: number;

const auditor = (): Auditor => async (domain) => {
  const t = new Date(clock.now()).toISOString();
  if (domain !== "charlie.example")
    return reportOf(domain, { endpoints: [lasting(goodMx(`mx.${domain}`))], finishedAt: t });
  const endpoints = script.length > 1 ? (script.shift() as AuditedEndpoint[]) : (script[0] ?? [good]);
  audits++;
  return reportOf(domain, { endpoints, finishedAt: t });
};

async function cycle() {
  const outcome = await monitor.runCycle();
  const seen = monitor.watch.take();
  return {
    outcome,
    ...seen,
    charlie: seen.detections.filter((d) => d.detection.domain === "charlie.example"),
  };
}

beforeEach(async () => {
  store = await openStore(":memory:");
  await registered(store);
  clock = new FakeClock(t0);
  notices = [];
  script = [[good]];
  audits = 0;
  monitor = await monitorOn(store, clock, auditor, {
    confirmTimers: false,
    incidentLimits: { confirmPauseMs: pause, flapWindowMs: 3 * day, couldNotCheckIncidentMs: 2 * day },
    watchSleep: async (ms) => clock.advance(ms),
    notify: async (n) => {
      notices.push(n);
    },
  });
});
afterEach(async () => {
  await monitor.stop(0);
  await store.close();
});

describe("an interruption, confirmed, acknowledged, resolved", () => {
  it("opens only after the confirming audit, and the audit that sees TLS back resolves it", async () => {
    const first = await cycle();
    expect(first.detections).toEqual([]);
    const goodRun = first.outcome.runs.find((r) => r.domain === "charlie.example")?.id;

    clock.advance(day);
    script = [[off], [off]];
    const second = await cycle();
    expect(second.charlie.map((d) => [d.detection.kind, d.step])).toEqual([
      ["starttls_missing", "suspected"],
      ["starttls_missing", "confirmed"],
    ]);
    expect(audits).toBe(3); // the cycle's audit and the confirming one
    const [suspected, confirmed] = second.charlie;
    expect(confirmed?.detection.runId).not.toBe(suspected?.detection.runId);
    const confirmRun = await monitor.history.getAudit(confirmed?.detection.runId ?? -1);
    expect(confirmRun).toMatchObject({ trigger: "on_demand", requestedBy: "monitor" });
    expect(confirmRun?.jobKey.startsWith("confirm:")).toBe(true);
    // The confirming audit came after the pause.
    expect(Date.parse(confirmRun?.finishedAt ?? "")).toBeGreaterThanOrEqual(t0 + day + pause);

    const [incident] = await monitor.incidents.list({ state: "unresolved" });
    expect(incident).toMatchObject({
      kind: "starttls_missing",
      state: "open",
      domain: "charlie.example",
      organisation: "Charlie",
      audience: "all",
      severity: "interruption",
      firstRunId: suspected?.detection.runId,
      confirmRunId: confirmed?.detection.runId,
      lastGoodRunId: goodRun,
      endpoint: "mx.charlie.example [192.0.2.20]:25",
    });
    expect(incident?.timeToDetectMs).toBe(day + pause);
    expect(confirmed?.incidentId).toBe(incident?.id);
    expect(notices.map((n) => [n.event, n.audience, n.incident.id])).toEqual([
      ["opened", "all", incident?.id],
    ]);

    // The run-once document validates with the detections and the incident.
    const runs = await Promise.all(second.outcome.runs.map((r) => monitor.history.getAudit(r.id)));
    const doc = monitorReport(
      second.outcome,
      runs.filter((r) => r !== null),
      1,
      {
        detections: second.detections,
        incidents: incident ? [{ incident, change: "opened" }] : [],
      },
    );
    expect(monitorReportSchema.safeParse(doc).success).toBe(true);
    expect(doc.incidents[0]).toMatchObject({
      id: incident?.id,
      state: "open",
      kind: "starttls_missing",
      organization: "Charlie",
      domain: "charlie.example",
    });

    const id = incident?.id ?? -1;
    expect(
      await monitor.incidents.acknowledge(id, "ops@charlie.example", new Date(clock.now()).toISOString()),
    ).toBe(true);
    expect(
      await monitor.incidents.acknowledge(id, "ops@charlie.example", new Date(clock.now()).toISOString()),
    ).toBe(false);
    await monitor.incidents.comment(
      id,
      "ops@charlie.example",
      "Postfix reconfigured by mistake",
      new Date(clock.now()).toISOString(),
    );

    // Still off a day later: the incident is seen again, not opened twice.
    clock.advance(day);
    script = [[off]];
    const third = await cycle();
    expect(third.charlie.map((d) => d.step)).toEqual(["ongoing"]);
    expect(await monitor.incidents.list({ state: "unresolved" })).toHaveLength(1);

    clock.advance(day);
    script = [[good]];
    const fourth = await cycle();
    expect(fourth.charlie).toEqual([]);
    const resolved = await monitor.incidents.get(id);
    expect(resolved?.state).toBe("resolved");
    expect(resolved?.resolveRunId).toBe(fourth.outcome.runs.find((r) => r.domain === "charlie.example")?.id);
    // From the first bad observation (t0 + 1 day) to the good one (t0 + 3 days + the pause).
    expect(resolved?.timeToRestoreMs).toBe(2 * day + pause);
    // The acknowledgement is told too, once (the second acknowledge changed nothing).
    expect(notices.map((n) => n.event)).toEqual(["opened", "acknowledged", "resolved"]);
    expect(notices[1]).toMatchObject({ key: `incident:${id}:acknowledged:0`, audience: "all" });
    expect(notices[1]?.incident).toMatchObject({
      id,
      state: "acknowledged",
      acknowledgedBy: "ops@charlie.example",
    });
    const timeline = await monitor.incidents.timeline(id);
    expect(timeline.map((e) => e.type)).toEqual([
      "observed",
      "confirmed",
      "opened",
      "notice",
      "acknowledged",
      "notice",
      "comment",
      "seen_again",
      "resolved",
      "notice",
    ]);
    expect(timeline.find((e) => e.type === "observed")?.runId).toBe(suspected?.detection.runId);
    expect(timeline.find((e) => e.type === "resolved")?.runId).toBe(resolved?.resolveRunId);
  });

  it("one bad observation that the confirming audit does not see again is cleared, never an incident", async () => {
    await cycle();
    clock.advance(day);
    script = [[off], [good]];
    const second = await cycle();
    expect(second.charlie.map((d) => d.step)).toEqual(["suspected"]);
    expect(await monitor.incidents.list()).toEqual([]);
    expect(await monitor.incidents.pendingSuspicions()).toEqual([]);
    expect(notices).toEqual([]);
  });

  it("flapping: back within the window is the same incident, reopened", async () => {
    await cycle();
    clock.advance(day);
    script = [[off], [off]];
    await cycle();
    clock.advance(day);
    script = [[good]];
    await cycle();
    const [incident] = await monitor.incidents.list();
    expect(incident?.state).toBe("resolved");
    clock.advance(day);
    script = [[off], [off]];
    const again = await cycle();
    expect(again.charlie.map((d) => d.step)).toEqual(["suspected", "reopened"]);
    const all = await monitor.incidents.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: incident?.id, state: "open", reopened: 1, resolvedAt: null });
    expect(notices.map((n) => n.event)).toEqual(["opened", "resolved", "reopened"]);
    // Past the window, a new incident.
    clock.advance(day);
    script = [[good]];
    await cycle();
    clock.advance(4 * day);
    script = [[off], [off]];
    await cycle();
    expect(await monitor.incidents.list()).toHaveLength(2);
  });
});

describe("could not check", () => {
  it("throttling is counted, never an incident, until it lasts beyond the threshold", async () => {
    await cycle();
    clock.advance(day);
    script = [[throttled]];
    const second = await cycle();
    expect(second.charlie.map((d) => [d.detection.severity, d.step])).toEqual([
      ["could_not_check", "counted"],
    ]);
    expect(audits).toBe(2); // no confirming audit for "could not check"
    expect(await monitor.incidents.list()).toEqual([]);
    clock.advance(day);
    await cycle();
    expect(await monitor.incidents.list()).toEqual([]);
    clock.advance(day);
    const lasting = await cycle();
    expect(lasting.charlie.map((d) => d.step)).toEqual(["lasting"]);
    const [incident] = await monitor.incidents.list();
    expect(incident).toMatchObject({ kind: "could_not_check", audience: "organisation", state: "open" });
    expect(incident?.firstObservedAt).toBe(new Date(t0 + day).toISOString());
    clock.advance(day);
    script = [[good]];
    await cycle();
    expect((await monitor.incidents.get(incident?.id ?? -1))?.state).toBe("resolved");
  });

  it("a suspicion whose confirming audit could not check stays pending; the next audit decides", async () => {
    await cycle();
    clock.advance(day);
    script = [[off], [throttled]];
    const second = await cycle();
    expect(second.charlie.map((d) => d.step)).toEqual(["suspected", "counted"]);
    expect(await monitor.incidents.pendingSuspicions()).toHaveLength(1);
    clock.advance(day);
    script = [[off]];
    const third = await cycle();
    expect(third.charlie.map((d) => d.step)).toEqual(["confirmed"]);
  });
});

describe("certificate expiry", () => {
  it("a certificate within 14 days of expiry: one warning over several cycles, another at 7 days", async () => {
    const expiring = lasting(good, new Date(t0 + 12 * day).toISOString(), "EE");
    script = [[expiring]];
    for (let i = 0; i < 4; i++) {
      await cycle();
      clock.advance(day);
    }
    expect(notices.map((n) => [n.event, n.thresholdDays, n.audience])).toEqual([
      ["warning", 14, "organisation"],
    ]);
    const [incident] = await monitor.incidents.list();
    expect(incident).toMatchObject({ kind: "certificate_expiring", severity: "warning", thresholds: [14] });
    for (let i = 0; i < 2; i++) {
      await cycle();
      clock.advance(day);
    }
    expect(notices.map((n) => n.thresholdDays)).toEqual([14, 7]);
    // Renewed: the warning is resolved by the audit that sees the new certificate.
    script = [[good]];
    await cycle();
    expect((await monitor.incidents.get(incident?.id ?? -1))?.state).toBe("resolved");
    expect(await monitor.incidents.list()).toHaveLength(1);
  });
});

describe("notices through the outbox", () => {
  it("by default each opening and resolution is one notice in the outbox (src/notify), told to every signatory", async () => {
    await monitor.stop(0);
    monitor = await monitorOn(store, clock, auditor, {
      confirmTimers: false,
      incidentLimits: { confirmPauseMs: pause },
      watchSleep: async (ms) => clock.advance(ms),
    });
    await cycle();
    clock.advance(day);
    script = [[off], [off]];
    await cycle();
    clock.advance(day);
    script = [[good]];
    await cycle();
    const rows = await store.db
      .selectFrom("notify_notices")
      .select(["kind", "dedup_key", "payload"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.kind)).toEqual(["incident-opened", "incident-resolved"]);
    const [opened, resolved] = rows.map((r) => JSON.parse(r.payload));
    expect(opened).toMatchObject({
      domain: "charlie.example",
      organisation: "Charlie",
      audiences: ["organisation", "agency", "signatories"],
      links: {
        incident: expect.stringMatching(/^\/incidents\/\d+$/),
        audit: expect.stringMatching(/^\/audits\/\d+$/),
      },
    });
    expect(opened.organisationId).toBeGreaterThan(0);
    expect(opened.summary.fr).toContain("STARTTLS n'est plus annoncé");
    expect(resolved.summary.en).toMatch(/^Restored on mx\.charlie\.example/);
    expect(new Set(rows.map((r) => r.dedup_key)).size).toBe(2);
  });

  it("an acknowledgement is one notice in the outbox per opening, without who acknowledged", async () => {
    await monitor.stop(0);
    monitor = await monitorOn(store, clock, auditor, {
      confirmTimers: false,
      incidentLimits: { confirmPauseMs: pause, flapWindowMs: 3 * day },
      watchSleep: async (ms) => clock.advance(ms),
    });
    await cycle();
    clock.advance(day);
    script = [[off], [off]];
    await cycle();
    const [incident] = await monitor.incidents.list({ state: "unresolved" });
    const id = incident?.id ?? -1;
    const at = new Date(clock.now()).toISOString();
    expect(await monitor.incidents.acknowledge(id, "ops@charlie.example", at)).toBe(true);
    expect(await monitor.incidents.acknowledge(id, "ops@charlie.example", at)).toBe(false);
    const acks = async () =>
      (
        await store.db
          .selectFrom("notify_notices")
          .select(["kind", "dedup_key", "payload"])
          .where("kind", "=", "incident-acknowledged")
          .orderBy("id")
          .execute()
      ).map((r) => ({ key: r.dedup_key, notice: JSON.parse(r.payload) }));
    const [ack, ...more] = await acks();
    expect(more).toEqual([]);
    expect(ack?.key).toBe(`incident:${id}:acknowledged:0`);
    expect(ack?.notice).toMatchObject({
      kind: "incident-acknowledged",
      incidentId: id,
      domain: "charlie.example",
      organisation: "Charlie",
      audiences: ["organisation", "agency", "signatories"],
      occurredAt: at,
      links: { incident: `/incidents/${id}` },
    });
    expect(ack?.notice.summary.fr).toMatch(/^Pris en compte, en cours de traitement : mx\.charlie\.example/);
    expect(ack?.notice.summary.en).toMatch(/^Acknowledged, being handled: mx\.charlie\.example/);
    // Every signatory is told: who acknowledged stays the organisation's (as on the pages).
    expect(JSON.stringify(ack?.notice)).not.toContain("ops@charlie.example");
    // Resolved, then back within the flapping window: reopened, acknowledged again, told again.
    clock.advance(day);
    script = [[good]];
    await cycle();
    clock.advance(day);
    script = [[off], [off]];
    await cycle();
    expect((await monitor.incidents.get(id))?.state).toBe("open");
    expect(await monitor.incidents.acknowledge(id, "ops@charlie.example", at)).toBe(true);
    expect((await acks()).map((a) => a.key)).toEqual([
      `incident:${id}:acknowledged:0`,
      `incident:${id}:acknowledged:1`,
    ]);
  });

  it("an acknowledgement whose notice cannot be queued is not recorded either (one transaction)", async () => {
    await monitor.stop(0);
    monitor = await monitorOn(store, clock, auditor, {
      confirmTimers: false,
      incidentLimits: { confirmPauseMs: pause },
      watchSleep: async (ms) => clock.advance(ms),
      notify: async (n) => {
        if (n.event === "acknowledged") throw new Error("the outbox is unavailable");
      },
    });
    await cycle();
    clock.advance(day);
    script = [[off], [off]];
    await cycle();
    const [incident] = await monitor.incidents.list({ state: "unresolved" });
    const id = incident?.id ?? -1;
    await expect(
      monitor.incidents.acknowledge(id, "ops@charlie.example", new Date(clock.now()).toISOString()),
    ).rejects.toThrow("the outbox is unavailable");
    expect(await monitor.incidents.get(id)).toMatchObject({ state: "open", acknowledgedBy: null });
    expect((await monitor.incidents.timeline(id)).map((e) => e.type)).not.toContain("acknowledged");
  });
});

describe("each audit once", () => {
  it("sweep processes an audit another process (a worker) stored without the hook", async () => {
    await cycle();
    clock.advance(day);
    const report = reportOf("charlie.example", {
      endpoints: [off],
      finishedAt: new Date(clock.now()).toISOString(),
    });
    await monitor.history.save(
      { jobKey: "worker:1", domain: "charlie.example", trigger: "on_demand", requestedBy: "worker" },
      report,
      {
        now: clock.now(),
      },
    );
    expect(await monitor.watch.sweep()).toBe(1);
    expect(monitor.watch.take().detections.map((d) => [d.detection.kind, d.step])).toEqual([
      ["starttls_missing", "suspected"],
    ]);
    expect(await monitor.watch.sweep()).toBe(0);
  });

  it("sweep finds nothing left after the hook, and a second monitor on the store processes nothing twice", async () => {
    await cycle();
    expect(await monitor.watch.sweep()).toBe(0);
    const other = await monitorOn(store, clock, auditor, { confirmTimers: false });
    expect(await other.watch.sweep()).toBe(0);
    await other.stop(0);
  });
});
