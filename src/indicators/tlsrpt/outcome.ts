/**
 * What reading a report gives: a normalised report with the deviations it needed (warnings), or a
 * refusal with a stable reason. Warnings and reasons are closed sets of codes; their text is for people.
 */
import type { TlsRptReport } from "./report-schema.js";

/** Each deviation from RFC 8460 §4 a real sender makes, handled by one named piece (tolerance.ts). */
export type WarningCode =
  | "byte-order-mark" // UTF-8 BOM before the JSON (RFC 8259 §8.1: MUST NOT add one)
  | "field-name-variant" // `organisation-name`, `organizationName`, `mx-host-pattern`, …
  | "field-missing" // a field RFC 8460 §4.4 requires is absent
  | "field-null" // a field is `null`
  | "empty-string" // a field is "" (kept as null)
  | "unknown-field" // a field RFC 8460 does not define (ignored)
  | "number-as-string" // "12" where RFC 8460 asks for an integer
  | "type-variant" // a number where a string is asked (report-id 123)
  | "case-variant" // `STS`, `Starttls-Not-Supported`
  | "policy-string-not-list" // one string where RFC 8460 §4.4 asks for a list of strings
  | "mx-host-not-list" // one string (the RFC's own example before errata 6241)
  | "date-without-zone" // `2024-09-09T00:00:00` (RFC 3339 §5.6 requires the offset)
  | "date-as-number" // epoch seconds or milliseconds
  | "date-range-shape" // a list, an interval string, or dates outside `date-range`
  | "date-range-reversed" // end before start
  | "policies-not-list" // one policy object where a list is asked
  | "no-policies" // an empty `policies` list
  | "totals-disagree" // failure-details do not add up to total-failure-session-count
  | "unknown-result-type" // not in the IANA registry (counted as validation-failure)
  | "mail-not-report" // a mail carrying a report that is not multipart/report; report-type=tlsrpt
  | "control-characters" // ESC, CR, LF… in a text field (replaced by U+FFFD: they would reach terminals)
  // The report mail's DKIM (RFC 8460 §3 requires a signature; mail-evidence.ts):
  | "dkim-none" // the mail is not signed
  | "dkim-fail" // no signature verified (each one's result and reason in the detail)
  | "dkim-weak" // a signature passed but l= leaves bytes unsigned, or its key is in testing mode
  | "dkim-unverified"; // verification could not conclude (DNS, no resolver): Authentication-Results used

export interface Warning {
  readonly code: WarningCode;
  /** Where in the document, as a JSON pointer-like path (`policies[0].summary`). */
  readonly path: string;
  readonly detail: string;
}

/** Why a report was refused: it could not be understood, or it broke a limit. */
export type RejectReason =
  | "empty"
  | "too_large" // the compressed body or the mail is over its cap
  | "inflated_too_large" // the report, once inflated, is over its cap
  | "ratio_exceeded" // inflates more than the ratio guard allows (a gzip bomb)
  | "bad_gzip"
  | "not_utf8"
  | "not_json"
  | "not_an_object"
  | "missing_organization"
  | "missing_report_id"
  | "missing_date_range"
  | "bad_date"
  | "missing_policies"
  | "bad_policy"
  | "unknown_policy_type"
  | "bad_count"
  | "bad_mail" // a mail that cannot be read
  | "no_report_in_mail" // a mail without a TLS-RPT part
  | "unsupported_media_type"
  | "unreadable" // a file that cannot be read
  | "internal"; // a bug in us (the normaliser made something its own schema refuses)

export type ParseOutcome =
  | { readonly kind: "report"; readonly report: TlsRptReport; readonly warnings: readonly Warning[] }
  | {
      readonly kind: "rejected";
      readonly reason: RejectReason;
      readonly detail: string;
      readonly warnings: readonly Warning[];
    };

/** Thrown inside the normaliser only, caught by parseReport: a refusal, never a crash. */
export class Refusal extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail);
    this.name = "Refusal";
  }
}
