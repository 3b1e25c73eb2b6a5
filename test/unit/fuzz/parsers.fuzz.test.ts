/**
 * Fuzzing with fast-check: every parser of server bytes meets random and mutated input without
 * throwing and without hanging. FUZZ_RUNS sets the number of inputs per property (CI: a few
 * thousand; `npm run fuzz`: 100 000 for the TLS parser).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameHttpResponse } from "../../../src/audit/dialogue/http-response.js";
import { frameImapResponse } from "../../../src/audit/dialogue/imap-response.js";
import { framePop3Response } from "../../../src/audit/dialogue/pop3-response.js";
import { frameSmtpReply } from "../../../src/audit/dialogue/smtp-reply.js";
import { namesOf, signatureAlgorithmOf } from "../../../src/audit/tls/der.js";
import { buildClientHello } from "../../../src/audit/tls/wire/client-hello.js";
import { helloRetryRequestRandom } from "../../../src/audit/tls/wire/constants.js";
import { parseFirstFlight } from "../../../src/audit/tls/wire/server-flight.js";
import { answer } from "../../support/legacy-tls-peer.js";
import { readClientHello } from "./independent-hello.js";

const runs = Number(process.env.FUZZ_RUNS ?? 3000);
const timeout = Math.max(20_000, runs * 2);

/** Well-formed first flights to mutate: ServerHello (+HRR), alerts, records split oddly. */
function seeds(): Buffer[] {
  const hello = (suite: number, version: number) => {
    const reply = answer(
      { versions: [version], suites: [suite], serverPreference: true },
      { version, suites: [suite], length: 0 },
    );
    return reply === "close" ? Buffer.alloc(0) : reply;
  };
  // RFC 8446 §4.1.4 HelloRetryRequest: TLS_AES_256_GCM_SHA384, supported_versions 1.3, key_share secp256r1.
  const extensions = Buffer.from("002b00020304003300020017", "hex");
  const body = Buffer.concat([
    Buffer.from("0303", "hex"),
    helloRetryRequestRandom,
    Buffer.from([0, 0x13, 0x02, 0, 0, extensions.length]),
    extensions,
  ]);
  const handshake = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
  const tls13 = Buffer.concat([Buffer.from([22, 3, 3, 0, handshake.length]), handshake]);
  return [
    hello(0x002f, 0x0301),
    hello(0xc02f, 0x0303),
    hello(0x0005, 0x0300),
    tls13,
    Buffer.from([21, 3, 3, 0, 2, 2, 40]),
  ];
}

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds()),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.nat(),
  )
  .map(([seed, flips, cut]) => {
    const copy = Buffer.from(seed);
    for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
    return copy.subarray(0, copy.length === 0 ? 0 : cut % (copy.length + 1));
  });

const bytes = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));

describe("fuzz: TLS first-flight parser", () => {
  it(
    "never throws on random or mutated bytes",
    () => {
      fc.assert(
        fc.property(fc.oneof(bytes, mutated), fc.boolean(), fc.boolean(), (input, eof, wantKeyExchange) => {
          const frame = parseFirstFlight(input, eof, { wantKeyExchange });
          expect(["incomplete", "frame", "invalid"]).toContain(frame.kind);
          if (frame.kind === "frame") expect(frame.consumed).toBeLessThanOrEqual(input.length);
        }),
        { numRuns: runs },
      );
    },
    timeout,
  );

  it("parses the seeds", () => {
    const [tls10, tls12, ssl3, hrr] = seeds();
    expect(parseFirstFlight(tls10 as Buffer, false, { wantKeyExchange: false })).toMatchObject({
      kind: "frame",
      value: { version: "TLSv1", cipherSuite: 0x002f },
    });
    expect(parseFirstFlight(tls12 as Buffer, false, { wantKeyExchange: true })).toMatchObject({
      kind: "frame",
      value: { version: "TLSv1.2" },
    });
    expect(parseFirstFlight(ssl3 as Buffer, false, { wantKeyExchange: false })).toMatchObject({
      kind: "frame",
      value: { version: "SSLv3" },
    });
    expect(parseFirstFlight(hrr as Buffer, false, { wantKeyExchange: false })).toMatchObject({
      kind: "frame",
      value: { version: "TLSv1.3", helloRetry: true, cipherSuite: 0x1302, group: 0x0017 },
    });
  });
});

