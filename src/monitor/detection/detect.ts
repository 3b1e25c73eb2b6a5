/**
 * Detection (pure): `(last good states, new audit) → detections and the new last good states`.
 *
 * A subject without a good state yet is only learnt: a domain that was never compliant is not
 * interrupted, it is non-compliant (the audit says so). A subject observed good, or no worse than its
 * last good state, becomes the new last good state; a subject observed worse keeps the old one, so the
 * audit that sees it back to good is compared with what it was before the interruption.
 */
import type { AuditReport } from "../../audit/audit.js";
import type { Detection, InterruptionKind } from "./detection.js";
import { expiryThreshold } from "./expiry.js";
import {
  type EndpointState,
  endpointLabel,
  type MeasureState,
  type Observation,
  observeAudit,
  type SubjectState,
  type WatchedMeasure,
} from "./subject-state.js";
import { rankOfVersion } from "./suite-strength.js";

export interface Baseline {
  readonly subject: string;
  readonly runId: number;
  readonly at: string;
  readonly state: SubjectState;
}

export interface AuditUnderTest {
  readonly runId: number;
  readonly report: AuditReport;
}

export interface DetectionResult {
  readonly detections: readonly Detection[];
  /** Subjects whose last good state is now this audit's observation. */
  readonly good: readonly Baseline[];
  /** Subjects this audit checked (a detection absent on them means it is no longer there). */
  readonly checked: readonly string[];
  /** Subjects this audit could not check, with the reason. */
  readonly unknown: readonly { readonly subject: string; readonly reason: string }[];
  /** Certificates (SHA-256) served on the endpoints whose TLS came up. */
  readonly fingerprints: readonly string[];
  /** The audit's discovery had failures: a subject missing from it may only be hidden. */
  readonly discoveryFailed: boolean;
}

const measureKinds: Readonly<Record<WatchedMeasure, InterruptionKind>> = {
  "mx.territory": "territory_left",
  "mx.dane": "dane_broken",
  "mx.mta-sts": "mta_sts_broken",
};

const statusRank = { pass: 0, not_applicable: 1, warn: 2, fail: 3, error: 4 } as const;

export function detect(baselines: readonly Baseline[], audit: AuditUnderTest): DetectionResult {
  const { report, runId } = audit;
  const at = report.finishedAt;
  const bySubject = new Map(baselines.map((b) => [b.subject, b]));
  const detections: Detection[] = [];
  const good: Baseline[] = [];
  const checked: string[] = [];
  const unknown: { subject: string; reason: string }[] = [];
  const warned = new Set<string>();
  const fingerprints = new Set<string>();
  for (const o of observeAudit(report)) {
    const base = bySubject.get(o.subject);
    const common = {
      domain: report.domain,
      subject: o.subject,
      runId,
      at,
      baselineRunId: base?.runId ?? null,
      baselineAt: base?.at ?? null,
    };
    if (o.check === "unknown") {
      unknown.push({ subject: o.subject, reason: o.reason });
      // Nothing was lost where nothing was ever seen good (a conventional port nobody serves).
      if (!base) continue;
      detections.push({
        ...common,
        kind: "could_not_check",
        severity: "could_not_check",
        endpoint: endpointOf(base?.state, o.subject),
        mx: isMx(base?.state, o.subject),
        from: null,
        to: o.reason,
        message: `could not check ${endpointOf(base?.state, o.subject) ?? o.subject}: ${o.reason}`,
      });
      continue;
    }
    checked.push(o.subject);
    const found = o.state.type === "endpoint" ? compareEndpoint(base, o) : compareMeasure(base, o.state);
    for (const f of found)
      detections.push({
        ...common,
        kind: f.kind,
        severity: "interruption",
        endpoint: endpointOf(o.state, o.subject),
        mx: isMx(o.state, o.subject),
        from: f.from,
        to: f.to,
        message: f.message,
      });
    // Partly checked: said when there is a good state it could not be fully compared with.
    if (o.state.type === "endpoint" && o.partial && base)
      detections.push({
        ...common,
        kind: "could_not_check",
        severity: "could_not_check",
        endpoint: endpointLabel(o.state),
        mx: o.state.service === "smtp",
        from: null,
        to: o.partial,
        partial: true,
        message: `${endpointLabel(o.state)}: partly checked (${o.partial}); versions and suites not compared`,
      });
    const isGood =
      found.length === 0 && (o.state.type === "measure" ? o.state.status === "pass" : o.failure === null);
    if (isGood) good.push({ subject: o.subject, runId, at, state: merge(base?.state, o.state) });
    // Certificate expiry: from the dates alone, once per certificate of the domain.
    if (o.state.type === "endpoint" && o.state.certificate) fingerprints.add(o.state.certificate.fingerprint);
    if (o.state.type === "endpoint" && o.failure === null && o.state.certificate?.status === "valid") {
      const cert = o.state.certificate;
      const threshold = expiryThreshold(cert.notAfter, at);
      if (threshold && !warned.has(cert.fingerprint)) {
        warned.add(cert.fingerprint);
        detections.push({
          ...common,
          subject: `certificate:${cert.fingerprint}`,
          baselineRunId: null,
          baselineAt: null,
          kind: "certificate_expiring",
          severity: "warning",
          endpoint: endpointLabel(o.state),
          mx: o.state.service === "smtp",
          from: null,
          to: cert.notAfter,
          thresholdDays: threshold.days,
          message: `${endpointLabel(o.state)}: the certificate expires on ${cert.notAfter} (in ${threshold.daysLeft} day(s), under ${threshold.days})`,
        });
      }
    }
  }
  return {
    detections,
    good,
    checked,
    unknown,
    fingerprints: [...fingerprints],
    discoveryFailed: (report.discovery.failures?.length ?? 0) > 0,
  };
}

