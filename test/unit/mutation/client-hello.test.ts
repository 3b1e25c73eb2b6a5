/**
 * The ClientHello byte by byte, read back by an independent reader: what each version carries and
 * what it must not (TLS 1.3 extensions only in TLS 1.3 hellos, none at all in SSL 3.0), and the
 * SSL 2.0 CLIENT-HELLO.
 */
import { describe, expect, it } from "vitest";
import type { ProtocolVersion } from "../../../src/audit/tls/cipher-suites.js";
import { buildClientHello, buildSslv2ClientHello } from "../../../src/audit/tls/wire/client-hello.js";
import { readHello, u16List } from "./support/hello-reader.js";

const random = Buffer.alloc(32, 0xab);
const suites = [0xc02f, 0x009e, 0x002f];
const groups = [0x001d, 0x0017, 0x0100];
const sigalgs = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501,
  0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
];

const ext = (hello: ReturnType<typeof readHello>, type: number) =>
  hello.extensions?.find((e) => e.type === type)?.body;

describe("TLS 1.3 hello (RFC 8446 §4.1.2)", () => {
  const bytes = buildClientHello({
    version: "TLSv1.3",
    cipherSuites: [0x1301, 0x1302],
    serverName: "mx.example.org",
    groups,
    offerCompression: true,
    random,
  });
  const hello = readHello(bytes);

  it("record 0x0301, legacy_version 0x0303, 32-byte legacy session id, null compression only", () => {
    expect(hello.recordType).toBe(22);
    expect(hello.recordVersion).toBe(0x0301);
    expect(hello.handshakeType).toBe(1);
    expect(hello.clientVersion).toBe(0x0303);
    expect(hello.random.equals(random)).toBe(true);
    expect(hello.sessionId).toHaveLength(32);
    expect(hello.suites).toEqual([0x1301, 0x1302]);
    expect(hello.compression).toEqual([0]);
  });

  it("carries supported_versions (TLS 1.3), psk_key_exchange_modes (psk_dhe_ke) and an empty key_share", () => {
    expect(hello.extensions?.map((e) => e.type)).toEqual([0, 10, 11, 13, 43, 45, 51]);
    expect(ext(hello, 43)).toEqual(Buffer.from([2, 0x03, 0x04]));
    expect(ext(hello, 45)).toEqual(Buffer.from([1, 1]));
    expect(ext(hello, 51)).toEqual(Buffer.from([0, 0]));
  });

  it("server_name, groups, point formats and signature algorithms encoded exactly", () => {
    const name = Buffer.from("mx.example.org", "ascii");
    expect(ext(hello, 0)).toEqual(
      Buffer.concat([Buffer.from([0, name.length + 3, 0, 0, name.length]), name]),
    );
    expect(u16List(ext(hello, 10) ?? Buffer.alloc(2))).toEqual(groups);
    expect(ext(hello, 11)).toEqual(Buffer.from([1, 0]));
    expect(u16List(ext(hello, 13) ?? Buffer.alloc(2))).toEqual(sigalgs);
  });

  it("a fresh legacy session id and random each time unless the random is given", () => {
    const again = readHello(buildClientHello({ version: "TLSv1.3", cipherSuites: [0x1301], groups, random }));
    expect(again.sessionId.equals(hello.sessionId)).toBe(false);
    const a = readHello(buildClientHello({ version: "TLSv1.3", cipherSuites: [0x1301], groups }));
    const b = readHello(buildClientHello({ version: "TLSv1.3", cipherSuites: [0x1301], groups }));
    expect(a.random).toHaveLength(32);
    expect(a.random.equals(b.random)).toBe(false);
  });
});

describe("TLS 1.2 and older hellos", () => {
  const of = (version: ProtocolVersion, more: { offerCompression?: boolean; serverName?: string } = {}) =>
    readHello(buildClientHello({ version, cipherSuites: suites, groups, random, ...more }));

  it.each([
    ["TLSv1.2", 0x0303],
    ["TLSv1.1", 0x0302],
    ["TLSv1", 0x0301],
  ] as const)("%s: version 0x%s, no session id, the suites as given, no SCSV", (version, code) => {
    const hello = of(version);
    expect(hello.recordVersion).toBe(0x0301);
    expect(hello.clientVersion).toBe(code);
    expect(hello.sessionId).toHaveLength(0);
    expect(hello.suites).toEqual(suites);
    expect(hello.compression).toEqual([0]);
  });

  it("TLS 1.2 carries signature_algorithms and the TLS 1.2 extensions, none of TLS 1.3", () => {
    const hello = of("TLSv1.2");
    expect(hello.extensions?.map((e) => e.type)).toEqual([10, 11, 13, 22, 23, 0xff01]);
    expect(ext(hello, 22)).toEqual(Buffer.alloc(0));
    expect(ext(hello, 23)).toEqual(Buffer.alloc(0));
    expect(ext(hello, 0xff01)).toEqual(Buffer.from([0]));
  });

  it("TLS 1.0 and 1.1 carry no signature_algorithms (RFC 5246 §7.4.1.4.1: TLS 1.2 only)", () => {
    expect(of("TLSv1.1").extensions?.map((e) => e.type)).toEqual([10, 11, 22, 23, 0xff01]);
    expect(of("TLSv1").extensions?.map((e) => e.type)).toEqual([10, 11, 22, 23, 0xff01]);
  });

  it("DEFLATE before null when compression is offered (CRIME detection)", () => {
    expect(of("TLSv1.2", { offerCompression: true }).compression).toEqual([1, 0]);
    expect(of("TLSv1.2", { offerCompression: false }).compression).toEqual([0]);
  });

  it("no server_name without a name", () => {
    expect(ext(of("TLSv1.2", { serverName: "" }), 0)).toBeUndefined();
    expect(ext(of("TLSv1.2", { serverName: "a.example" }), 0)).toEqual(
      Buffer.from([0, 12, 0, 0, 9, ...Buffer.from("a.example")]),
    );
  });

  it("SSL 3.0: record and hello 0x0300, the renegotiation SCSV appended, no extensions at all", () => {
    const hello = of("SSLv3", { serverName: "mx.example.org", offerCompression: true });
    expect(hello.recordVersion).toBe(0x0300);
    expect(hello.clientVersion).toBe(0x0300);
    expect(hello.suites).toEqual([...suites, 0x00ff]);
    expect(hello.extensions).toBeNull();
    expect(hello.compression).toEqual([1, 0]);
  });
});

describe("SSL 2.0 CLIENT-HELLO (draft-hickman-netscape-ssl-00 §C)", () => {
  it("header, type, version, lengths, 3-byte kinds and the challenge", () => {
    const challenge = Buffer.alloc(16, 0x5a);
    const bytes = buildSslv2ClientHello([0x010080, 0x0700c0], challenge);
    expect(bytes).toEqual(
      Buffer.from([
        0x80,
        9 + 6 + 16,
        1,
        0x00,
        0x02,
        0,
        6,
        0,
        0,
        0,
        16,
        0x01,
        0x00,
        0x80,
        0x07,
        0x00,
        0xc0,
        ...challenge,
      ]),
    );
    const fresh = buildSslv2ClientHello([0x010080]);
    expect(fresh).toHaveLength(2 + 9 + 3 + 16);
    expect(fresh.subarray(-16).equals(buildSslv2ClientHello([0x010080]).subarray(-16))).toBe(false);
  });
});
