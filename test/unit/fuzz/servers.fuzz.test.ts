/**
 * Fuzzing whole server behaviours, not only parsers: a scripted server on loopback answers each
 * probe with a generated script — protocol lines, random bytes, floods up to and past the byte caps
 * (64 KiB for a mail reply, 64 KiB + 1 MiB for an HTTP response), pauses, closes, resets and
 * silence — for SMTP, IMAP, POP3 (STARTTLS and implicit TLS) and HTTP. Each probe must return a
 * report within its deadline (plus a small margin), never throw, and leave no uncaught exception.
 * Runs per property: FUZZ_SERVER_RUNS, else 12 in `npm test` and 300 under `npm run fuzz`.
 */
import type { Socket } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TlsMode } from "../../../src/audit/dialogue/dialogue.js";
import { readAutoconfig } from "../../../src/audit/discovery/autoconfig-xml.js";
import { httpFetch } from "../../../src/audit/probe/http-fetch.js";
import { type ProbeOptions, probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import type { Service } from "../../../src/audit/probe/services.js";
import { trustStoreOf } from "../../../src/audit/tls/trust-store.js";
import { readLoginPage } from "../../../src/audit/web/login-page.js";
import { limits } from "../../../src/core/limits.js";
import { HostLimiter } from "../../../src/net/host-limiter.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type FakeServer, fakeServer } from "../../support/fake-server.js";

const runs = Number(process.env.FUZZ_SERVER_RUNS ?? (process.env.FUZZ_RUNS ? 300 : 12));
const stepTimeoutMs = 250;
const endpointDeadlineMs = 3000;
/** Closing sockets, the last timer and the event loop under load (2 shared cores). */
const marginMs = 1500;

/** One step of a server script. Floods are described, not stored, so shrinking stays cheap. */
type Step =
  | { readonly kind: "send"; readonly bytes: Buffer }
  | { readonly kind: "flood"; readonly unit: string; readonly bytes: number }
  | { readonly kind: "await-line" }
  | { readonly kind: "pause"; readonly ms: number };
type End = "close" | "reset" | "hang";
interface Script {
  readonly steps: readonly Step[];
  readonly end: End;
}

const lines: Record<"smtp" | "imap" | "pop3" | "http", readonly string[]> = {
  smtp: [
    "220 mx.fuzz.test ESMTP\r\n",
    "220-mx.fuzz.test\r\n",
    "250-mx.fuzz.test\r\n",
    "250-STARTTLS\r\n",
    "250-AUTH PLAIN LOGIN\r\n",
    "250 SIZE 10240000\r\n",
    "250 OK\r\n",
    "220 2.0.0 Ready to start TLS\r\n",
    "421 4.7.0 Too many concurrent SMTP connections\r\n",
    "454 4.7.0 TLS not available\r\n",
    "501 Syntax error\r\n",
    "554 no\r\n",
    "250",
    "\r\n",
  ],
  imap: [
    "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n",
    "* PREAUTH hi\r\n",
    "* BYE go away\r\n",
    "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n",
    "a1 OK done\r\n",
    "a2 OK Begin TLS negotiation now\r\n",
    "a1 NO\r\n",
    "* 1 FETCH (BODY[] {5}\r\n",
    "{99999999}\r\n",
    "+ \r\n",
  ],
  pop3: [
    "+OK POP3 ready\r\n",
    "+OK\r\n",
    "CAPA\r\n",
    "STLS\r\n",
    "USER\r\n",
    "SASL PLAIN\r\n",
    ".\r\n",
    "-ERR no\r\n",
    "+OK Begin TLS\r\n",
  ],
  http: [
    "HTTP/1.1 200 OK\r\n",
    "HTTP/1.1 100 Continue\r\n\r\n",
    "HTTP/1.1 302 Found\r\nLocation: /x\r\n",
    "HTTP/1.0 204 No Content\r\n\r\n",
    "Content-Length: 5\r\n",
    "Content-Length: 99999999\r\n",
    "Transfer-Encoding: chunked\r\n",
    "Set-Cookie: sid=1; Secure\r\n",
    "\r\n",
    "5\r\nhello\r\n",
    "0\r\n\r\n",
    "ffffffff\r\n",
    "<form action=http://x/><input type=password>",
    '<clientConfig><emailProvider><incomingServer type="imap"><hostname>h</hostname><port>993</port>',
  ],
};

/** Units repeated to the byte caps: line floods, unterminated data, nested markup, interim responses. */
const floodUnits: Record<keyof typeof lines, readonly string[]> = {
  smtp: ["250-X\r\n", "2", "220-", "\n", "\u00ff"],
  imap: ["* OK\r\n", "* ", "{1}\r\nx", "("],
  pop3: ["+OK\r\n", "x", "..\r\n"],
  http: ["HTTP/1.1 100 Continue\r\n\r\n", "X-A: b\r\n", "<form>", "<div>", "a", "1\r\nx\r\n"],
};

const tlsRecords = [
  Buffer.from([21, 3, 3, 0, 2, 2, 40]), // fatal handshake_failure alert
  Buffer.from([22, 3, 3, 0, 4, 2, 0, 0, 0]), // empty ServerHello
  Buffer.from([22, 3, 1, 0xff, 0xff]), // record header announcing 64 KiB
];

/** Well-behaved openings, so that generated chaos also lands after STARTTLS and inside TLS. */
const send = (text: string): Step => ({ kind: "send", bytes: Buffer.from(text, "latin1") });
const line: Step = { kind: "await-line" };
const openings: Record<keyof typeof lines, readonly (readonly Step[])[]> = {
  smtp: [
    [],
    [send("220 mx.fuzz.test ESMTP\r\n"), line],
    [send("220 mx.fuzz.test ESMTP\r\n"), line, send("250-mx.fuzz.test\r\n250 STARTTLS\r\n"), line],
    [
      send("220 mx.fuzz.test ESMTP\r\n"),
      line,
      send("250-mx.fuzz.test\r\n250 STARTTLS\r\n"),
      line,
      send("220 2.0.0 go ahead\r\n"),
    ],
  ],
  imap: [
    [],
    [send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"), line],
    [
      send("* OK ready\r\n"),
      line,
      send("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK\r\n"),
      line,
      send("a2 OK go\r\n"),
    ],
  ],
  pop3: [
    [],
    [send("+OK ready\r\n"), line],
    [send("+OK ready\r\n"), line, send("+OK\r\nSTLS\r\n.\r\n"), line, send("+OK go\r\n")],
  ],
  http: [[], [line], [line, send("HTTP/1.1 200 OK\r\n")]],
};

function script(protocol: keyof typeof lines, cap: number): fc.Arbitrary<Script> {
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...lines[protocol])
        .map((t) => ({ kind: "send" as const, bytes: Buffer.from(t, "latin1") })),
    },
    {
      weight: 2,
      arbitrary: fc
        .uint8Array({ maxLength: 600 })
        .map((a) => ({ kind: "send" as const, bytes: Buffer.from(a) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...tlsRecords).map((bytes) => ({ kind: "send" as const, bytes })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("flood" as const),
        unit: fc.constantFrom(...floodUnits[protocol]),
        // Up to the cap and a little past it.
        bytes: fc.oneof(fc.integer({ min: 1, max: cap + 4096 }), fc.constant(cap), fc.constant(cap + 1)),
      }),
    },
    { weight: 4, arbitrary: fc.constant({ kind: "await-line" as const }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((ms) => ({ kind: "pause" as const, ms })) },
  );
  return fc.record({
    steps: fc
      .tuple(fc.constantFrom(...openings[protocol]), fc.array(step, { maxLength: 14 }))
      .map(([opening, rest]) => [...opening, ...rest]),
    // Silence is the slow case (each read waits for its step timeout): rarer.
    end: fc.oneof(
      { weight: 4, arbitrary: fc.constant<End>("close") },
      { weight: 2, arbitrary: fc.constant<End>("reset") },
      { weight: 1, arbitrary: fc.constant<End>("hang") },
    ),
  });
}

/** Resolves with the next LF-terminated line the client sends, or on close / after 1 s. */
function awaitLine(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      if (chunk.includes(0x0a) || chunk[0] === 22) done();
    };
    const timer = setTimeout(done, 1000);
    socket.on("data", onData);
    socket.once("close", done);
  });
}

