/**
 * The grid of an audit: one row per endpoint the evidence speaks of, one column per measure, each
 * cell the worst status of that endpoint's evidence for that measure. Evidence about DNS names of
 * the domain (`_dmarc.…`, `_mta-sts.…`, the mta-sts. and autoconfig. hosts) goes to the domain's row; `_25._tcp.<mx>` to that MX's rows;
 * a URL or `host:port` to the endpoint it names. Pure.
 */
import type { AuditReport } from "../audit.js";
import { endpointLabel } from "../findings/endpoint-label.js";
import type { Evidence } from "../findings/evidence.js";
import { type MeasureStatus, worst } from "../findings/status.js";
import type { MeasureId, MeasureResult } from "../measures/measure.js";

export interface GridCell {
  readonly status: MeasureStatus;
  readonly evidence: readonly Evidence[];
}

export interface GridRow {
  readonly label: string;
  readonly kind: "endpoint" | "web" | "domain";
  readonly cells: ReadonlyMap<MeasureId, GridCell>;
}

export interface Grid {
  readonly columns: readonly MeasureResult[];
  readonly rows: readonly GridRow[];
}

interface Probed {
  readonly label: string;
  readonly host: string;
  readonly port: number;
}

/** The row keys a piece of evidence belongs to. */
function rowsOf(
  e: Evidence,
  domain: string,
  probed: readonly Probed[],
): { label: string; kind: GridRow["kind"] }[] {
  const where = e.endpoint ?? domain;
  if (probed.some((p) => p.label === where)) return [{ label: where, kind: "endpoint" }];
  const tlsa = /^_25\._tcp\.(.+)$/.exec(where);
  if (tlsa) {
    const mx = probed.filter((p) => p.host === tlsa[1] && p.port === 25);
    if (mx.length > 0) return mx.map((p) => ({ label: p.label, kind: "endpoint" as const }));
  }
  if (where === domain || where.startsWith("_")) return [{ label: domain, kind: "domain" }];
  let host = where;
  let port: number | null = null;
  if (/^https?:\/\//.test(where)) {
    try {
      host = new URL(where).hostname;
    } catch {
      /* not a URL after all: keep it whole */
    }
  } else {
    const hostPort = /^(.+):(\d+)$/.exec(where);
    if (hostPort) {
      host = hostPort[1] ?? where;
      port = Number(hostPort[2]);
    }
  }
  // The domain's own policy hosts (RFC 8461 §3.3, Thunderbird autoconfig) speak for the domain.
  if (host === `mta-sts.${domain}` || host === `autoconfig.${domain}`)
    return [{ label: domain, kind: "domain" }];
  const named = probed.filter((p) => p.host === host && (port === null || p.port === port));
  if (port !== null && named.length > 0)
    return named.map((p) => ({ label: p.label, kind: "endpoint" as const }));
  return [{ label: host, kind: "web" }];
}

export function auditGrid(report: Pick<AuditReport, "domain" | "measures" | "endpoints">): Grid {
  const probed: Probed[] = report.endpoints.map((e) => ({
    label: endpointLabel(e),
    host: e.host,
    port: e.port,
  }));
  const rows = new Map<string, { kind: GridRow["kind"]; cells: Map<MeasureId, Evidence[]> }>();
  // Probed endpoints first, in probe order; other rows as they come; the domain last.
  for (const p of probed) rows.set(p.label, { kind: "endpoint", cells: new Map() });
  for (const m of report.measures) {
    for (const e of m.evidence) {
      for (const { label, kind } of rowsOf(e, report.domain, probed)) {
        const row = rows.get(label) ?? { kind, cells: new Map() };
        rows.set(label, row);
        row.cells.set(m.id, [...(row.cells.get(m.id) ?? []), e]);
      }
    }
  }
  const ordered = [...rows.entries()]
    .filter(([, row]) => row.cells.size > 0)
    .sort(([, a], [, b]) => Number(a.kind === "domain") - Number(b.kind === "domain"));
  return {
    columns: report.measures,
    rows: ordered.map(([label, row]) => ({
      label,
      kind: row.kind,
      cells: new Map(
        [...row.cells.entries()].map(([id, evidence]) => [
          id,
          { status: worst(evidence.map((e) => e.status)), evidence },
        ]),
      ),
    })),
  };
}

/** How many measures have each status (the counts the report opens with). */
export function statusCounts(
  measures: readonly Pick<MeasureResult, "status">[],
): Record<MeasureStatus, number> {
  const counts: Record<MeasureStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, not_applicable: 0 };
  for (const m of measures) counts[m.status]++;
  return counts;
}
