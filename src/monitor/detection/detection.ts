/**
 * Detections: what one audit shows against the last good state of each endpoint and domain-wide
 * record of a domain. Outcomes as data, with evidence pointing at the audits: the audit that saw the
 * good state (`baselineRunId`) and the audit that sees the change (`runId`).
 *
 * Three severities:
 * - `interruption`: a change for the worse on a subject that was good (annex §2.1). It becomes an
 *   incident only once a second probe confirms it (src/monitor/incidents/).
 * - `warning`: a certificate entering its last 30, 14 or 7 days (once per threshold).
 * - `could_not_check`: throttling, a timeout, our own DNS failing — shown and counted, never an
 *   interruption (only an incident of its own when it lasts).
 */

export type InterruptionKind =
  /** RFC 3207 §4: the EHLO reply no longer lists STARTTLS. */
  | "starttls_missing"
  /** RFC 3207 §4: STARTTLS answered 454 (after the engine's retry) or refused. */
  | "starttls_refused"
  /** The TLS handshake fails (an alert, a reset, bytes that are not TLS). */
  | "handshake_failed"
  /** The certificate no longer validates (untrusted, self-signed, wrong host, chain incomplete). */
  | "certificate_invalid"
  | "certificate_expired"
  /** A weaker best version than before (Charte annexe §2.2: TLS 1.2 at least). */
  | "version_regression"
  /** A broken suite (export, anonymous, NULL, RC4, DES, RC2, MD5) now accepted. */
  | "suite_regression"
  /** AES, ECDHE or SHA-2 no longer chosen first (Charte annexe §2.2). */
  | "preference_regression"
  /** An MX leaves the territory (Charte annexe §2.3). */
  | "territory_left"
  /** RFC 7672: DANE for SMTP no longer verifies (or the TLSA records are gone). */
  | "dane_broken"
  /** RFC 8461: the MTA-STS record or policy no longer holds. */
  | "mta_sts_broken";

export type WarningKind = "certificate_expiring";

/** Could not check for this long → an incident of its own (see limits). */
export type LastingKind = "could_not_check";

/** Detected from the indicators, not from an audit (src/monitor/detection/link-share.ts, tlsrpt-new-type.ts). */
export type IndicatorKind =
  /** A link's verified-TLS share significantly below its baseline on consecutive days. */
  | "link_share_drop"
  /** An RFC 8460 §4.3 result type reported for a policy domain that was not reported before. */
  | "tlsrpt_new_failure_type";

export type DetectionKind = InterruptionKind | WarningKind | LastingKind | IndicatorKind;

export type Severity = "interruption" | "warning" | "could_not_check";

export interface Detection {
  readonly kind: DetectionKind;
  readonly severity: Severity;
  readonly domain: string;
  /** `endpoint:HOST|ADDRESS|PORT|SERVICE`, `measure:ID` or `certificate:SHA256`. */
  readonly subject: string;
  /** "host [address]:port" when the subject is an endpoint. */
  readonly endpoint: string | null;
  /** The SMTP service between MTAs (its interruptions are told to every signatory, Charte art. 4.6). */
  readonly mx: boolean;
  /** The audit that shows it. */
  readonly runId: number;
  readonly at: string;
  /** The audit of the last good state compared against (null: nothing compared, e.g. an expiry date). */
  readonly baselineRunId: number | null;
  readonly baselineAt: string | null;
  /** What was, what is (versions, suites, statuses, reasons), as text. */
  readonly from: string | null;
  readonly to: string | null;
  /** For `certificate_expiring`: the threshold crossed (30, 14 or 7 days). */
  readonly thresholdDays?: number;
  /** For `could_not_check`: only part of the endpoint could not be checked (the rest was). */
  readonly partial?: boolean;
  /** One English sentence. */
  readonly message: string;
}