async function play(socket: Socket, current: Script): Promise<void> {
  for (const step of current.steps) {
    if (socket.destroyed) return;
    if (step.kind === "send") socket.write(step.bytes);
    else if (step.kind === "flood")
      socket.write(
        Buffer.from(
          step.unit.repeat(Math.ceil(step.bytes / step.unit.length)).slice(0, step.bytes),
          "latin1",
        ),
      );
    else if (step.kind === "await-line") await awaitLine(socket);
    else await new Promise((resolve) => setTimeout(resolve, step.ms));
  }
  if (current.end === "close") socket.end();
  else if (current.end === "reset") socket.resetAndDestroy();
}

let server: FakeServer;
let current: Script = { steps: [], end: "close" };
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeAll(async () => {
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  server = await fakeServer((socket) => play(socket, current));
});
afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
  await server.close();
});

const network = liveNetwork({
  resolver: fakeResolver({}),
  allowPrivate: true,
  limiter: new HostLimiter({ maxPerHost: 2, delayMs: 0 }),
});
const probeOptions = (enumerate: boolean): ProbeOptions => ({
  ehloName: "scanner.fuzz.test",
  stepTimeoutMs,
  endpointDeadlineMs,
  trustStore: trustStoreOf([], "none"),
  enumeration: enumerate
    ? {
        quick: true,
        politeness: {
          maxConnectionsPerHost: 2,
          delayMs: 0,
          maxConnectionsPerEndpoint: 12,
          retries: 1,
          backoffMs: 10,
        },
      }
    : false,
});

