/**
 * A scripted raw-TLS peer that answers ClientHellos the way legacy servers do, for what Debian's
 * OpenSSL 3 can no longer serve: SSL 3.0, RC4, 3DES, export suites. It parses hellos with its own
 * minimal code (independent of the prober's), answers ServerHello + ServerHelloDone or an alert, and
 * can ignore suites past the 64th or close on hellos longer than a limit.
 */
import type { Socket } from "node:net";
import { type FakeServer, fakeServer } from "./fake-server.js";

export interface LegacyPeerConfig {
  /** Versions served, as wire codes (0x0300 SSL 3.0 … 0x0303 TLS 1.2). */
  readonly versions: readonly number[];
  /** Suites served, in the server's preference order. */
  readonly suites: readonly number[];
  readonly serverPreference: boolean;
  /** Only the first N offered suites are looked at (a bug of some old stacks). */
  readonly maxSuitesRead?: number;
  /** Hellos longer than this many bytes make the peer close the connection. */
  readonly closeOnHelloLongerThan?: number;
  /** Answer SSL 2.0 CLIENT-HELLOs with a SERVER-HELLO (else close). */
  readonly sslv2?: boolean;
}

/** An SSL 2.0 SERVER-HELLO without certificate, one cipher kind (SSL_CK_RC4_128_WITH_MD5). */
const sslv2ServerHello = (() => {
  const body = Buffer.from([
    4,
    0,
    1,
    0x00,
    0x02,
    0,
    0,
    0,
    3,
    0,
    16,
    0x01,
    0x00,
    0x80,
    ...Buffer.alloc(16, 9),
  ]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
})();

interface ParsedHello {
  readonly version: number;
  readonly suites: number[];
  readonly length: number;
}

/** Reads one ClientHello record: independent of src/ on purpose. */
function parseHello(data: Buffer): ParsedHello | null {
  if (data.length < 5 || data[0] !== 22) return null;
  const recordLength = data.readUInt16BE(3);
  if (data.length < 5 + recordLength) return null;
  let p = 5 + 4; // record header, handshake header
  const version = data.readUInt16BE(p);
  p += 2 + 32;
  p += 1 + (data[p] ?? 0); // session id
  const suitesLength = data.readUInt16BE(p);
  p += 2;
  const suites: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) suites.push(data.readUInt16BE(p + i));
  return { version, suites, length: 5 + recordLength };
}

const alert = (version: number, description: number) =>
  Buffer.from([21, version >> 8, version & 0xff, 0, 2, 2, description]);

function serverHello(version: number, suite: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(32, 7),
    Buffer.from([0]), // no session id
    Buffer.from([suite >> 8, suite & 0xff]),
    Buffer.from([0]), // null compression, no extensions (pre-RFC 5746 stack)
  ]);
  const hello = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]);
  const done = Buffer.from([14, 0, 0, 0]);
  const payload = Buffer.concat([hello, done]);
  return Buffer.concat([
    Buffer.from([22, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]),
    payload,
  ]);
}

export function answer(config: LegacyPeerConfig, hello: ParsedHello): Buffer | "close" {
  if (config.closeOnHelloLongerThan !== undefined && hello.length > config.closeOnHelloLongerThan)
    return "close";
  const best = Math.max(...config.versions.filter((v) => v <= hello.version));
  if (!Number.isFinite(best)) return alert(Math.min(...config.versions), 70); // protocol_version
  const offered = hello.suites.slice(0, config.maxSuitesRead ?? hello.suites.length);
  const pick = config.serverPreference
    ? config.suites.find((s) => offered.includes(s))
    : offered.find((s) => config.suites.includes(s));
  if (pick === undefined) return alert(best, 40); // handshake_failure
  return serverHello(best, pick);
}

export async function legacyTlsPeer(config: LegacyPeerConfig): Promise<FakeServer> {
  return fakeServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (((buffer[0] ?? 0) & 0x80) !== 0) {
        if (config.sslv2) socket.end(sslv2ServerHello);
        else socket.destroy();
        return;
      }
      const hello = parseHello(buffer);
      if (!hello) return;
      const reply = answer(config, hello);
      if (reply === "close") socket.destroy();
      else socket.end(reply);
    });
  });
}

export const suite = {
  RC4_128_MD5: 0x0004,
  RC4_128_SHA: 0x0005,
  DES_CBC3_SHA: 0x000a,
  DES_CBC_SHA: 0x0009,
  EXP_RC4_40_MD5: 0x0003,
  AES128_SHA: 0x002f,
  IDEA_CBC_SHA: 0x0007,
  SEED_CBC_SHA: 0x0096,
} as const;
