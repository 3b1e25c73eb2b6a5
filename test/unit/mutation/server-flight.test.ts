/**
 * The first-flight parser on every failing input: each field cut short, records split anywhere,
 * records that are not TLS, messages out of order; and the ServerKeyExchange read exactly (curve
 * type, DH prime with leading zeros, odd sizes).
 *
 * Mutants of src/audit/tls/wire/server-flight.ts left alive, each equivalent: the Reader's
 * `remaining >= 1` (a read past the end is undefined anyway) and `n < 0` (lengths are unsigned);
 * `legacy === undefined` and `type === undefined` (each implies the check beside it); in
 * keyExchangeOf the `?.`, `kx === "DHE"` and the last return (it is only called for a known
 * ECDHE or DHE suite); the leading-zero loop's bound (`p[p.length]` is undefined, never 0);
 * `buffer.length >= 3` (implied by `buffer[2] === 4`); and frameFirstFlight's catch, kept so that
 * a parser bug would be a finding, unreached because every read is checked.
 */
import { describe, expect, it } from "vitest";
import { helloRetryRequestRandom } from "../../../src/audit/tls/wire/constants.js";
import { frameFirstFlight, parseFirstFlight } from "../../../src/audit/tls/wire/server-flight.js";

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const record = (type: number, payload: Buffer, version = 0x0303) =>
  Buffer.concat([Buffer.from([type, ...u16(version), ...u16(payload.length)]), payload]);
const message = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, ...u24(body.length)]), body]);
const ext = (type: number, body: number[] = []) => [...u16(type), ...u16(body.length), ...body];

interface HelloBody {
  version?: number;
  random?: Buffer;
  session?: Buffer;
  suite?: number;
  compression?: number;
  /** Raw extension bytes (without the block length); absent: no block at all. */
  extensions?: number[];
}
const helloBody = (h: HelloBody = {}) =>
  Buffer.concat([
    Buffer.from(u16(h.version ?? 0x0303)),
    h.random ?? Buffer.alloc(32, 1),
    Buffer.from([(h.session ?? Buffer.alloc(0)).length]),
    h.session ?? Buffer.alloc(0),
    Buffer.from([...u16(h.suite ?? 0xc02f), h.compression ?? 0]),
    h.extensions === undefined
      ? Buffer.alloc(0)
      : Buffer.from([...u16(h.extensions.length), ...h.extensions]),
  ]);
const serverHello = (h: HelloBody = {}) => message(2, helloBody(h));
const done = message(14, Buffer.alloc(0));
const certificate = message(11, Buffer.from([0, 0, 0]));
const ecdheKx = (curveType: number, group: number) =>
  message(12, Buffer.from([curveType, ...u16(group), 1, 4]));
const dheKx = (p: Buffer) =>
  message(12, Buffer.concat([Buffer.from(u16(p.length)), p, Buffer.from([0, 1, 2])]));

const parse = (bytes: Buffer, wantKeyExchange = true, eof = false) =>
  parseFirstFlight(bytes, eof, { wantKeyExchange });
const flight = (...messages: Buffer[]) => record(22, Buffer.concat(messages));

