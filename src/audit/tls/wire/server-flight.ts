/**
 * Pure parser of a server's first flight: ServerHello or HelloRetryRequest (RFC 5246 §7.4.1.3,
 * RFC 8446 §4.1.3–4.1.4), an Alert (RFC 8446 §6), and for (EC)DHE suites the ServerKeyExchange that
 * names the curve or carries the DH prime (RFC 8422 §5.4, RFC 5246 §7.4.3). It is a framer: it says
 * when the bytes received hold enough. Every read is bounds-checked; it never throws on any input.
 */
import type { Frame } from "../../../net/framer.js";
import { type ProtocolVersion, suiteByCode } from "../cipher-suites.js";
import {
  alertNames,
  ContentType,
  ExtensionType,
  HandshakeType,
  helloRetryRequestRandom,
  versionName,
} from "./constants.js";
import { isRefusalLine, maxTextLine, startsAsText } from "./plaintext-line.js";

export interface ServerHello {
  readonly kind: "server-hello";
  /** Negotiated version: supported_versions when present (TLS 1.3), else the legacy field. */
  readonly version: ProtocolVersion | null;
  readonly versionCode: number;
  readonly cipherSuite: number;
  readonly compression: number;
  readonly helloRetry: boolean;
  /** Group of a HelloRetryRequest or of a TLS 1.3 key_share; curve of a TLS 1.2 ECDHE exchange. */
  readonly group: number | null;
  /** Size of the DH prime of a DHE exchange. */
  readonly dhBits: number | null;
  readonly extensions: readonly number[];
  readonly secureRenegotiation: boolean;
  readonly extendedMasterSecret: boolean;
  readonly encryptThenMac: boolean;
  /** The chain of the Certificate message (RFC 5246 §7.4.2), DER, when it was read. */
  readonly certificates?: readonly Buffer[];
}

export interface ServerAlert {
  readonly kind: "alert";
  readonly level: number;
  readonly description: number;
  readonly name: string;
}

export interface Sslv2ServerHello {
  readonly kind: "sslv2";
}

/** A line of text instead of a TLS record (see plaintext-line.ts). */
export interface PlaintextLine {
  readonly kind: "plaintext";
  readonly line: string;
  /** An SMTP 4xx/5xx, IMAP BYE/NO or POP3 -ERR line: the server refusing the connection. */
  readonly refusal: boolean;
}

export type FirstFlight = ServerHello | ServerAlert | Sslv2ServerHello | PlaintextLine;