const cases: ReadonlyArray<{
  name: string;
  protocol: keyof typeof lines;
  service: Service;
  tlsMode: TlsMode;
  enumerate: boolean;
}> = [
  { name: "SMTP with STARTTLS", protocol: "smtp", service: "smtp", tlsMode: "starttls", enumerate: false },
  {
    name: "SMTP with STARTTLS, enumerating",
    protocol: "smtp",
    service: "smtp",
    tlsMode: "starttls",
    enumerate: true,
  },
  { name: "IMAP with STARTTLS", protocol: "imap", service: "imap", tlsMode: "starttls", enumerate: false },
  {
    name: "IMAP on implicit TLS, enumerating",
    protocol: "imap",
    service: "imap",
    tlsMode: "implicit",
    enumerate: true,
  },
  { name: "POP3 with STLS", protocol: "pop3", service: "pop3", tlsMode: "starttls", enumerate: false },
  { name: "HTTP", protocol: "http", service: "https", tlsMode: "none", enumerate: false },
];

describe("fuzz: whole server behaviours", () => {
  for (const c of cases) {
    const cap =
      c.protocol === "http" ? limits.maxHttpHeadBytes + limits.maxHttpBodyBytes : limits.maxReplyBytes;
    it(
      `${c.name}: a report within the deadline, never an exception`,
      async () => {
        await fc.assert(
          fc.asyncProperty(script(c.protocol, cap), async (generated) => {
            current = generated;
            const started = Date.now();
            const reports = await probeEndpoint(
              { host: "127.0.0.1", port: server.port, service: c.service, tlsMode: c.tlsMode },
              probeOptions(c.enumerate),
              network,
            );
            const elapsed = Date.now() - started;
            expect(elapsed).toBeLessThan(endpointDeadlineMs + marginMs);
            expect(reports).toHaveLength(1);
            const [report] = reports;
            expect(["completed", "failed"]).toContain(report?.outcome);
            if (report?.outcome === "failed") expect(report.error?.message).toBeTruthy();
            // The report is data: it serialises, and the transcript stays bounded.
            // The budget counts bytes before control bytes are shown as \xNN (4 characters each), and
            // every line gets its "S: " prefix.
            const transcript: readonly string[] = JSON.parse(JSON.stringify(report?.transcript ?? []));
            const characters = transcript.reduce((sum, l) => sum + l.length, 0);
            expect(characters).toBeLessThanOrEqual(
              4 * limits.maxTranscriptBytes + 3 * transcript.length + 64,
            );
            expect(() => JSON.stringify(report)).not.toThrow();
            expect(uncaught).toEqual([]);
          }),
          { numRuns: runs },
        );
      },
      runs * (endpointDeadlineMs + marginMs) + 10_000,
    );
  }

  it(
    "HTTP fetch of a page: the login-page and autoconfig readers get whatever body arrives",
    async () => {
      const cap = limits.maxHttpHeadBytes + limits.maxHttpBodyBytes;
      await fc.assert(
        fc.asyncProperty(script("http", cap), async (generated) => {
          current = generated;
          const started = Date.now();
          const result = await httpFetch(`http://127.0.0.1:${server.port}/`, network, { stepTimeoutMs });
          const body = result.body ?? "";
          const page = readLoginPage(body, result.finalUrl);
          const document = readAutoconfig(body, "fuzz.test");
          expect(Date.now() - started).toBeLessThan(limits.endpointDeadlineMs);
          expect(result.hops.length).toBeGreaterThan(0);
          expect(result.hops.length).toBeLessThanOrEqual(limits.maxRedirects + 1);
          expect(Array.isArray(page.plainHttp)).toBe(true);
          if (document.ok) expect(document.servers.length).toBeLessThanOrEqual(limits.maxAutoconfigServers);
          expect(uncaught).toEqual([]);
        }),
        { numRuns: runs },
      );
    },
    runs * 12_000 + 10_000,
  );
});
