/**
 * What the sender's STARTTLS session negotiated, read on our side of the socket: the version
 * (getProtocol), the suite by its IANA name (getCipher().standardName) and the client certificate.
 * The group is not read yet: Node tells it only to clients (getEphemeralKeyInfo is null on a server
 * socket), so messages record `group: null`; reading it from the ServerHello bytes we send
 * (audit/tls/wire/server-flight.ts) needs a tap under the TLS socket, not built.
 */
import type { TLSSocket } from "node:tls";
import type { ClientCertificate } from "./model.js";

export interface SessionTls {
  readonly version: string | null;
  readonly cipherSuite: string | null;
  readonly clientCertificate: ClientCertificate | null;
}

const dn = (x: Readonly<Record<string, string | string[] | undefined>> | undefined): string =>
  x
    ? Object.entries(x)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
        .join(", ")
    : "";

const isoOr = (text: string): string => {
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
};

export function sessionTls(socket: TLSSocket): SessionTls {
  const cipher = socket.getCipher();
  const peer = socket.getPeerCertificate();
  const hasPeer = peer && Object.keys(peer).length > 0 && typeof peer.fingerprint256 === "string";
  return {
    version: socket.getProtocol() ?? null,
    cipherSuite: cipher ? (cipher.standardName ?? cipher.name) : null,
    clientCertificate: hasPeer
      ? {
          subject: dn(peer.subject as unknown as Record<string, string>),
          issuer: dn(peer.issuer as unknown as Record<string, string>),
          notAfter: isoOr(peer.valid_to),
          sha256: peer.fingerprint256.replace(/:/g, "").toLowerCase(),
        }
      : null,
  };
}