describe("ServerHello fields", () => {
  it("TLS 1.2 with the RFC 5746, RFC 7627 and RFC 7366 extensions; consumed is the whole record", () => {
    const bytes = flight(
      serverHello({
        suite: 0x009c,
        compression: 1,
        session: Buffer.alloc(32, 9),
        extensions: [...ext(0xff01, [0]), ...ext(23), ...ext(22), ...ext(11, [1, 0])],
      }),
    );
    expect(parse(bytes)).toEqual({
      kind: "frame",
      consumed: bytes.length,
      value: {
        kind: "server-hello",
        version: "TLSv1.2",
        versionCode: 0x0303,
        cipherSuite: 0x009c,
        compression: 1,
        helloRetry: false,
        group: null,
        dhBits: null,
        extensions: [0xff01, 23, 22, 11],
        secureRenegotiation: true,
        extendedMasterSecret: true,
        encryptThenMac: true,
      },
    });
  });

  it("without extensions, none of them is claimed", () => {
    const result = parse(flight(serverHello({ suite: 0x002f, version: 0x0301 })));
    expect(result).toMatchObject({
      kind: "frame",
      value: {
        version: "TLSv1",
        extensions: [],
        secureRenegotiation: false,
        extendedMasterSecret: false,
        encryptThenMac: false,
      },
    });
  });

  it("TLS 1.3: supported_versions decides the version, key_share the group; nothing more is read", () => {
    const hello = serverHello({
      suite: 0x1301,
      extensions: [...ext(43, u16(0x0304)), ...ext(51, [0, 0x1d, 0, 1, 9])],
    });
    const bytes = Buffer.concat([flight(hello), record(20, Buffer.from([1]))]);
    expect(parse(bytes)).toMatchObject({
      kind: "frame",
      consumed: 5 + hello.length,
      value: {
        version: "TLSv1.3",
        versionCode: 0x0304,
        helloRetry: false,
        group: 0x001d,
        cipherSuite: 0x1301,
      },
    });
  });

  it("HelloRetryRequest: recognised by its random, group from key_share", () => {
    const hrr = serverHello({
      random: helloRetryRequestRandom,
      suite: 0x1302,
      extensions: [...ext(43, u16(0x0304)), ...ext(51, u16(0x0017))],
    });
    expect(parse(flight(hrr))).toMatchObject({
      kind: "frame",
      value: { helloRetry: true, version: "TLSv1.3", group: 0x0017, cipherSuite: 0x1302 },
    });
    const almost = Buffer.from(helloRetryRequestRandom);
    almost[31] = (almost[31] ?? 0) ^ 1;
    expect(parse(flight(serverHello({ random: almost, suite: 0x002f })))).toMatchObject({
      value: { helloRetry: false },
    });
  });

  it("a short supported_versions or key_share is ignored, an unknown version is null", () => {
    const odd = serverHello({
      version: 0x0302,
      suite: 0x002f,
      extensions: [...ext(43, [3]), ...ext(51, [0])],
    });
    expect(parse(flight(odd))).toMatchObject({
      value: { version: "TLSv1.1", versionCode: 0x0302, group: null },
    });
    expect(parse(flight(serverHello({ version: 0x7f17, suite: 0x002f })))).toMatchObject({
      value: { version: null, versionCode: 0x7f17 },
    });
  });
});