interface Found {
  readonly kind: InterruptionKind;
  readonly from: string | null;
  readonly to: string | null;
  readonly message: string;
}

function compareEndpoint(base: Baseline | undefined, o: Observation & { check: "checked" }): Found[] {
  const now = o.state as EndpointState;
  const was = base?.state.type === "endpoint" ? base.state : undefined;
  if (!was) return [];
  const where = endpointLabel(now);
  if (o.failure) {
    const words = {
      starttls_missing: "STARTTLS is no longer advertised",
      starttls_refused: "STARTTLS is refused",
      handshake_failed: "the TLS handshake fails",
    } as const;
    return [
      {
        kind: o.failure,
        from: was.bestVersion ? `TLS (${was.bestVersion})` : "TLS",
        to: o.failureText,
        message: `${where}: ${words[o.failure]} (${o.failureText ?? ""})`,
      },
    ];
  }
  const found: Found[] = [];
  const before = was.certificate;
  const after = now.certificate;
  if (before?.status === "valid" && after && after.status !== "valid")
    found.push({
      kind: after.status === "expired" ? "certificate_expired" : "certificate_invalid",
      from: before.status,
      to: after.status,
      message: `${where}: the certificate is ${after.status.replace("_", " ")} (it was valid)`,
    });
  // Compare versions only between two complete enumerations, or two full handshakes.
  const comparable = (was.versions === null) === (now.versions === null);
  if (
    comparable &&
    rankOfVersion(now.bestVersion) >= 0 &&
    rankOfVersion(now.bestVersion) < rankOfVersion(was.bestVersion)
  )
    found.push({
      kind: "version_regression",
      from: was.bestVersion,
      to: now.bestVersion,
      message: `${where}: best TLS version ${now.bestVersion} (it was ${was.bestVersion})`,
    });
  if (was.brokenSuites && now.brokenSuites) {
    const added = now.brokenSuites.filter((s) => !was.brokenSuites?.includes(s));
    if (added.length > 0)
      found.push({
        kind: "suite_regression",
        from: was.brokenSuites.join(",") || "none",
        to: added.join(","),
        message: `${where}: broken suite(s) now accepted: ${added.join(", ")}`,
      });
  }
  if (was.choice && now.choice) {
    const lost = (["aes", "ecdhe", "sha2"] as const).filter((p) => was.choice?.[p] && !now.choice?.[p]);
    if (lost.length > 0)
      found.push({
        kind: "preference_regression",
        from: was.suite,
        to: now.suite,
        message: `${where}: ${lost.map((p) => ({ aes: "AES", ecdhe: "ECDHE", sha2: "SHA-2" })[p]).join(", ")} no longer chosen first (${was.suite} → ${now.suite})`,
      });
  }
  return found;
}

function compareMeasure(base: Baseline | undefined, now: MeasureState): Found[] {
  if (base?.state.type !== "measure" || base.state.status !== "pass") return [];
  const id = now.id as WatchedMeasure;
  // An MX outside the territory is a fail; a DANE or MTA-STS record that warns, fails or is gone breaks.
  const worse =
    id === "mx.territory"
      ? now.status === "fail"
      : statusRank[now.status] > statusRank.pass && now.status !== "error";
  if (!worse) return [];
  return [
    {
      kind: measureKinds[id],
      from: base.state.status,
      to: now.status,
      message: `${id}: ${now.status} (it was pass)`,
    },
  ];
}

/** The new good state: an observation that could not enumerate keeps the last enumeration's facts. */
function merge(was: SubjectState | undefined, now: SubjectState): SubjectState {
  if (now.type !== "endpoint" || was?.type !== "endpoint" || now.versions !== null) return now;
  return {
    ...now,
    versions: was.versions,
    brokenSuites: was.brokenSuites,
    bestVersion: was.versions ? was.bestVersion : now.bestVersion,
  };
}

function endpointOf(state: SubjectState | undefined, subject: string): string | null {
  if (state?.type === "endpoint") return endpointLabel(state);
  if (!subject.startsWith("endpoint:")) return null;
  const [host, address, port] = subject.slice("endpoint:".length).split("|");
  return `${host}${address && address !== "-" ? ` [${address}]` : ""}:${port}`;
}

function isMx(state: SubjectState | undefined, subject: string): boolean {
  if (state?.type === "endpoint") return state.service === "smtp";
  if (subject.startsWith("measure:")) return true;
  return subject.endsWith("|smtp");
}
