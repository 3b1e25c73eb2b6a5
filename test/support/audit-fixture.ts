/** Synthetic audit reports for the history, diff and scheduler tests (no network). */
import type { AuditedEndpoint, AuditReport } from "../../src/audit/audit.js";
import { type MeasureId, type MeasureStatus, verdictOf } from "../../src/audit/measures/measure.js";
import { charterMeasureIds } from "../../src/monitor/charter-measures.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import type { Store } from "../../src/store/database.js";
import { endpointOf, tlsOf } from "./reports.js";

export const goodMx = (host = "mx.alpha.example", address = "192.0.2.25"): AuditedEndpoint => ({
  ...endpointOf({
    host,
    address,
    tls: tlsOf({
      versions: ["TLSv1.2", "TLSv1.3"],
      suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"], "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
    }),
  }),
  foundBy: ["mx"],
});

/** A report whose charter measures pass except those named in `statuses`. */
export function reportOf(
  domain: string,
  options: {
    readonly statuses?: Partial<Record<MeasureId, MeasureStatus>>;
    readonly endpoints?: readonly AuditedEndpoint[];
    readonly finishedAt?: string;
  } = {},
): AuditReport {
  const measures = [...charterMeasureIds, "mx.dane" as const].map((id) => ({
    id,
    ref: id.startsWith("mx.") ? "§2" : "§1",
    charter: id !== "mx.dane",
    status: options.statuses?.[id] ?? (id === "mx.dane" ? "not_applicable" : "pass"),
    summary: { fr: `${id} : conforme`, en: `${id}: compliant` },
    evidence: [],
  }));
  const finishedAt = options.finishedAt ?? "2026-12-01T10:00:05.000Z";
  return {
    schema: "mailcharter/audit/1",
    domain,
    startedAt: new Date(Date.parse(finishedAt) - 5000).toISOString(),
    finishedAt,
    verdict: verdictOf(measures),
    measures,
    endpoints: options.endpoints ?? [goodMx()],
    discovery: { mx: { kind: "mx", hosts: [{ host: "mx.alpha.example", priority: 10 }] }, notes: [] },
    profiles: [],
  };
}

/**
 * The stored history the service tests read: two audits of x.example (the second failing
 * `mx.starttls`) and one of y.example, saved through the real history store.
 */
export async function saveXyHistory(store: Store): Promise<{ x1: number; x2: number; y1: number }> {
  const history = await AuditHistory.open(store);
  const save = async (domain: string, key: string, finishedAt: string, failing = false) =>
    (
      await history.save(
        { jobKey: key, domain, trigger: "cli", requestedBy: "tests" },
        reportOf(domain, { finishedAt, ...(failing ? { statuses: { "mx.starttls": "fail" } } : {}) }),
        { now: Date.parse(finishedAt) },
      )
    ).runId;
  return {
    x1: await save("x.example", "x1", "2026-11-30T10:00:00.000Z"),
    x2: await save("x.example", "x2", "2026-12-01T10:00:00.000Z", true),
    y1: await save("y.example", "y1", "2026-12-01T11:00:00.000Z"),
  };
}
