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
  /** Changes for the worse detected after the audits: filled by the monitoring of incidents. */
  detections: z.array(z.looseObject({ kind: z.string() })),
  incidents: z.array(
    z.looseObject({
      id: z.union([z.number(), z.string()]),
      state: z.enum(["open", "acknowledged", "resolved"]),
      kind: z.string(),
      organization: z.string().nullable(),
      domain: z.string(),
    }),
  ),
});

export type MonitorReport = z.infer<typeof monitorReportSchema>;

export function monitorJsonSchema(): unknown {
  return z.toJSONSchema(monitorReportSchema, { target: "draft-2020-12" });
}

/** Builds the document from the cycle's outcome and its stored runs (pure). */
export function monitorReport(
  outcome: CycleOutcome,
  runs: readonly AuditRun[],
  durationMs: number,
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
    detections: [],
    incidents: [],
  };
}