describe("ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3)", () => {
  const ecdhe = serverHello({ suite: 0xc02f });
  const dhe = serverHello({ suite: 0x009e });

  it("ECDHE named_curve: the group, after Certificate; explicit curves give none", () => {
    expect(parse(flight(ecdhe, certificate, ecdheKx(3, 0x0018), done))).toMatchObject({
      kind: "frame",
      value: { group: 0x0018, dhBits: null, cipherSuite: 0xc02f },
    });
    expect(parse(flight(ecdhe, certificate, ecdheKx(1, 0x0018), done))).toMatchObject({
      value: { group: null, dhBits: null },
    });
    expect(parse(flight(ecdhe, certificate, message(12, Buffer.from([3]))))).toMatchObject({
      value: { group: null },
    });
  });

  it("DHE: the size of the prime, leading zero bytes and bits not counted", () => {
    const prime = (bytes: number, top: number, zeros = 0) =>
      Buffer.concat([Buffer.alloc(zeros), Buffer.from([top]), Buffer.alloc(bytes - 1, 0xff)]);
    const bits = (p: Buffer) => {
      const r = parse(flight(dhe, certificate, dheKx(p), done));
      return r.kind === "frame" && r.value.kind === "server-hello" ? r.value.dhBits : "no hello";
    };
    expect(bits(prime(256, 0xff))).toBe(2048);
    expect(bits(prime(256, 0xff, 1))).toBe(2048);
    expect(bits(prime(128, 0x80, 2))).toBe(1024);
    expect(bits(prime(128, 0x7f))).toBe(1023);
    expect(bits(prime(128, 0x01))).toBe(1017);
    expect(bits(prime(1, 0x03))).toBe(2);
    expect(bits(Buffer.alloc(4))).toBe(0);
    expect(bits(Buffer.alloc(0))).toBe(0);
    expect(parse(flight(dhe, certificate, message(12, Buffer.from([0x01, 0x00, 0xff]))))).toMatchObject({
      value: { dhBits: null, group: null },
    });
    expect(parse(flight(dhe, certificate, message(12, Buffer.from([0x01]))))).toMatchObject({
      value: { dhBits: null },
    });
  });

  it("only when asked and only for (EC)DHE suites; ServerHelloDone ends the flight", () => {
    const oneRecord = flight(ecdhe, certificate, ecdheKx(3, 0x0018));
    expect(parse(oneRecord, false)).toMatchObject({
      kind: "frame",
      consumed: oneRecord.length,
      value: { group: null },
    });
    const onlyHello = Buffer.concat([record(22, ecdhe), record(22, certificate)]);
    expect(parse(onlyHello, false)).toMatchObject({ kind: "frame", consumed: 5 + ecdhe.length });
    const rsa = serverHello({ suite: 0x009c });
    expect(parse(Buffer.concat([record(22, rsa), record(22, certificate)]), true)).toMatchObject({
      kind: "frame",
      consumed: 5 + rsa.length,
    });
    expect(parse(flight(ecdhe, certificate, done))).toMatchObject({ kind: "frame", value: { group: null } });
    expect(parse(flight(ecdhe, certificate))).toEqual({ kind: "incomplete" });
    expect(parse(flight(ecdhe, certificate), true, true)).toMatchObject({
      kind: "frame",
      value: { group: null },
    });
  });

  it("messages split across records and a record split across reads", () => {
    const whole = Buffer.concat([ecdhe, certificate, ecdheKx(3, 0x001d), done]);
    const records = Buffer.concat([
      record(22, whole.subarray(0, 10)),
      record(22, whole.subarray(10, 50)),
      record(22, whole.subarray(50)),
    ]);
    expect(parse(records)).toMatchObject({
      kind: "frame",
      consumed: records.length,
      value: { group: 0x001d },
    });
    for (const cut of [1, 4, 5, 6, 20, records.length - 1]) {
      expect(parse(records.subarray(0, cut)), `cut at ${cut}`).toEqual({ kind: "incomplete" });
    }
  });
});

