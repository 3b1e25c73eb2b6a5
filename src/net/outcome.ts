/**
 * How a network operation ended, as data. A misbehaving server is a finding, never an exception:
 * every read, write, connect and handshake answers `NetResult`.
 */
export type NetFailureReason =
  | "refused" // ECONNREFUSED: nothing listens
  | "unreachable" // no route to the host or network
  | "timeout" // the step timeout or the endpoint deadline passed
  | "reset" // the peer reset the connection
  | "closed" // the peer closed the connection before the expected data
  | "too_large" // a reply exceeded its byte limit
  | "protocol_error" // bytes that the protocol does not allow
  | "tls_alert" // the peer sent a TLS alert during the handshake
  | "not_allowed" // the target guard refused the address (SSRF protection)
  | "error"; // any other socket error (message says which)

export interface NetFailure {
  readonly reason: NetFailureReason;
  readonly message: string;
  /** A TLS handshake that failed after the server's Certificate message: the chain it sent (DER). */
  readonly peerChain?: readonly Buffer[];
}

export type NetResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: NetFailure };

export const ok = <T>(value: T): NetResult<T> => ({ ok: true, value });
export const fail = <T = never>(reason: NetFailureReason, message: string): NetResult<T> => ({
  ok: false,
  failure: { reason, message },
});

/** Maps a Node socket/TLS error to a failure reason. */
export function reasonOfSocketError(error: unknown): NetFailureReason {
  const code = String((error as { code?: unknown }).code ?? "");
  const message = error instanceof Error ? error.message : "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "EPIPE") return "reset";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") return "unreachable";
  if (code === "ETIMEDOUT") return "timeout";
  if (/ALERT/i.test(code) || /alert/i.test(message)) return "tls_alert";
  if (
    code.startsWith("ERR_SSL") ||
    /wrong version number|packet length too long|record layer/i.test(message)
  ) {
    return "protocol_error";
  }
  return "error";
}
