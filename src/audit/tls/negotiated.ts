/** What a completed handshake negotiated, in the names of docs/contract.md §4 (IANA suite and group names). */
import type { TlsPeerInfo } from "../../net/connection.js";

export interface Negotiated {
  readonly version: string | null;
  /** IANA name (RFC 8446 B.4 / the TLS Cipher Suites registry). */
  readonly cipherSuite: string;
  readonly opensslName: string;
  /** IANA TLS Supported Groups name, when the key exchange was (EC)DHE over a named group. */
  readonly group: string | null;
  readonly keyExchange: "ECDHE" | "DHE" | "RSA" | "unknown";
  readonly keyExchangeBits: number | null;
  readonly alpn: string | null;
}

/** OpenSSL curve names → IANA TLS Supported Groups names. */
const groupNames: Readonly<Record<string, string>> = {
  X25519: "x25519",
  X448: "x448",
  prime256v1: "secp256r1",
  secp384r1: "secp384r1",
  secp521r1: "secp521r1",
  brainpoolP256r1: "brainpoolP256r1",
  brainpoolP384r1: "brainpoolP384r1",
  brainpoolP512r1: "brainpoolP512r1",
};

export function negotiatedOf(info: TlsPeerInfo): Negotiated {
  const key = info.ephemeralKey;
  const keyExchange =
    key.type === "ECDH" ? "ECDHE" : key.type === "DH" ? "DHE" : key.type === undefined ? "RSA" : "unknown";
  return {
    version: info.protocol,
    cipherSuite: info.cipher.standardName ?? info.cipher.name,
    opensslName: info.cipher.name,
    group: key.name ? (groupNames[key.name] ?? key.name) : null,
    // TLS 1.3 always uses an ephemeral key exchange; Node reports it the same way.
    keyExchange,
    keyExchangeBits: key.size ?? null,
    alpn: info.alpnProtocol,
  };
}