describe("edges of the flight", () => {
  it("a suite we do not know is not waited on for a ServerKeyExchange", () => {
    const bytes = Buffer.concat([record(22, serverHello({ suite: 0x5a5a })), record(22, certificate)]);
    expect(parse(bytes)).toMatchObject({ kind: "frame", value: { cipherSuite: 0x5a5a, group: null } });
  });

  it("a HelloRetryRequest or a TLS 1.3 ServerHello ends the flight, whatever suite it names", () => {
    const hrr = serverHello({
      random: helloRetryRequestRandom,
      suite: 0xc02f,
      extensions: [...ext(43, u16(0x0304)), ...ext(51, u16(0x001d))],
    });
    expect(parse(flight(hrr))).toMatchObject({ kind: "frame", value: { helloRetry: true, group: 0x001d } });
    const hrrLegacy = serverHello({ random: helloRetryRequestRandom, suite: 0xc02f });
    expect(parse(flight(hrrLegacy))).toMatchObject({
      kind: "frame",
      value: { helloRetry: true, version: "TLSv1.2" },
    });
    const tls13 = serverHello({
      suite: 0xc02f,
      extensions: [...ext(43, u16(0x0304)), ...ext(51, [0, 0x17, 0, 1, 4])],
    });
    expect(parse(flight(tls13))).toMatchObject({
      kind: "frame",
      value: { version: "TLSv1.3", group: 0x0017 },
    });
  });

  it("an unusable ServerKeyExchange clears a group the ServerHello claimed", () => {
    // A TLS 1.2 ServerHello has no key_share; if one is there, the key exchange still decides.
    const claims = (suite: number) => serverHello({ suite, extensions: [...ext(51, u16(0x001d))] });
    expect(parse(flight(claims(0xc02f), certificate, ecdheKx(1, 0x0018)))).toMatchObject({
      value: { group: null, dhBits: null },
    });
    expect(
      parse(flight(claims(0x009e), certificate, message(12, Buffer.from([0x01, 0x00, 0xff])))),
    ).toMatchObject({
      value: { group: null, dhBits: null },
    });
  });

  it("a message cut anywhere across records is waited for, also after the first message", () => {
    const hello = serverHello({ suite: 0xc02f });
    const rest = Buffer.concat([certificate, ecdheKx(3, 0x0017), done]);
    for (const cut of [1, 2, 3, 5]) {
      const first = Buffer.concat([hello.subarray(0, hello.length - cut)]);
      const second = Buffer.concat([hello.subarray(hello.length - cut), rest]);
      const bytes = Buffer.concat([record(22, first), record(22, second)]);
      expect(parse(record(22, first)), `hello cut ${cut}`).toEqual({ kind: "incomplete" });
      expect(parse(bytes), `hello cut ${cut}`).toMatchObject({ kind: "frame", value: { group: 0x0017 } });
    }
    for (const cut of [1, 2, 3]) {
      const whole = Buffer.concat([hello, certificate]);
      const bytes = Buffer.concat([
        record(22, whole.subarray(0, whole.length - cut)),
        record(22, Buffer.concat([whole.subarray(whole.length - cut), ecdheKx(3, 0x0018), done])),
      ]);
      expect(parse(bytes), `certificate cut ${cut}`).toMatchObject({
        kind: "frame",
        value: { group: 0x0018 },
      });
    }
  });

  it("a ServerKeyExchange cut across records is read whole", () => {
    const hello = serverHello({ suite: 0xc02f });
    const kx = ecdheKx(3, 0x0018);
    for (const cut of [1, 2, 3, 4, 5]) {
      const bytes = Buffer.concat([
        record(22, Buffer.concat([hello, certificate, kx.subarray(0, kx.length - cut)])),
        record(22, Buffer.concat([kx.subarray(kx.length - cut), done])),
      ]);
      expect(parse(bytes), `cut ${cut}`).toMatchObject({ kind: "frame", value: { group: 0x0018 } });
    }
  });

  it("SSL 2.0 is told by the high bit and the message type, from three bytes on", () => {
    expect(parse(Buffer.from([0x80, 0x20, 4]))).toEqual({
      kind: "frame",
      value: { kind: "sslv2" },
      consumed: 3,
    });
    // a TLS record whose version bytes are 3,4 is no SSL 2.0 SERVER-HELLO
    const odd = record(22, serverHello({ suite: 0x009c }), 0x0304);
    expect(parse(odd)).toMatchObject({ kind: "frame", value: { kind: "server-hello", cipherSuite: 0x009c } });
  });
});

