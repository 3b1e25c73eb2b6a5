/**
 * What the audit knows of how the domain's own MTA sends (mx.outbound-tls): the latest outbound test's
 * conclusions and the TLS sessions its messages came in, as plain data. The outbound test
 * (src/outbound) produces it from its store; the measure judges it and never reads a store.
 */

export type OutboundConclusion =
  | { readonly status: "observed"; readonly value: string; readonly basis: readonly string[] }
  | { readonly status: "not-observed"; readonly reason: string };

export interface OutboundSession {
  /** The certificate variant the message was sent to (`valid`, `wrong-name`, …). */
  readonly variant: string;
  readonly address: string;
  readonly receivedAt: string;
  readonly remoteAddress: string;
  readonly starttls: boolean;
  readonly tlsVersion: string | null;
  readonly cipherSuite: string | null;
  readonly group: string | null;
}

export interface OutboundFacts {
  readonly testId: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly state: "waiting" | "complete";
  readonly starttlsWhenOffered: OutboundConclusion;
  readonly certificateVerification: OutboundConclusion;
  readonly withoutStarttls: OutboundConclusion;
  readonly sessions: readonly OutboundSession[];
}

/**
 * Absent: the audit had no outbound-test store to read (`audit` without `--db`); null: the store
 * has no test of the domain yet.
 */
export type OutboundLookup = (domain: string) => Promise<OutboundFacts | null>;

/** What the audit read: the facts, null (no test yet), or why the store could not be read. */
export type OutboundRead = OutboundFacts | null | { readonly error: string };
