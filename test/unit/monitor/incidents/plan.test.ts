/** The plan of one audit (pure): what each detection leads to, and what the absence of one resolves. */
import { describe, expect, it } from "vitest";
import type { DetectionResult } from "../../../../src/monitor/detection/detect.js";
import type { Detection } from "../../../../src/monitor/detection/detection.js";
import type { Incident, Suspicion } from "../../../../src/monitor/incidents/incident.js";
import { type PlanInput, planAudit } from "../../../../src/monitor/incidents/plan.js";

const at = "2026-12-02T10:00:00.000Z";
const subject = "endpoint:mx.a.example|192.0.2.1|25|smtp";
const limits = { confirmPauseMs: 60_000, couldNotCheckIncidentMs: 86_400_000, flapWindowMs: 86_400_000 };

const detection = (over: Partial<Detection> = {}): Detection => ({
  kind: "starttls_missing",
  severity: "interruption",
  domain: "a.example",
  subject,
  endpoint: "mx.a.example [192.0.2.1]:25",
  mx: true,
  runId: 7,
  at,
  baselineRunId: 3,
  baselineAt: "2026-12-01T10:00:00.000Z",
  from: "TLS",
  to: "not_offered",
  message: "m",
  ...over,
});

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 1,
  domain: "a.example",
  organisation: "A",
  subject,
  kind: "starttls_missing",
  severity: "interruption",
  state: "open",
  audience: "all",
  endpoint: null,
  from: null,
  to: null,
  message: "m",
  lastGoodAt: null,
  lastGoodRunId: null,
  firstObservedAt: at,
  firstRunId: 5,
  openedAt: at,
  confirmRunId: 6,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolveRunId: null,
  lastSeenAt: at,
  reopened: 0,
  timeToDetectMs: null,
  timeToRestoreMs: null,
  thresholds: [],
  basis: "audit",
  peerOrganisation: null,
  evidence: null,
  ...over,
});

const result = (over: Partial<DetectionResult> = {}): DetectionResult => ({
  detections: [],
  good: [],
  checked: [],
  unknown: [],
  fingerprints: [],
  discoveryFailed: false,
  ...over,
});

const plan = (over: Partial<PlanInput>) =>
  planAudit({
    domain: "a.example",
    organisation: "A",
    runId: 7,
    at,
    result: result(),
    incidents: [],
    pending: [],
    counters: [],
    baselines: [],
    limits,
    ...over,
  });
const types = (p: ReturnType<typeof planAudit>) => p.actions.map((a) => a.type);

describe("the plan of an audit", () => {
  it("a first interruption is suspected, with its confirmation after the pause", () => {
    const p = plan({ result: result({ detections: [detection()] }) });
    expect(p.actions).toEqual([
      { type: "suspect", detection: detection(), confirmAt: "2026-12-02T10:01:00.000Z" },
    ]);
    expect(p.steps.map((s) => s.step)).toEqual(["suspected"]);
  });

  it("the audit that raised a suspicion does not confirm it (processing it twice stays suspected)", () => {
    const pending: Suspicion = {
      id: 9,
      domain: "a.example",
      subject,
      kind: "starttls_missing",
      runId: 7,
      observedAt: at,
      confirmAt: at,
      status: "pending",
      confirmRunId: null,
    };
    const p = plan({ result: result({ detections: [detection()] }), pending: [pending] });
    expect(types(p)).toEqual([]);
    expect(p.steps.map((s) => s.step)).toEqual(["suspected"]);
    const later = plan({ result: result({ detections: [detection({ runId: 8 })] }), pending: [pending] });
    expect(types(later)).toEqual(["open"]);
  });

  it("an endpoint the domain no longer uses resolves its incident; hidden by our DNS failing, it does not", () => {
    expect(types(plan({ incidents: [incident()] }))).toEqual(["resolve"]);
    expect(types(plan({ incidents: [incident()], result: result({ discoveryFailed: true }) }))).toEqual([]);
    expect(
      types(
        plan({
          incidents: [incident()],
          result: result({ unknown: [{ subject, reason: "greeting: throttled" }] }),
        }),
      ),
    ).toEqual([]);
  });

  it("a partial check is shown, never counted toward a lasting 'could not check'", () => {
    const partial = detection({
      kind: "could_not_check",
      severity: "could_not_check",
      partial: true,
      to: "enumeration: throttled",
    });
    const p = plan({ result: result({ detections: [partial], checked: [subject] }) });
    expect(types(p)).toEqual([]);
    expect(p.steps.map((s) => s.step)).toEqual(["counted"]);
  });

  it("flapping: a resolved incident within the window is reopened; after it, a new one opens", () => {
    const pending: Suspicion = {
      id: 9,
      domain: "a.example",
      subject,
      kind: "starttls_missing",
      runId: 6,
      observedAt: at,
      confirmAt: at,
      status: "pending",
      confirmRunId: 7,
    };
    const resolved = (resolvedAt: string) => incident({ state: "resolved", resolvedAt });
    const within = plan({
      result: result({ detections: [detection()] }),
      pending: [pending],
      incidents: [resolved("2026-12-01T12:00:00.000Z")],
    });
    expect(types(within)).toEqual(["reopen"]);
    const after = plan({
      result: result({ detections: [detection()] }),
      pending: [pending],
      incidents: [resolved("2026-11-30T12:00:00.000Z")],
    });
    expect(types(after)).toEqual(["open"]);
  });

  it("a warning already told at this threshold says nothing more; a lower threshold is told", () => {
    const warn = (days: number) =>
      detection({
        kind: "certificate_expiring",
        severity: "warning",
        subject: "certificate:AB",
        thresholdDays: days,
      });
    const open = incident({
      kind: "certificate_expiring",
      severity: "warning",
      subject: "certificate:AB",
      thresholds: [14],
    });
    expect(types(plan({ result: result({ detections: [warn(14)] }), incidents: [open] }))).toEqual([]);
    expect(types(plan({ result: result({ detections: [warn(7)] }), incidents: [open] }))).toEqual([
      "threshold",
    ]);
    // Renewed: an endpoint checked, the certificate no longer served.
    expect(
      types(plan({ result: result({ checked: [subject], fingerprints: ["CD"] }), incidents: [open] })),
    ).toEqual(["resolve"]);
    expect(
      types(plan({ result: result({ checked: [subject], fingerprints: ["AB"] }), incidents: [open] })),
    ).toEqual([]);
  });
});
