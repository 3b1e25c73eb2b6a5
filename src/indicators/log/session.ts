/**
 * What an MTA log says about one SMTP exchange, once its lines are joined: a *session record*. An
 * outbound record is one delivery attempt of one recipient (a Postfix `to=<…>, relay=…, status=…`
 * line or an Exim `=>`, `->`, `==`, `**` line to a remote host); an inbound record is one SMTP client
 * connection (Postfix's `disconnect from` summary) or one message accepted over SMTP (Exim `<=`).
 * The shapes of the lines we read, with their sources, are in docs/mta-logs.md.
 */

/**
 * How the TLS of a session was authenticated, in Postfix's own words (postfix TLS_README, "TLS
 * connection established" logging): `verified` — the peer's certificate chain was trusted and its
 * name matched (or DANE matched); `trusted` — the chain was trusted but the name not checked;
 * `untrusted` — encrypted, certificate not trusted; `anonymous` — encrypted, no certificate; `none`
 * — no TLS at all (the message or the commands crossed in clear).
 */
export type TlsClass = "verified" | "trusted" | "untrusted" | "anonymous" | "none";
export const tlsClasses: readonly TlsClass[] = ["verified", "trusted", "untrusted", "anonymous", "none"];

export type Direction = "outbound" | "inbound";

/**
 * An outbound attempt that ended before TLS could be offered: deferred, in clear, and no TLS failure
 * logged — the connection lost while receiving the server's greeting or during EHLO, a 421 greeting,
 * a greylisting 450, a timeout. The MX was never asked for STARTTLS (or not yet), so the attempt says
 * nothing of its TLS: it is a delivery attempt (the summary's and the link's `deferred`), but neither
 * a TLS session in the link figures' classes and verified share nor an RFC 8460 failure in a
 * TLS-RPT report; the retry's delivery will tell. A deferral for lack of STARTTLS (`TLS is required,
 * but was not offered`, Exim's "TLS … not offered") carries its failure type and is not one of these:
 * it stays a TLS failure. Fields as stored (`log_sessions`) or as parsed (SessionRecord).
 */
export function noTlsDecision(session: {
  readonly direction: string;
  readonly tlsClass: string;
  readonly failureType: string | null;
  readonly outcome: string;
}): boolean {
  return (
    session.direction === "outbound" &&
    session.tlsClass === "none" &&
    session.failureType === null &&
    session.outcome === "deferred"
  );
}

/** Outbound: the delivery status as the MTA logged it. Inbound: the client session's end. */
export type Outcome = "sent" | "deferred" | "bounced" | "accepted" | "failed";

/**
 * RFC 8460 §4.3 result types (spelled as in the RFC). Only those an MTA log can show are produced
 * here; the others (sts-*, tlsa-invalid, dnssec-invalid, dane-required) come from Postfix's own
 * `TLSRPT:` lines when it has them.
 */
export type FailureType =
  | "starttls-not-supported"
  | "certificate-host-mismatch"
  | "certificate-expired"
  | "certificate-not-trusted"
  | "validation-failure"
  | "tlsa-invalid"
  | "dnssec-invalid"
  | "dane-required"
  | "sts-policy-fetch-error"
  | "sts-policy-invalid"
  | "sts-webpki-invalid";

export const failureTypes: readonly FailureType[] = [
  "starttls-not-supported",
  "certificate-host-mismatch",
  "certificate-expired",
  "certificate-not-trusted",
  "validation-failure",
  "tlsa-invalid",
  "dnssec-invalid",
  "dane-required",
  "sts-policy-fetch-error",
  "sts-policy-invalid",
  "sts-webpki-invalid",
];

export type Mta = "postfix" | "exim";

/**
 * The MTA host's own loopback address: a hop to or from it is not a transfer between MTAs but a
 * step inside one host — a content filter (amavisd-new on 127.0.0.1:10024 and its re-injection on
 * :10025, Postfix FILTER_README; dkimproxy, clamsmtp), or a local program submitting over SMTP. Such
 * deliveries and sessions are left out of the figures: counted, every outgoing message of a host
 * with a filter would show a delivery "in clear" beside its real one. Only the two addresses a host
 * calls itself are read so; the rest of 127.0.0.0/8 is other hosts, as in a lab on one machine.
 */
export const isOwnLoopback = (ip: string | null): boolean => ip === "127.0.0.1" || ip === "::1";

export interface TlsDetails {
  readonly tlsClass: Exclude<TlsClass, "none">;
  /** `TLSv1.3` (Postfix, OpenSSL) or `TLS1.3` (Exim, GnuTLS), normalised to `TLSv1.3`. */
  readonly version: string | null;
  readonly cipher: string | null;
}

export interface SessionRecord {
  readonly mta: Mta;
  /** ISO 8601 UTC, to the second (or finer when the log has it). */
  readonly time: string;
  readonly direction: Direction;
  /** The host that wrote the log line (syslog host field), or null for Exim's own mainlog. */
  readonly logHost: string | null;
  /** `postfix` or `postfix-out` (multiple instances), `exim`. */
  readonly instance: string;
  readonly queueId: string | null;
  /** Outbound: the recipient's domain. Inbound: null (the client's domain is not in these lines). */
  readonly peerDomain: string | null;
  /** Outbound: the MX (relay) host name. Inbound: the client's reverse name (`unknown` kept as null). */
  readonly peerHost: string | null;
  readonly peerIp: string | null;
  readonly peerPort: number | null;
  readonly tlsClass: TlsClass;
  readonly tlsVersion: string | null;
  readonly tlsCipher: string | null;
  readonly outcome: Outcome;
  readonly failureType: FailureType | null;
  /** The MTA's own words for a failure (status text, Exim defer reason), bounded. */
  readonly failureDetail: string | null;
  /** Postfix 3.11 `tls=` delivery field (may, encrypt, secure, dane…), when logged. */
  readonly tlsLevel: string | null;
  /** The RFC 8460 policy domain of a Postfix 3.10+ `TLSRPT:` line for the same connection. */
  readonly policyDomain: string | null;
  /**
   * The log line that completed the record: its digest is the idempotency key (the same
   * line ingested twice, from another path or from `-`, is stored once).
   */
  readonly line: string;
  /**
   * The n-th repeat of the same line within one timestamp (parser.ts), so that two identical lines
   * are two sessions with two keys; absent for the first.
   */
  readonly repeat?: number;
}

/** What a parser returns for one line. */
export type LineResult =
  | { readonly kind: "sessions"; readonly sessions: readonly SessionRecord[] }
  /** Understood, but not a session by itself (a TLS line waiting for its delivery, a local delivery). */
  | { readonly kind: "ignored" }
  /** Not a line of this MTA's log we can read. */
  | { readonly kind: "unparsed" };
