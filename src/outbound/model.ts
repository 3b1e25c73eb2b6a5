/** An outbound test and what arrived for it, as stored (outbound-store.ts) and concluded (conclude.ts). */
import type { TestAddress, VariantKind } from "./variant.js";

export interface OutboundTest {
  readonly id: number;
  /** The domain whose provider is asked to send to the test addresses. */
  readonly domain: string;
  /** The registry's organisation of the domain at the time of the test, when registered. */
  readonly organisation: string | null;
  readonly localPart: string;
  readonly addresses: readonly TestAddress[];
  readonly requestedBy: string;
  readonly createdAt: string;
  /** Addresses are refused after it, and what has not arrived by then is concluded as not sent. */
  readonly expiresAt: string;
}

/** The client certificate a sender presented (RFC 3207 §4.1 lets the client authenticate). */
export interface ClientCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly notAfter: string;
  readonly sha256: string;
}

/** One message as it was received (the message itself is discarded). */
export interface ReceivedMessage {
  readonly testId: number;
  readonly variant: VariantKind;
  readonly receivedAt: string;
  readonly remoteAddress: string;
  /** The PTR name of the sending address; null when there was none or the lookup failed or timed out. */
  readonly reverseName: string | null;
  /** "none", "timeout" or "error" when `reverseName` is null, "found" otherwise. */
  readonly reverseLookup: "found" | "none" | "timeout" | "error";
  readonly ehlo: string;
  readonly mailFrom: string;
  readonly starttls: boolean;
  /** Node's / OpenSSL's version name (`TLSv1.3`); null in clear. */
  readonly tlsVersion: string | null;
  /** IANA name of the suite. */
  readonly cipherSuite: string | null;
  /** IANA TLS Supported Groups name of the key exchange, when known. */
  readonly group: string | null;
  readonly clientCertificate: ClientCertificate | null;
  readonly sizeBytes: number;
}