/** A cursor over a buffer: reads return undefined past the end instead of throwing. */
class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  get remaining(): number {
    return this.data.length - this.offset;
  }
  u8(): number | undefined {
    return this.remaining >= 1 ? this.data[this.offset++] : undefined;
  }
  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const value = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  bytes(n: number): Buffer | undefined {
    if (n < 0 || this.remaining < n) return undefined;
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

interface HelloFields {
  versionCode: number;
  random: Buffer;
  cipherSuite: number;
  compression: number;
  extensions: Map<number, Buffer>;
}

function parseServerHelloBody(body: Buffer): HelloFields | string {
  const r = new Reader(body);
  const legacy = r.u16();
  const random = r.bytes(32);
  const sessionLength = r.u8();
  if (legacy === undefined || !random || sessionLength === undefined || sessionLength > 32)
    return "truncated ServerHello";
  if (!r.bytes(sessionLength)) return "truncated session id";
  const cipherSuite = r.u16();
  const compression = r.u8();
  if (cipherSuite === undefined || compression === undefined) return "truncated ServerHello";
  const extensions = new Map<number, Buffer>();
  if (r.remaining > 0) {
    const total = r.u16();
    const block = total === undefined ? undefined : r.bytes(total);
    if (!block) return "truncated extensions";
    const e = new Reader(block);
    while (e.remaining > 0) {
      const type = e.u16();
      const length = e.u16();
      const data = length === undefined ? undefined : e.bytes(length);
      if (type === undefined || !data) return "truncated extension";
      extensions.set(type, data);
    }
  }
  return { versionCode: legacy, random, cipherSuite, compression, extensions };
}

function keyExchangeOf(body: Buffer, suite: number): { group: number | null; dhBits: number | null } {
  const kx = suiteByCode(suite)?.keyExchange;
  const r = new Reader(body);
  if (kx === "ECDHE") {
    // RFC 8422 §5.4: ECParameters { curve_type = named_curve(3), NamedCurve }.
    return r.u8() === 3 ? { group: r.u16() ?? null, dhBits: null } : { group: null, dhBits: null };
  }
  if (kx === "DHE") {
    const length = r.u16();
    const p = length === undefined ? undefined : r.bytes(length);
    if (!p) return { group: null, dhBits: null };
    let first = 0;
    while (first < p.length && p[first] === 0) first++;
    const top = p[first] ?? 0;
    return {
      group: null,
      dhBits: first >= p.length ? 0 : (p.length - first - 1) * 8 + (32 - Math.clz32(top)),
    };
  }
  return { group: null, dhBits: null };
}

/** RFC 5246 §7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
function certificatesOf(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (body.length < 3) return out;
  const total = body.readUIntBE(0, 3);
  let offset = 3;
  const end = Math.min(body.length, 3 + total);
  while (end - offset >= 3) {
    const length = body.readUIntBE(offset, 3);
    offset += 3;
    if (length === 0 || end - offset < length) break;
    out.push(Buffer.from(body.subarray(offset, offset + length)));
    offset += length;
  }
  return out;
}

const needsKeyExchange = (suite: number) => {
  const kx = suiteByCode(suite)?.keyExchange;
  return kx === "ECDHE" || kx === "DHE";
};

const maxRecord = 16384 + 2048; // RFC 5246 §6.2.3 TLSCiphertext bound

export interface FlightOptions {
  /** Read on to the ServerKeyExchange of (EC)DHE suites, for the curve or DH size. */
  readonly wantKeyExchange: boolean;
  /** Read on to the Certificate message (TLS ≤ 1.2), for the chain the server sends. */
  readonly wantCertificate?: boolean;
}

