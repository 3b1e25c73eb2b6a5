/**
 * The document `mailcharter monitor run-once --json` prints (mailcharter/monitor/1): the cycle, one
 * entry per audit with its verdict and measure statuses, what the cycle cost (endpoints probed once and
 * shared), and the detections and incidents. One zod schema is the source of the type, the validation in
 * tests and `schema/monitor.schema.json`.
 */
import { z } from "zod";
import type { AuditReport } from "../audit/audit.js";
import { endpointKey } from "./diff.js";
import type { AuditRun } from "./history-store.js";
import type { Incident } from "./incidents/incident.js";
import type { IndicatorOutcome } from "./incidents/indicator-watch.js";
import type { WatchedDetection } from "./incidents/watch.js";
import type { CycleOutcome } from "./scheduler.js";

export const monitorSchemaTag = "mailcharter/monitor/1";

const status = z.enum(["pass", "warn", "fail", "not_applicable", "error"]);

export const monitorAuditSchema = z.object({
  runId: z.number().int(),
  domain: z.string(),
  organisation: z.string().nullable(),
  trigger: z.enum(["schedule", "on_demand", "cli"]),
  status: z.enum(["queued", "running", "done", "failed"]),
  verdict: z.enum(["compliant", "non_compliant", "inconclusive"]).nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Every measure's status, by id (the full report is in the store and the API). */
  measures: z.record(z.string(), status),
  endpoints: z.number().int().min(0),
});

const kind = z.enum([
  "starttls_missing",
  "starttls_refused",
  "handshake_failed",
  "certificate_invalid",
  "certificate_expired",
  "version_regression",
  "suite_regression",
  "preference_regression",
  "territory_left",
  "dane_broken",
  "mta_sts_broken",
  "certificate_expiring",
  "could_not_check",
  "link_share_drop",
  "tlsrpt_new_failure_type",
]);

export const monitorDetectionSchema = z.object({
  kind,
  severity: z.enum(["interruption", "warning", "could_not_check"]),
  /** suspected: seen once, a confirming audit follows; confirmed: an incident opened; reopened: within
   * the flapping window; ongoing: its incident is still open; warned: a threshold told; counted: could
   * not check, counted; lasting: could not check for too long, an incident opened. */
  step: z.enum(["suspected", "confirmed", "reopened", "ongoing", "warned", "counted", "lasting"]),
  domain: z.string(),
  organization: z.string().nullable(),
  subject: z.string(),
  endpoint: z.string().nullable(),
  /** The audit that shows it, and the audit of the last good state it was compared with. */
  runId: z.number().int(),
  baselineRunId: z.number().int().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  thresholdDays: z.number().int().nullable(),
  partial: z.boolean(),
  incidentId: z.number().int().nullable(),
  message: z.string(),
});

export const monitorIncidentSchema = z.object({
  id: z.number().int(),
  state: z.enum(["open", "acknowledged", "resolved"]),
  kind,
  organization: z.string().nullable(),
  domain: z.string(),
  severity: z.enum(["interruption", "warning"]),
  audience: z.enum(["all", "organisation"]),
  subject: z.string(),
  endpoint: z.string().nullable(),
  /** What this cycle did to it (the last change). */
  change: z.enum(["opened", "reopened", "resolved", "threshold", "ongoing"]),
  firstObservedAt: z.string(),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  firstRunId: z.number().int(),
  confirmRunId: z.number().int(),
  resolveRunId: z.number().int().nullable(),
  lastGoodRunId: z.number().int().nullable(),
  timeToDetectMs: z.number().nullable(),
  timeToRestoreMs: z.number().nullable(),
  message: z.string(),
  /** audit: detected by audits; indicators: from the link figures or TLS-RPT reports (run ids are 0). */
  basis: z.enum(["audit", "indicators"]),
  /** Of a link incident: the other organisation of the link (told as well). */
  peerOrganization: z.string().nullable(),
});

