/**
 * The outcome of one delivery attempt, as data. A relay that does not offer STARTTLS, a certificate
 * that does not verify, a receiver answering 500 are findings with a stable code and the detail
 * (host, port, step, reply), written to the delivery log; `permanent` ones are not retried.
 */
export type AttemptErrorCode =
  | "starttls-unavailable" // the relay does not offer STARTTLS or refuses it (RFC 3207): nothing sent
  | "tls-certificate" // the relay's or receiver's certificate does not verify
  | "tls-handshake"
  | "dns"
  | "connect"
  | "timeout"
  | "auth" // the relay refused our credentials
  | "smtp-rejected" // a 5xx to MAIL, RCPT or DATA
  | "smtp-deferred" // a 4xx
  | "smtp-protocol"
  | "http-status" // a non-2xx answer
  | "target-not-allowed" // the address guard refused where the URL points (SSRF protection)
  | "not-configured" // no such channel, no DKIM key for the domain named
  | "bad-message" // the stored message cannot be sent as it is (a bug, or a corrupt row)
  | "internal";

export type Attempt =
  | { readonly ok: true; readonly detail: string }
  | {
      readonly ok: false;
      readonly code: AttemptErrorCode;
      readonly detail: string;
      /** Not worth retrying (a 5xx to the recipient, a 4xx from a webhook, a missing key). */
      readonly permanent: boolean;
    };

export const sent = (detail: string): Attempt => ({ ok: true, detail });
export const failed = (code: AttemptErrorCode, detail: string, permanent = false): Attempt => ({
  ok: false,
  code,
  detail,
  permanent,
});