/** The parser without the safety net of frameFirstFlight: exported for the fuzz tests. */
export function parseFirstFlight(buffer: Buffer, eof: boolean, options: FlightOptions): Frame<FirstFlight> {
  // SSL 2.0 SERVER-HELLO: 2-byte header with the high bit set, then message type 4.
  if (buffer.length >= 3 && ((buffer[0] ?? 0) & 0x80) !== 0 && buffer[2] === 4) {
    return { kind: "frame", value: { kind: "sslv2" }, consumed: buffer.length };
  }
  if (startsAsText(buffer[0])) {
    // A refusal line (421, * BYE, -ERR) or other text where a TLS record was expected.
    const end = buffer.indexOf(0x0a);
    if (end === -1 && !eof && buffer.length < maxTextLine) return { kind: "incomplete" };
    const stop = end === -1 ? Math.min(buffer.length, maxTextLine) : end + 1;
    const line = buffer.toString("latin1", 0, stop).replace(/\r?\n$/, "");
    return {
      kind: "frame",
      value: { kind: "plaintext", line, refusal: isRefusalLine(line) },
      consumed: stop,
    };
  }
  let offset = 0;
  let handshake = Buffer.alloc(0);
  let certificates: Buffer[] | undefined;
  let hello: ServerHello | null = null;
  let parsedUpTo = 0;
  const done = (value: FirstFlight): Frame<FirstFlight> => ({ kind: "frame", value, consumed: offset });
  const withCertificates = (h: ServerHello): ServerHello => (certificates ? { ...h, certificates } : h);
  for (;;) {
    if (buffer.length - offset < 5) break;
    const type = buffer[offset] ?? 0;
    const length = buffer.readUInt16BE(offset + 3);
    if (buffer[offset + 1] !== 3 || length > maxRecord) {
      return {
        kind: "invalid",
        message: `not a TLS record (bytes ${buffer.subarray(offset, offset + 5).toString("hex")})`,
      };
    }
    if (buffer.length - offset - 5 < length) break;
    const payload = buffer.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
    if (type === ContentType.alert) {
      if (hello) return done(withCertificates(hello));
      const level = payload[0] ?? 0;
      const description = payload[1] ?? 0;
      // RFC 5246 §7.2: a warning (unrecognized_name, say) is no refusal; the flight goes on.
      if (level === 1 && description !== 0) continue;
      return done({
        kind: "alert",
        level,
        description,
        name: alertNames[description] ?? `alert ${description}`,
      });
    }
    if (type === ContentType.changeCipherSpec || type === ContentType.applicationData) {
      if (hello) return done(withCertificates(hello));
      return { kind: "invalid", message: `record type ${type} before ServerHello` };
    }
    if (type !== ContentType.handshake)
      return { kind: "invalid", message: `unknown TLS record type ${type}` };
    handshake = Buffer.concat([handshake, payload]);
    // Walk complete handshake messages not yet seen.
    while (handshake.length - parsedUpTo >= 4) {
      const msgType = handshake[parsedUpTo] ?? 0;
      const msgLength = handshake.readUIntBE(parsedUpTo + 1, 3);
      if (handshake.length - parsedUpTo - 4 < msgLength) break;
      const body = handshake.subarray(parsedUpTo + 4, parsedUpTo + 4 + msgLength);
      parsedUpTo += 4 + msgLength;
      if (!hello) {
        if (msgType !== HandshakeType.serverHello) {
          return { kind: "invalid", message: `handshake message ${msgType} before ServerHello` };
        }
        const fields = parseServerHelloBody(body);
        if (typeof fields === "string") return { kind: "invalid", message: fields };
        const supported = fields.extensions.get(ExtensionType.supportedVersions);
        const negotiated =
          supported && supported.length >= 2 ? supported.readUInt16BE(0) : fields.versionCode;
        const helloRetry = fields.random.equals(helloRetryRequestRandom);
        const keyShare = fields.extensions.get(ExtensionType.keyShare);
        hello = {
          kind: "server-hello",
          version: versionName(negotiated),
          versionCode: negotiated,
          cipherSuite: fields.cipherSuite,
          compression: fields.compression,
          helloRetry,
          group: keyShare && keyShare.length >= 2 ? keyShare.readUInt16BE(0) : null,
          dhBits: null,
          extensions: [...fields.extensions.keys()],
          secureRenegotiation: fields.extensions.has(ExtensionType.renegotiationInfo),
          extendedMasterSecret: fields.extensions.has(ExtensionType.extendedMasterSecret),
          encryptThenMac: fields.extensions.has(ExtensionType.encryptThenMac),
        };
        if (helloRetry || negotiated === 0x0304) return done(hello);
        const readKx = options.wantKeyExchange && needsKeyExchange(hello.cipherSuite);
        if (!readKx && !options.wantCertificate) return done(hello);
        continue;
      }
      if (msgType === HandshakeType.certificate) {
        certificates = certificatesOf(body);
        if (!(options.wantKeyExchange && needsKeyExchange(hello.cipherSuite)))
          return done(withCertificates(hello));
        continue;
      }
      if (msgType === HandshakeType.serverKeyExchange) {
        return done(withCertificates({ ...hello, ...keyExchangeOf(body, hello.cipherSuite) }));
      }
      if (msgType === HandshakeType.serverHelloDone) return done(withCertificates(hello));
    }
  }
  if (eof && hello) return done(withCertificates(hello));
  return { kind: "incomplete" };
}

export function frameFirstFlight(
  options: FlightOptions,
): (buffer: Buffer, eof: boolean) => Frame<FirstFlight> {
  return (buffer, eof) => {
    try {
      return parseFirstFlight(buffer, eof, options);
    } catch (error) {
      // Not expected (every read is checked); kept so that a parser bug is a finding, not a crash.
      return { kind: "invalid", message: `parser error: ${(error as Error).message}` };
    }
  };
}