describe("alerts and what is not a first flight", () => {
  it("an alert: level, description and its name, or its number", () => {
    expect(parse(record(21, Buffer.from([2, 40])))).toEqual({
      kind: "frame",
      consumed: 7,
      value: { kind: "alert", level: 2, description: 40, name: "handshake_failure" },
    });
    expect(parse(record(21, Buffer.from([2, 199])))).toMatchObject({ value: { name: "alert 199" } });
    expect(parse(record(21, Buffer.alloc(0)))).toMatchObject({ value: { level: 0, description: 0 } });
  });

  it("after a ServerHello, an alert, ChangeCipherSpec or application data ends the flight with the hello", () => {
    const hello = serverHello({ suite: 0xc02f });
    for (const type of [20, 21, 23]) {
      const bytes = Buffer.concat([record(22, hello), record(type, Buffer.from([2, 40]))]);
      expect(parse(bytes), `record ${type}`).toMatchObject({
        kind: "frame",
        consumed: bytes.length,
        value: { kind: "server-hello", cipherSuite: 0xc02f },
      });
    }
  });

  it("before a ServerHello, ChangeCipherSpec and application data are invalid", () => {
    expect(parse(record(20, Buffer.from([1])))).toEqual({
      kind: "invalid",
      message: "record type 20 before ServerHello",
    });
    expect(parse(record(23, Buffer.from([1])))).toEqual({
      kind: "invalid",
      message: "record type 23 before ServerHello",
    });
    expect(parse(record(24, Buffer.from([1])))).toEqual({
      kind: "invalid",
      message: "unknown TLS record type 24",
    });
    expect(parse(flight(certificate))).toEqual({
      kind: "invalid",
      message: "handshake message 11 before ServerHello",
    });
  });

  it("a record of another major version, or longer than TLS allows, is not TLS", () => {
    expect(parse(Buffer.from([22, 2, 0, 0, 1, 0]))).toEqual({
      kind: "invalid",
      message: "not a TLS record (bytes 1602000001)",
    });
    expect(parse(Buffer.from([22, 3, 3, ...u16(16384 + 2049)]))).toMatchObject({ kind: "invalid" });
    expect(parse(Buffer.from([22, 3, 3, ...u16(16384 + 2048)]))).toEqual({ kind: "incomplete" });
  });

  it("SSL 2.0 SERVER-HELLO", () => {
    expect(parse(Buffer.from([0x80, 0x20, 4, 0, 1]))).toEqual({
      kind: "frame",
      value: { kind: "sslv2" },
      consumed: 5,
    });
    expect(parse(Buffer.from([0x80, 0x20]))).toEqual({ kind: "incomplete" });
    expect(parse(Buffer.from([0x80, 0x20, 5, 0, 1]))).toMatchObject({ kind: "invalid" });
  });

  it("nothing yet, or the connection closed with nothing: incomplete", () => {
    expect(parse(Buffer.alloc(0))).toEqual({ kind: "incomplete" });
    expect(parse(Buffer.from([22, 3, 3, 0]), true, true)).toEqual({ kind: "incomplete" });
  });
});

describe("a ServerHello cut short", () => {
  const cases: [string, Buffer, string][] = [
    ["version", Buffer.from([3]), "truncated ServerHello"],
    ["random", Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(31)]), "truncated ServerHello"],
    ["session length", Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32)]), "truncated ServerHello"],
    [
      "session length over 32",
      Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([33])]),
      "truncated ServerHello",
    ],
    [
      "session id",
      Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([8, 1, 2])]),
      "truncated session id",
    ],
    [
      "suite",
      Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0xc0])]),
      "truncated ServerHello",
    ],
    [
      "compression",
      Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0xc0, 0x2f])]),
      "truncated ServerHello",
    ],
    ["extensions length", Buffer.concat([helloBody(), Buffer.from([0])]), "truncated extensions"],
    ["extensions block", Buffer.concat([helloBody(), Buffer.from([0, 9, 0xff, 1])]), "truncated extensions"],
    [
      "extension header",
      Buffer.concat([helloBody(), Buffer.from([0, 3, 0xff, 1, 0])]),
      "truncated extension",
    ],
    [
      "extension body",
      Buffer.concat([helloBody(), Buffer.from([0, 5, 0xff, 1, 0, 2, 0])]),
      "truncated extension",
    ],
  ];
  for (const [what, body, reason] of cases) {
    it(`${what}: ${reason}`, () => {
      expect(parse(flight(message(2, body)))).toEqual({ kind: "invalid", message: reason });
    });
  }

  it("a session id of exactly 32 bytes is fine", () => {
    expect(parse(flight(serverHello({ session: Buffer.alloc(32, 7), suite: 0x009c })))).toMatchObject({
      kind: "frame",
    });
  });

  it("frameFirstFlight gives the same frames and never throws", () => {
    const frame = frameFirstFlight({ wantKeyExchange: true });
    const bytes = flight(serverHello({ suite: 0x009e }), certificate, dheKx(Buffer.alloc(256, 0xff)), done);
    expect(frame(bytes, false)).toEqual(parse(bytes));
    expect(frame(Buffer.from([22, 3, 3, 0, 2, 2]), false)).toEqual({ kind: "incomplete" });
  });
});
