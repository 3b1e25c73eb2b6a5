/**
 * Pure ClientHello builder, SSL 3.0 to TLS 1.3 (RFC 6101 §5.6.1.2, RFC 5246 §7.4.1.2, RFC 8446
 * §4.1.2). The prober needs only the server's first flight, so TLS 1.3 hellos carry an *empty*
 * key_share (RFC 8446 §4.2.8: "clients MAY send an empty client_shares vector in order to request
 * group selection from the server") and the server answers with a HelloRetryRequest naming the suite
 * and group — no key computation, and no early data ever (docs/contract.md §7).
 */
import { randomBytes } from "node:crypto";
import type { ProtocolVersion } from "../cipher-suites.js";
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  renegotiationScsv,
  signatureAlgorithms,
  versionCode,
} from "./constants.js";

export interface ClientHelloSpec {
  readonly version: ProtocolVersion;
  readonly cipherSuites: readonly number[];
  /** SNI (RFC 6066 §3); never an IP literal. */
  readonly serverName?: string;
  readonly groups: readonly number[];
  /** Offer DEFLATE before null compression, to detect TLS compression (CRIME). */
  readonly offerCompression?: boolean;
  /** Fixed randomness for tests; fresh by default. */
  readonly random?: Buffer;
}

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const list16 = (values: readonly number[]) => Buffer.concat(values.map(u16));
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

function extensions(spec: ClientHelloSpec): Buffer {
  const out: Buffer[] = [];
  if (spec.serverName) {
    // Stryker disable next-line StringLiteral: names reach here as A-labels (RFC 5890), ASCII, which the
    // default encoding (UTF-8) writes alike.
    const name = Buffer.from(spec.serverName, "ascii");
    out.push(extension(ExtensionType.serverName, vec16(Buffer.concat([u8(0), vec16(name)]))));
  }
  out.push(extension(ExtensionType.supportedGroups, vec16(list16(spec.groups))));
  out.push(extension(ExtensionType.ecPointFormats, vec8(Buffer.from([0]))));
  if (spec.version === "TLSv1.2" || spec.version === "TLSv1.3") {
    out.push(extension(ExtensionType.signatureAlgorithms, vec16(list16(signatureAlgorithms))));
  }
  if (spec.version === "TLSv1.3") {
    out.push(extension(ExtensionType.supportedVersions, vec8(u16(versionCode["TLSv1.3"]))));
    out.push(extension(ExtensionType.pskKeyExchangeModes, vec8(Buffer.from([1]))));
    out.push(extension(ExtensionType.keyShare, vec16(Buffer.alloc(0))));
  } else {
    out.push(extension(ExtensionType.encryptThenMac, Buffer.alloc(0)));
    out.push(extension(ExtensionType.extendedMasterSecret, Buffer.alloc(0)));
    out.push(extension(ExtensionType.renegotiationInfo, vec8(Buffer.alloc(0))));
  }
  return Buffer.concat(out);
}

export function buildClientHello(spec: ClientHelloSpec): Buffer {
  const ssl3 = spec.version === "SSLv3";
  const tls13 = spec.version === "TLSv1.3";
  // TLS 1.3 hides in a TLS 1.2 hello (RFC 8446 §4.1.2 legacy_version) with a 32-byte legacy session id
  // for middlebox compatibility (Appendix D.4).
  const clientVersion = tls13 ? versionCode["TLSv1.2"] : versionCode[spec.version];
  const suites = ssl3 ? [...spec.cipherSuites, renegotiationScsv] : spec.cipherSuites;
  const body = Buffer.concat([
    u16(clientVersion),
    spec.random ?? randomBytes(32),
    vec8(tls13 ? randomBytes(32) : Buffer.alloc(0)),
    vec16(list16(suites)),
    vec8(Buffer.from(spec.offerCompression && !tls13 ? [1, 0] : [0])),
    // SSL 3.0 servers may choke on extensions (RFC 6101 has none): send none there.
    ...(ssl3 ? [] : [vec16(extensions(spec))]),
  ]);
  const handshake = Buffer.concat([u8(HandshakeType.clientHello), u24(body.length), body]);
  // Record version 0x0301 for TLS hellos is what servers tolerate best (RFC 8446 §5.1).
  const recordVersion = ssl3 ? versionCode.SSLv3 : versionCode.TLSv1;
  return Buffer.concat([u8(ContentType.handshake), u16(recordVersion), vec16(handshake)]);
}

/**
 * An SSL 2.0 CLIENT-HELLO (draft-hickman-netscape-ssl-00 §C): 2-byte header, message type 1, version
 * 0x0002, the 3-byte cipher kinds, a 16-byte challenge. A server that still speaks SSL 2.0 answers
 * with a SERVER-HELLO; modern servers close or send garbage.
 */
export function buildSslv2ClientHello(kinds: readonly number[], challenge: Buffer = randomBytes(16)): Buffer {
  const specs = Buffer.concat(kinds.map((k) => Buffer.from([(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff])));
  const body = Buffer.concat([
    u8(1),
    u16(0x0002),
    u16(specs.length),
    u16(0),
    u16(challenge.length),
    specs,
    challenge,
  ]);
  return Buffer.concat([u16(0x8000 | body.length), body]);
}
