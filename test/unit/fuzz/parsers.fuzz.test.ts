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
  it(
    "an independent parser reads back the version and suites of any hello",
    () => {
      const versions = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
      fc.assert(
        fc.property(
          fc.constantFrom(...versions),
          fc.uniqueArray(fc.integer({ min: 1, max: 0xfeff }), { minLength: 1, maxLength: 64 }),
          (version, suites) => {
            const hello = buildClientHello({ version, cipherSuites: suites, groups: [0x001d, 0x0017] });
            const reply = answer(
              { versions: [0x0300, 0x0301, 0x0302, 0x0303], suites, serverPreference: false },
              {
                version: hello.readUInt16BE(9),
                suites: [],
                length: hello.length,
              },
            );
            expect(reply).not.toBe("close");
            // Record length and handshake length agree with the bytes.
            expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
            expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
            const sessionLength = hello[43] ?? 0;
            const at = 44 + sessionLength;
            const suitesLength = hello.readUInt16BE(at);
            const offered = Array.from({ length: suitesLength / 2 }, (_, i) =>
              hello.readUInt16BE(at + 2 + i * 2),
            );
            expect(offered.slice(0, suites.length)).toEqual(suites);
          },
        ),
        { numRuns: Math.min(runs, 2000) },
      );
    },
    timeout,
  );
});