/** A detection from the indicators (a link's verified share, a new TLS-RPT failure type). */
export const monitorIndicatorDetectionSchema = z.object({
  kind: z.enum(["link_share_drop", "tlsrpt_new_failure_type"]),
  severity: z.enum(["interruption", "warning"]),
  /** confirmed: an incident opened (the rule itself needs several days); reopened: within the flapping
   * window; ongoing: its incident is still open; warned: a new failure type told. */
  step: z.enum(["confirmed", "reopened", "ongoing", "warned"]),
  subject: z.string(),
  domain: z.string(),
  organization: z.string().nullable(),
  peerOrganization: z.string().nullable(),
  /** The latest day of figures it rests on, and the first day of the problem (YYYY-MM-DD). */
  day: z.string(),
  firstDay: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  incidentId: z.number().int().nullable(),
  message: z.string(),
  /** Baselines, thresholds and daily figures per source; or the reports (ids) showing the new type. */
  evidence: z.record(z.string(), z.unknown()),
});

export const monitorIndicatorsSchema = z.object({
  /** The UTC day evaluated. */
  day: z.string(),
  /** Links between signatories evaluated, by what their figures said. */
  links: z.object({
    evaluated: z.number().int().min(0),
    learning: z.number().int().min(0),
    quiet: z.number().int().min(0),
    steady: z.number().int().min(0),
    dropped: z.number().int().min(0),
  }),
  /** Signatory policy domains whose TLS-RPT reports were looked at. */
  domains: z.number().int().min(0),
  detections: z.array(monitorIndicatorDetectionSchema),
});

export type MonitorDetection = z.infer<typeof monitorDetectionSchema>;
export type MonitorIncident = z.infer<typeof monitorIncidentSchema>;

