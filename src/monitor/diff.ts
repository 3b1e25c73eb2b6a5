/**
 * The difference between two audits of a domain (pure): measure by measure, the status changes;
 * endpoint by endpoint (host, address, port, service), the endpoints added and removed and, for those
 * in both, what changed in STARTTLS, TLS version, suite, versions offered and certificate.
 */
import type { AuditedEndpoint, AuditReport } from "../audit/audit.js";
import type { MeasureId, MeasureStatus } from "../audit/measures/measure.js";

export interface MeasureChange {
  readonly id: MeasureId;
  readonly charter: boolean;
  /** null: the measure was not in that audit (a newer engine added it). */
  readonly from: MeasureStatus | null;
  readonly to: MeasureStatus | null;
}

export type EndpointField =
  | "outcome"
  | "error"
  | "starttlsAdvertised"
  | "tlsVersion"
  | "cipherSuite"
  | "versions"
  | "certificateStatus"
  | "certificateNotAfter"
  | "certificateFingerprint";

export interface FieldChange {
  readonly field: EndpointField;
  readonly from: string | null;
  readonly to: string | null;
}

export interface EndpointKey {
  readonly host: string;
  readonly address: string | null;
  readonly port: number;
  readonly service: string;
}

export interface EndpointChange extends EndpointKey {
  readonly changes: readonly FieldChange[];
}

export interface AuditDiff {
  readonly domain: string;
  readonly from: { readonly finishedAt: string; readonly verdict: AuditReport["verdict"] };
  readonly to: { readonly finishedAt: string; readonly verdict: AuditReport["verdict"] };
  /** Only the measures whose status differs, in the order of the newer audit. */
  readonly measures: readonly MeasureChange[];
  readonly endpoints: {
    readonly added: readonly EndpointKey[];
    readonly removed: readonly EndpointKey[];
    readonly changed: readonly EndpointChange[];
  };
  /** True when nothing above differs. */
  readonly same: boolean;
}

export const endpointKey = (e: EndpointKey): string => `${e.host}|${e.address ?? "-"}|${e.port}|${e.service}`;

const keyOf = (e: AuditedEndpoint): EndpointKey => ({
  host: e.host,
  address: e.address,
  port: e.port,
  service: e.service,
});

/** The facts of an endpoint compared between audits, each as text or null. */
export function endpointFacts(e: AuditedEndpoint): Readonly<Record<EndpointField, string | null>> {
  const cert = e.tls?.certificate ?? null;
  return {
    outcome: e.outcome,
    error: e.error ? `${e.error.step}: ${e.error.reason}` : null,
    starttlsAdvertised: e.starttlsAdvertised === null ? null : String(e.starttlsAdvertised),
    tlsVersion: e.tls?.negotiated?.version ?? null,
    cipherSuite: e.tls?.negotiated?.cipherSuite ?? null,
    versions: e.tls?.versions ? [...e.tls.versions].join(",") : null,
    certificateStatus: cert?.status ?? null,
    certificateNotAfter: cert?.notAfter ?? null,
    certificateFingerprint: cert?.fingerprintSha256 ?? null,
  };
}

const fields: readonly EndpointField[] = [
  "outcome",
  "error",
  "starttlsAdvertised",
  "tlsVersion",
  "cipherSuite",
  "versions",
  "certificateStatus",
  "certificateNotAfter",
  "certificateFingerprint",
];

/** `a` is the older audit, `b` the newer one. */
export function diffAudits(a: AuditReport, b: AuditReport): AuditDiff {
  // Should a report name a measure twice, its first statement counts (as in the stored rows).
  const first = (list: AuditReport["measures"]) =>
    list.filter((m, i) => list.findIndex((n) => n.id === m.id) === i);
  const before = new Map(first(a.measures).map((m) => [m.id, m]));
  const after = new Map(first(b.measures).map((m) => [m.id, m]));
  const measures: MeasureChange[] = [];
  for (const m of first(b.measures)) {
    const old = before.get(m.id);
    if (old?.status !== m.status)
      measures.push({ id: m.id, charter: m.charter, from: old?.status ?? null, to: m.status });
  }
  for (const m of first(a.measures))
    if (!after.has(m.id)) measures.push({ id: m.id, charter: m.charter, from: m.status, to: null });

  const older = new Map(a.endpoints.map((e) => [endpointKey(e), e]));
  const newer = new Map(b.endpoints.map((e) => [endpointKey(e), e]));
  const added = b.endpoints.filter((e) => !older.has(endpointKey(e))).map(keyOf);
  const removed = a.endpoints.filter((e) => !newer.has(endpointKey(e))).map(keyOf);
  const changed: EndpointChange[] = [];
  for (const e of b.endpoints) {
    const old = older.get(endpointKey(e));
    if (!old) continue;
    const was = endpointFacts(old);
    const now = endpointFacts(e);
    const changes = fields
      .filter((f) => was[f] !== now[f])
      .map((f): FieldChange => ({ field: f, from: was[f], to: now[f] }));
    if (changes.length > 0) changed.push({ ...keyOf(e), changes });
  }
  return {
    domain: b.domain,
    from: { finishedAt: a.finishedAt, verdict: a.verdict },
    to: { finishedAt: b.finishedAt, verdict: b.verdict },
    measures,
    endpoints: { added, removed, changed },
    same:
      a.verdict === b.verdict &&
      measures.length === 0 &&
      added.length === 0 &&
      removed.length === 0 &&
      changed.length === 0,
  };
}
