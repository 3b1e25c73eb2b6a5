/**
 * The elimination logic driven by server models (pure functions answering hellos like a server
 * would): the results and the number of connections, without sockets.
 */
import { describe, expect, it } from "vitest";
import {
  type ProtocolVersion,
  suiteByCode,
  suiteByName,
  suitesFor,
} from "../../../src/audit/tls/cipher-suites.js";
import { enumerate } from "../../../src/audit/tls/prober/enumerate.js";
import type { HelloOutcome, HelloRequest } from "../../../src/audit/tls/prober/hello-exchange.js";

interface Model {
  readonly suites: Partial<Record<ProtocolVersion, readonly string[]>>;
  readonly serverPreference: boolean;
  readonly groups13?: readonly number[];
  readonly curves12?: readonly number[];
  /** What the server does with a hello of a version it lacks. */
  readonly onOldVersion?: "alert" | "close";
  /** What the server does when it shares no suite (or group) with the hello (Dovecot: close). */
  readonly onNoSuite?: "alert" | "close";
  /** DH prime size of its DHE suites. */
  readonly dhBits?: number;
}

const rank: ProtocolVersion[] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const code = (name: string) => {
  const s = suiteByName(name);
  if (!s) throw new Error(name);
  return s.code;
};

function serverModel(model: Model): {
  ask: (r: HelloRequest) => Promise<HelloOutcome>;
  count: () => number;
  versionsAsked: () => number;
} {
  let count = 0;
  const asked = new Set<string>();
  const refuse = (message: string): HelloOutcome =>
    model.onNoSuite === "close" && message === "handshake_failure"
      ? { kind: "dropped", how: "closed", message: "closed" }
      : { kind: "refused", how: "alert", message };
  const ask = async (request: HelloRequest): Promise<HelloOutcome> => {
    count++;
    asked.add(request.version);
    if (request.version === "SSLv2") return { kind: "dropped", how: "closed", message: "closed" };
    const versions = rank.filter((v) => model.suites[v]?.length);
    let version: ProtocolVersion | undefined;
    if (request.version === "TLSv1.3" && versions.includes("TLSv1.3")) version = "TLSv1.3";
    else {
      const max = request.version === "TLSv1.3" ? "TLSv1.2" : request.version;
      version = versions.filter((v) => v !== "TLSv1.3" && rank.indexOf(v) <= rank.indexOf(max)).at(-1);
    }
    if (!version)
      return model.onOldVersion === "close"
        ? { kind: "dropped", how: "closed", message: "closed" }
        : refuse("protocol_version");
    const mine = (model.suites[version] ?? []).map(code);
    const offered = request.cipherSuites;
    const suite = model.serverPreference
      ? mine.find((c) => offered.includes(c))
      : offered.find((c) => mine.includes(c));
    if (suite === undefined) return refuse("handshake_failure");
    const pool = version === "TLSv1.3" ? (model.groups13 ?? []) : (model.curves12 ?? []);
    const group = pool.find((g) => request.groups.includes(g)) ?? null;
    if (version === "TLSv1.3" && group === null) return refuse("handshake_failure");
    return {
      kind: "hello",
      hello: {
        kind: "server-hello",
        version,
        versionCode: 0x0300 + rank.indexOf(version),
        cipherSuite: suite,
        compression: 0,
        helloRetry: version === "TLSv1.3",
        group: version === "TLSv1.3" || suiteByCode(suite)?.keyExchange === "ECDHE" ? group : null,
        dhBits:
          suiteByCode(suite)?.keyExchange === "DHE" && request.wantKeyExchange
            ? (model.dhBits ?? null)
            : null,
        extensions: [],
        secureRenegotiation: true,
        extendedMasterSecret: true,
        encryptThenMac: false,
      },
    };
  };
  return { ask, count: () => count, versionsAsked: () => asked.size };
}

const modern12 = [
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
];
const modern13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"];
const x25519 = 0x001d;
const p256 = 0x0017;
const p384 = 0x0018;

