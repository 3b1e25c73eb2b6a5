/**
 * What one audit observed of each subject of a domain, reduced to the facts detection compares (pure):
 * an endpoint's STARTTLS, handshake, best version, broken suites accepted, the chosen suite's
 * properties and certificate; a domain-wide measure's status. An observation is `checked` (with the
 * state seen and, when TLS did not come up, why) or `unknown`: our side could not check (throttling,
 * a timeout, a DNS failure of ours), which is never read as "no TLS".
 */
import type { AuditedEndpoint, AuditReport } from "../../audit/audit.js";
import type { MeasureStatus } from "../../audit/measures/measure.js";
import { endpointKey } from "../diff.js";
import { bestVersion, isBrokenSuite, type SuiteChoice, suiteChoice } from "./suite-strength.js";

export interface EndpointState {
  readonly type: "endpoint";
  readonly host: string;
  readonly address: string | null;
  readonly port: number;
  readonly service: string;
  /** STARTTLS advertised (null: implicit TLS, or not reached). */
  readonly starttls: boolean | null;
  /** From a complete enumeration of versions, else the full handshake's version. */
  readonly bestVersion: string | null;
  /** Only from a complete enumeration (null: not known this time). */
  readonly versions: readonly string[] | null;
  readonly brokenSuites: readonly string[] | null;
  readonly suite: string | null;
  readonly choice: SuiteChoice | null;
  readonly certificate: {
    readonly status: string;
    readonly notAfter: string;
    readonly fingerprint: string;
  } | null;
}

export interface MeasureState {
  readonly type: "measure";
  readonly id: string;
  readonly status: MeasureStatus;
}

export type SubjectState = EndpointState | MeasureState;

export type TlsFailure = "starttls_missing" | "starttls_refused" | "handshake_failed";

export type Observation =
  | {
      readonly check: "checked";
      readonly subject: string;
      readonly state: SubjectState;
      /** Why TLS did not come up on an endpoint (null: it did). */
      readonly failure: TlsFailure | null;
      readonly failureText: string | null;
      /** Part of the endpoint could not be checked (the enumeration stopped): its reason. */
      readonly partial: string | null;
    }
  | { readonly check: "unknown"; readonly subject: string; readonly reason: string };

export const endpointSubject = (e: Pick<AuditedEndpoint, "host" | "address" | "port" | "service">) =>
  `endpoint:${endpointKey(e)}`;

export const endpointLabel = (e: Pick<EndpointState, "host" | "address" | "port">) =>
  `${e.host}${e.address ? ` [${e.address}]` : ""}:${e.port}`;

/** Reasons that say nothing of TLS: the server asked us to wait, or our step ran out of time. */
const notAboutTls = new Set(["throttled", "timeout", "not_allowed"]);

/** One endpoint of an audit (pure). */
export function observeEndpoint(e: AuditedEndpoint): Observation {
  const subject = endpointSubject(e);
  const error = e.error;
  // DNS, connect and greeting failures: the endpoint could not be reached or would not talk to us —
  // an availability matter (or ours), never a TLS interruption.
  if (error && (error.step === "dns" || error.step === "connect" || error.step === "greeting"))
    return { check: "unknown", subject, reason: `${error.step}: ${error.reason}` };
  if (error && notAboutTls.has(error.reason) && error.step !== "post-tls")
    return { check: "unknown", subject, reason: `${error.step}: ${error.reason}` };
  const base = {
    type: "endpoint" as const,
    host: e.host,
    address: e.address,
    port: e.port,
    service: e.service,
    starttls: e.tlsMode === "starttls" ? e.starttlsAdvertised : null,
  };
  const empty = {
    bestVersion: null,
    versions: null,
    brokenSuites: null,
    suite: null,
    choice: null,
    certificate: null,
  };
  // RFC 3207 §4: STARTTLS must be in the EHLO reply; 454 means "TLS not available".
  if (e.tlsMode === "starttls" && e.starttlsAdvertised === false)
    return failed(
      subject,
      { ...base, ...empty },
      "starttls_missing",
      error?.message ?? "STARTTLS not advertised",
    );
  if (error?.step === "starttls")
    return failed(
      subject,
      { ...base, ...empty },
      error.reason === "not_offered" ? "starttls_missing" : "starttls_refused",
      `${error.reason}: ${error.message}`,
    );
  if (error?.step === "handshake")
    return failed(subject, { ...base, ...empty }, "handshake_failed", `${error.reason}: ${error.message}`);
  const tls = e.tls;
  if (e.tlsMode === "none" || !tls)
    return { check: "unknown", subject, reason: "no TLS attempted on this endpoint" };
  const enumeration = tls.enumeration;
  const complete = enumeration ? enumeration.complete && tls.versions !== undefined : false;
  const versions = complete && tls.versions ? [...tls.versions].sort() : null;
  const suites = complete && tls.cipherSuites ? Object.values(tls.cipherSuites).flat() : null;
  const negotiated = tls.negotiated;
  const cert = tls.certificate;
  const state: EndpointState = {
    ...base,
    bestVersion: versions ? bestVersion(versions) : (negotiated?.version ?? null),
    versions,
    brokenSuites: suites
      ? [...new Set(suites.filter((s) => s !== undefined && isBrokenSuite(s)))].sort()
      : null,
    suite: negotiated?.cipherSuite ?? null,
    choice: negotiated ? suiteChoice(negotiated.cipherSuite) : null,
    certificate: cert
      ? { status: cert.status, notAfter: cert.notAfter, fingerprint: cert.fingerprintSha256 }
      : null,
  };
  const partial =
    enumeration && !enumeration.complete
      ? `enumeration: ${enumeration.incompleteReason ?? (enumeration.throttled ? "throttled" : "incomplete")}`
      : null;
  return { check: "checked", subject, state, failure: null, failureText: null, partial };
}

function failed(subject: string, state: EndpointState, failure: TlsFailure, text: string): Observation {
  return { check: "checked", subject, state, failure, failureText: text, partial: null };
}

/** Domain-wide records whose breaking is an interruption (their measure going from pass to worse). */
export const watchedMeasures = ["mx.territory", "mx.dane", "mx.mta-sts"] as const;
export type WatchedMeasure = (typeof watchedMeasures)[number];

/** The watched measures of an audit (pure): `error` is "could not check". */
export function observeMeasures(report: AuditReport): Observation[] {
  const out: Observation[] = [];
  for (const id of watchedMeasures) {
    const m = report.measures.find((x) => x.id === id);
    if (!m) continue;
    const subject = `measure:${id}`;
    if (m.status === "error") {
      const why = m.evidence.find((e) => e.status === "error")?.observed ?? "the measure could not be taken";
      out.push({ check: "unknown", subject, reason: `${id}: ${why}` });
    } else
      out.push({
        check: "checked",
        subject,
        state: { type: "measure", id, status: m.status },
        failure: null,
        failureText: null,
        partial: null,
      });
  }
  return out;
}

/** Every subject an audit observed, endpoints first (one per endpoint key). */
export function observeAudit(report: AuditReport): Observation[] {
  const seen = new Set<string>();
  const out: Observation[] = [];
  for (const e of report.endpoints) {
    const o = observeEndpoint(e);
    if (seen.has(o.subject)) continue;
    seen.add(o.subject);
    out.push(o);
  }
  return [...out, ...observeMeasures(report)];
}
