/**
 * The contract every protocol dialogue implements (SMTP, IMAP, POP3, HTTP): a pure framer for the
 * server's replies and a pure step function from (state, event) to (state, next action). The thin
 * session in run-dialogue.ts does the I/O. Unit tests drive the step function with parsed replies.
 */
import type { Framer } from "../../net/framer.js";

/** Where a probe stopped. `dns`, `connect` and `handshake` are the session's; the rest the dialogue's. */
export type ProbeStep = "dns" | "connect" | "greeting" | "starttls" | "handshake" | "post-tls";

export type DialogueFailureReason =
  | "rejected" // the server refused us (SMTP 554, IMAP BYE, POP3 -ERR)
  | "throttled" // the server said to come back later (SMTP 421/450 greeting): rate limiting
  | "not_offered" // STARTTLS/STLS not advertised
  | "protocol_error"; // a reply the protocol does not allow here

export type Action<E> =
  | { readonly kind: "read"; readonly expect: E; readonly step: ProbeStep; readonly what: string }
  | {
      readonly kind: "send";
      readonly command: string;
      readonly expect: E;
      readonly step: ProbeStep;
      readonly what: string;
      /** A failure to read this reply ends the dialogue normally (QUIT, LOGOUT). */
      readonly optional?: boolean;
    }
  | { readonly kind: "starttls" }
  | { readonly kind: "done" }
  | {
      readonly kind: "fail";
      readonly step: ProbeStep;
      readonly reason: DialogueFailureReason;
      readonly message: string;
    };

export type DialogueEvent<R> = { readonly kind: "reply"; readonly reply: R } | { readonly kind: "tls-ready" };

export interface Transition<S, E> {
  readonly state: S;
  readonly action: Action<E>;
}

export interface Dialogue<S, R, E, F> {
  readonly name: string;
  readonly maxReplyBytes: number;
  framer(expect: E): Framer<R>;
  /** `tlsActive` is true for implicit TLS (the session has already done the handshake). */
  start(tlsActive: boolean): Transition<S, E>;
  step(state: S, event: DialogueEvent<R>): Transition<S, E>;
  /** What was learnt so far: always available, also after a failure. */
  facts(state: S): F;
}

export type TlsMode = "starttls" | "implicit" | "none";