describe("enumeration by elimination", () => {
  it("a modern server (3 + 3 suites, 3 groups) within the connection target, server order", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": modern12, "TLSv1.3": modern13 },
      serverPreference: true,
      groups13: [x25519, p256, p384],
      curves12: [x25519, p256, p384],
    });
    const result = await enumerate([server.ask, server.ask], { quick: false });
    expect(result.versions).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(result.cipherSuites["TLSv1.2"]).toEqual(modern12);
    expect(result.cipherSuites["TLSv1.3"]).toEqual(modern13);
    expect(result.serverPreference).toBe(true);
    expect(result.groups).toEqual(["x25519", "secp256r1", "secp384r1"]);
    expect(result.complete).toBe(true);
    // SPEC target: accepted suites + versions probed + groups + 5.
    expect(server.count()).toBeLessThanOrEqual(6 + 5 + 3 + 5);
    console.log("modern server: connections", server.count());
  });

  it("client order is told apart from server order", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": modern12, "TLSv1.3": modern13 },
      serverPreference: false,
      groups13: [x25519],
    });
    const result = await enumerate([server.ask], { quick: false });
    expect(result.serverPreference).toBe(false);
    expect(new Set(result.cipherSuites["TLSv1.2"])).toEqual(new Set(modern12));
  });

  it("a legacy server: TLS 1.0 and SSL 3.0 with RC4 and 3DES, no TLS 1.3", async () => {
    const legacy = [
      "TLS_RSA_WITH_RC4_128_SHA",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
    ];
    const server = serverModel({ suites: { SSLv3: legacy, TLSv1: legacy }, serverPreference: true });
    const result = await enumerate([server.ask], { quick: false });
    expect(result.versions).toEqual(["SSLv3", "TLSv1"]);
    expect(result.cipherSuites.TLSv1).toEqual(legacy);
    expect(result.cipherSuites.SSLv3).toEqual(legacy);
    expect(result.groups).toEqual([]);
  });

  it("suites outside the first bundle are found, and ordered by the server", async () => {
    const exotic = [
      "TLS_DH_anon_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
    ];
    const server = serverModel({ suites: { "TLSv1.2": exotic }, serverPreference: true, curves12: [p256] });
    const result = await enumerate([server.ask], { quick: false });
    expect(result.cipherSuites["TLSv1.2"]).toEqual(exotic);
  });

  it("a version-intolerant server (closes on old hellos) is still enumerated", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": modern12 },
      serverPreference: true,
      curves12: [p256],
      onOldVersion: "close",
    });
    const result = await enumerate([server.ask], { quick: false });
    expect(result.versions).toEqual(["TLSv1.2"]);
    expect(result.groups).toEqual(["secp256r1"]);
  });

  it("quick mode: one hello per version", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": modern12, "TLSv1.3": modern13 },
      serverPreference: true,
      groups13: [x25519],
    });
    const result = await enumerate([server.ask], { quick: true });
    expect(result.versions).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(result.cipherSuites["TLSv1.2"]).toHaveLength(1);
    expect(server.count()).toBeLessThanOrEqual(4); // 1.3, 1.2, 1.1 (answers for all lower), SSL 2.0
  });

  it("never offers more than 64 suites in one hello, and never TLS 1.3 suites in older hellos", async () => {
    const sizes: number[] = [];
    const server = serverModel({ suites: { "TLSv1.2": modern12 }, serverPreference: true });
    await enumerate(
      [
        async (r) => {
          sizes.push(r.cipherSuites.length);
          if (r.version !== "TLSv1.3") expect(r.cipherSuites.some((c) => c >> 8 === 0x13)).toBe(false);
          return server.ask(r);
        },
      ],
      { quick: false },
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64);
  });

  it("connection budget on a server that closes instead of alerting (Dovecot)", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": modern12, "TLSv1.3": modern13 },
      serverPreference: true,
      groups13: [x25519, p256, p384],
      curves12: [x25519, p256, p384],
      onOldVersion: "close",
      onNoSuite: "close",
    });
    const result = await enumerate([server.ask, server.ask], { quick: false });
    expect(result.versions).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(result.cipherSuites["TLSv1.2"]).toEqual(modern12);
    expect(result.cipherSuites["TLSv1.3"]).toEqual(modern13);
    expect(result.groups).toEqual(["x25519", "secp256r1", "secp384r1"]);
    expect(result.complete).toBe(true);
    const budget = 6 + server.versionsAsked() + 3 + 5;
    console.log("closing server: connections", server.count(), "budget", budget);
    expect(server.count()).toBeLessThanOrEqual(budget);
  });

  it("connection budget on a static-RSA-only TLS 1.0 server", async () => {
    const rsa = [
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
      "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
      "TLS_RSA_WITH_SEED_CBC_SHA",
      "TLS_RSA_WITH_IDEA_CBC_SHA",
    ];
    const server = serverModel({ suites: { TLSv1: rsa }, serverPreference: true });
    const result = await enumerate([server.ask, server.ask], { quick: false });
    expect(result.versions).toEqual(["TLSv1"]);
    expect(new Set(result.cipherSuites.TLSv1)).toEqual(new Set(rsa));
    expect(result.cipherSuites.TLSv1).toEqual(rsa);
    const budget = 6 + server.versionsAsked() + 0 + 5;
    console.log("static RSA server: connections", server.count(), "budget", budget);
    expect(server.count()).toBeLessThanOrEqual(budget);
  });

  it("connection budget on a server with many suites in TLS 1.0, 1.1 and 1.2 (Postfix 'high')", async () => {
    const all12 = suitesFor("TLSv1.2")
      .filter((s) => ["ECDHE", "DHE"].includes(s.keyExchange) && s.authentication === "RSA" && !s.export)
      .map((s) => s.name);
    const older = all12.filter((n) => suitesFor("TLSv1").some((s) => s.name === n));
    const server = serverModel({
      suites: { TLSv1: older, "TLSv1.1": older, "TLSv1.2": all12, "TLSv1.3": modern13 },
      serverPreference: false,
      groups13: [x25519, p256],
      curves12: [x25519, p256],
    });
    const result = await enumerate([server.ask, server.ask], { quick: false });
    expect(new Set(result.cipherSuites["TLSv1.2"])).toEqual(new Set(all12));
    expect(new Set(result.cipherSuites.TLSv1)).toEqual(new Set(older));
    expect(result.versionsProbed).toBe(6);
    const accepted = all12.length + 2 * older.length + 3;
    const budget = accepted + result.versionsProbed + 2 + 5;
    console.log("many suites: connections", server.count(), "budget", budget);
    expect(server.count()).toBeLessThanOrEqual(budget);
  });

  it("the DH size is reported whenever a DHE suite is accepted", async () => {
    const server = serverModel({
      suites: { "TLSv1.2": ["TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"] },
      serverPreference: true,
      dhBits: 2048,
    });
    const result = await enumerate([server.ask], { quick: false });
    expect(result.versions).toEqual(["TLSv1.2"]);
    expect(result.dhBits).toBe(2048);
  });

  it("versions first: the first answers settle every version before any further suite is asked", async () => {
    const server = serverModel({
      suites: {
        TLSv1: modern12.map(() => "TLS_RSA_WITH_AES_128_CBC_SHA"),
        "TLSv1.2": modern12,
        "TLSv1.3": modern13,
      },
      serverPreference: true,
      groups13: [x25519],
    });
    const seen: string[] = [];
    await enumerate(
      [
        async (r) => {
          seen.push(r.version);
          return server.ask(r);
        },
      ],
      { quick: false },
    );
    // One lane: 1.3, 1.2, 1.1 (answered with 1.0), 1.0, SSL 3.0, SSL 2.0 come before the second 1.2 hello.
    const secondTls12 = seen.indexOf("TLSv1.2", seen.indexOf("TLSv1.2") + 1);
    expect(seen.indexOf("SSLv2")).toBeLessThan(secondTls12);
    expect(seen.indexOf("SSLv2")).toBeLessThan(seen.indexOf("TLSv1.3", 1));
  });

  it("an answer that is neither a hello nor an alert is no refusal: the result says incomplete", async () => {
    const server = serverModel({ suites: { "TLSv1.2": modern12 }, serverPreference: true, curves12: [p256] });
    let n = 0;
    const result = await enumerate(
      [
        async (r) => {
          n++;
          if (r.version === "TLSv1.2" && n > 2) return { kind: "inconclusive", message: "not a TLS record" };
          return server.ask(r);
        },
      ],
      { quick: false },
    );
    expect(result.complete).toBe(false);
    expect(result.incompleteReason).toBe("inconclusive");
  });

  it("a throttled endpoint stops the enumeration and says it is incomplete", async () => {
    const result = await enumerate(
      [async () => ({ kind: "throttled", message: "421 too many connections" })],
      { quick: false },
    );
    expect(result.complete).toBe(false);
    expect(result.versions).toEqual([]);
  });
});
