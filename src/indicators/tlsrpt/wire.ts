/**
 * SMTP TLS Reporting (RFC 8460) wire values, spelled as in the RFC: the policy types of §4.4 and the
 * result types of §4.3 (the IANA "STARTTLS Validation Result Types" registry).
 */

/** RFC 8460 §4.4 `policy-type`. */
export const policyTypes = ["tlsa", "sts", "no-policy-found"] as const;
export type PolicyType = (typeof policyTypes)[number];

/** RFC 8460 §4.3: negotiation failures, policy failures (§4.3.1 DANE, §4.3.2 MTA-STS), general. */
export const resultTypes = [
  // §4.3.1 negotiation failures
  "starttls-not-supported",
  "certificate-host-mismatch",
  "certificate-expired",
  "certificate-not-trusted",
  "validation-failure",
  // §4.3.2.1 DANE-specific
  "tlsa-invalid",
  "dnssec-invalid",
  "dane-required",
  // §4.3.2.2 MTA-STS-specific
  "sts-policy-fetch-error",
  "sts-policy-invalid",
  "sts-webpki-invalid",
] as const;
export type ResultType = (typeof resultTypes)[number];

export const isPolicyType = (value: string): value is PolicyType =>
  (policyTypes as readonly string[]).includes(value);
export const isResultType = (value: string): value is ResultType =>
  (resultTypes as readonly string[]).includes(value);

/** RFC 8460 §5.3: the media types of a report, plain and gzip-compressed. */
export const tlsrptJsonType = "application/tlsrpt+json";
export const tlsrptGzipType = "application/tlsrpt+gzip";