describe("fuzz: protocol framers and DER readers", () => {
  const text = fc.oneof(
    bytes,
    fc
      .array(
        fc.constantFrom(
          "250-",
          "250 ",
          "* OK ",
          "a1 OK ",
          "+OK",
          ".",
          "\r\n",
          "\n",
          "{5}\r\n",
          "HTTP/1.1 200 OK",
          ": ",
          "0\r\n",
          "Content-Length: 3",
        ),
        { maxLength: 30 },
      )
      .map((parts) => Buffer.from(parts.join(""), "latin1")),
  );
  it(
    "SMTP, IMAP, POP3 and HTTP framers never throw",
    () => {
      fc.assert(
        fc.property(text, fc.boolean(), (input, eof) => {
          frameSmtpReply(input);
          frameImapResponse("a1")(input);
          frameImapResponse(null)(input);
          framePop3Response(true)(input);
          frameHttpResponse({ head: false, maxBody: 64 })(input, eof);
        }),
        { numRuns: runs },
      );
    },
    timeout,
  );

  it(
    "certificate DER readers never throw",
    () => {
      fc.assert(
        fc.property(bytes, (input) => {
          signatureAlgorithmOf(input);
          namesOf(input);
        }),
        { numRuns: runs },
      );
    },
    timeout,
  );
});

describe("property: ClientHello", () => {
  const wire = {
    SSLv3: 0x0300,
    TLSv1: 0x0301,
    "TLSv1.1": 0x0302,
    "TLSv1.2": 0x0303,
    "TLSv1.3": 0x0304,
  } as const;
  const versions = Object.keys(wire) as (keyof typeof wire)[];
  it(
    "an independent parser reads back the version, suites, groups and name of any hello",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...versions),
          fc.uniqueArray(fc.integer({ min: 1, max: 0xfeff }), { minLength: 1, maxLength: 64 }),
          fc.uniqueArray(fc.integer({ min: 1, max: 0xfeff }), { minLength: 1, maxLength: 12 }),
          fc.option(fc.domain(), { nil: undefined }),
          fc.boolean(),
          (version, suites, groups, serverName, offerCompression) => {
            const hello = buildClientHello({
              version,
              cipherSuites: suites,
              groups,
              offerCompression,
              ...(serverName ? { serverName } : {}),
            });
            // Throws on any length that disagrees with the bytes, or on trailing bytes.
            const read = readClientHello(hello);
            const tls13 = version === "TLSv1.3";
            // RFC 8446 §4.1.2: TLS 1.3 says 1.2 in legacy_version and 1.3 in supported_versions only.
            expect(read.clientVersion).toBe(tls13 ? wire["TLSv1.2"] : wire[version]);
            expect(read.supportedVersions).toEqual(tls13 ? [wire["TLSv1.3"]] : null);
            expect(read.recordVersion).toBe(version === "SSLv3" ? wire.SSLv3 : wire.TLSv1);
            // RFC 5746 §3.3: SSL 3.0 hellos carry no extension, the SCSV says it instead.
            expect(read.suites).toEqual(version === "SSLv3" ? [...suites, 0x00ff] : suites);
            expect(read.sessionIdLength).toBe(tls13 ? 32 : 0);
            expect(read.compression).toEqual(offerCompression && !tls13 ? [1, 0] : [0]);
            if (version === "SSLv3") {
              expect(read.extensionTypes).toEqual([]);
            } else {
              expect(read.groups).toEqual(groups);
              expect(read.serverName).toBe(serverName ?? null);
              // RFC 8446 §4.2: no extension type twice.
              expect(new Set(read.extensionTypes).size).toBe(read.extensionTypes.length);
            }
          },
        ),
        { numRuns: Math.min(runs, 2000) },
      );
    },
    timeout,
  );

  it("the independent parser refuses what is not one well-formed hello", () => {
    const hello = buildClientHello({ version: "TLSv1.2", cipherSuites: [0xc02f], groups: [0x001d] });
    expect(() => readClientHello(hello)).not.toThrow();
    expect(() => readClientHello(hello.subarray(0, hello.length - 1))).toThrow();
    expect(() => readClientHello(Buffer.concat([hello, Buffer.from([0])]))).toThrow();
    const wrongSuites = Buffer.from(hello);
    wrongSuites.writeUInt16BE(wrongSuites.readUInt16BE(44) + 2, 44);
    expect(() => readClientHello(wrongSuites)).toThrow();
  });
});