export const monitorReportSchema = z.object({
  schema: z.literal(monitorSchemaTag),
  cycle: z
    .object({
      id: z.number().int(),
      status: z.enum(["running", "done", "interrupted"]),
      resumed: z.boolean(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      planned: z.number().int().min(0),
    })
    .nullable(),
  /** ran, or held: another process holds the cycle lease and nothing was audited here. */
  outcome: z.enum(["ran", "held", "interrupted"]),
  heldBy: z.string().nullable(),
  audits: z.array(monitorAuditSchema),
  /** Due domains whose audit was already queued or running outside the cycle (on demand). */
  deferred: z.array(z.string()),
  stats: z.object({
    durationMs: z.number().min(0),
    /** Distinct endpoints (host, address, port, service) the cycle's audits reported. */
    uniqueEndpoints: z.number().int().min(0),
    /** Endpoints as the audits name them: more than unique when an MX serves several domains. */
    endpointReferences: z.number().int().min(0),
    /** TCP connections to the distinct endpoints (each probed once per cycle). */
    connections: z.number().int().min(0),
  }),
  /** What each audit showed against the last good state of each endpoint and record, and what it led to. */
  detections: z.array(monitorDetectionSchema),
  /** Incidents the cycle opened, reopened, resolved, warned of or saw again. */
  incidents: z.array(monitorIncidentSchema),
  /** Detection from the indicators in this cycle (null: not evaluated, e.g. the cycle was held). */
  indicators: monitorIndicatorsSchema.nullable(),
});

export type MonitorReport = z.infer<typeof monitorReportSchema>;

export function monitorJsonSchema(): unknown {
  return z.toJSONSchema(monitorReportSchema, { target: "draft-2020-12" });
}

/** What the watch saw during the cycle (src/monitor/incidents/watch.ts). */
export interface CycleWatch {
  readonly detections: readonly WatchedDetection[];
  /** Each incident touched, with its last change. */
  readonly incidents: readonly { readonly incident: Incident; readonly change: MonitorIncident["change"] }[];
}

export function detectionEntry(w: WatchedDetection): MonitorDetection {
  const d = w.detection;
  return {
    kind: d.kind,
    severity: d.severity,
    step: w.step,
    domain: d.domain,
    organization: w.organisation,
    subject: d.subject,
    endpoint: d.endpoint,
    runId: d.runId,
    baselineRunId: d.baselineRunId,
    from: d.from,
    to: d.to,
    thresholdDays: d.thresholdDays ?? null,
    partial: d.partial ?? false,
    incidentId: w.incidentId,
    message: d.message,
  };
}

export function incidentEntry(i: Incident, change: MonitorIncident["change"]): MonitorIncident {
  return {
    id: i.id,
    state: i.state,
    kind: i.kind,
    organization: i.organisation,
    domain: i.domain,
    severity: i.severity,
    audience: i.audience,
    subject: i.subject,
    endpoint: i.endpoint,
    change,
    firstObservedAt: i.firstObservedAt,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt,
    firstRunId: i.firstRunId,
    confirmRunId: i.confirmRunId,
    resolveRunId: i.resolveRunId,
    lastGoodRunId: i.lastGoodRunId,
    timeToDetectMs: i.timeToDetectMs,
    timeToRestoreMs: i.timeToRestoreMs,
    message: i.message,
    basis: i.basis,
    peerOrganization: i.peerOrganisation,
  };
}

export function indicatorsEntry(o: IndicatorOutcome): z.infer<typeof monitorIndicatorsSchema> {
  return {
    day: o.day,
    links: { ...o.links },
    domains: o.domains,
    detections: o.detections.map(({ detection: d, step, incidentId }) => ({
      kind: d.kind,
      severity: d.severity,
      step,
      subject: d.subject,
      domain: d.domain,
      organization: d.organisation,
      peerOrganization: d.peerOrganisation,
      day: d.day,
      firstDay: d.firstDay,
      from: d.from,
      to: d.to,
      incidentId,
      message: d.message,
      evidence: { ...d.evidence },
    })),
  };
}

/** Builds the document from the cycle's outcome, its stored runs and what the watch saw (pure). */
export function monitorReport(
  outcome: CycleOutcome,
  runs: readonly AuditRun[],
  durationMs: number,
  watch: CycleWatch = { detections: [], incidents: [] },
  indicators: IndicatorOutcome | null = null,
): MonitorReport {
  const reports = runs.map((r) => r.report).filter((r): r is AuditReport => r !== null);
  const unique = new Map<string, number>();
  let references = 0;
  for (const report of reports)
    for (const e of report.endpoints) {
      references++;
      unique.set(endpointKey(e), e.stats.connections);
    }
  return {
    schema: monitorSchemaTag,
    cycle: outcome.cycle
      ? {
          id: outcome.cycle.id,
          status: outcome.cycle.status,
          resumed: outcome.resumed,
          startedAt: outcome.cycle.startedAt,
          finishedAt: outcome.cycle.finishedAt,
          planned: outcome.cycle.planned,
        }
      : null,
    outcome: outcome.status,
    heldBy: outcome.heldBy ?? null,
    audits: runs.map((r) => ({
      runId: r.id,
      domain: r.domain,
      organisation: r.organisation,
      trigger: r.trigger,
      status: r.status,
      verdict: r.verdict,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      error: r.error,
      measures: Object.fromEntries([...(r.report?.measures ?? [])].reverse().map((m) => [m.id, m.status])),
      endpoints: r.report?.endpoints.length ?? 0,
    })),
    deferred: [...outcome.deferred],
    stats: {
      durationMs,
      uniqueEndpoints: unique.size,
      endpointReferences: references,
      connections: [...unique.values()].reduce((a, b) => a + b, 0),
    },
    detections: watch.detections.map(detectionEntry),
    incidents: watch.incidents.map((x) => incidentEntry(x.incident, x.change)),
    indicators: indicators ? indicatorsEntry(indicators) : null,
  };
}
