/**
 * The prober against a scripted legacy TLS peer (what Debian's OpenSSL 3 cannot serve): SSL 3.0, RC4,
 * 3DES, export suites, servers that ignore suites past the 64th or close on long hellos.
 */
import { afterEach, describe, expect, it } from "vitest";
import { probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import { defaultPoliteness } from "../../../src/audit/tls/prober/politeness.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import type { FakeServer } from "../../support/fake-server.js";
import { type LegacyPeerConfig, legacyTlsPeer, suite } from "../../support/legacy-tls-peer.js";

const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
let peers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});

async function enumerateLegacy(config: LegacyPeerConfig) {
  const peer = await legacyTlsPeer(config);
  peers.push(peer);
  const politeness = { ...defaultPoliteness, backoffMs: 10 };
  const [report] = await probeEndpoint(
    { host: peer.address, port: peer.port, service: "https", tlsMode: "implicit" },
    {
      ehloName: "probe.test",
      stepTimeoutMs: 1000,
      trustStore: trustStore({ includeSystemRoots: false }),
      enumeration: { quick: false, politeness },
    },
    network,
  );
  if (!report) throw new Error("no report");
  return { report, peer };
}

describe("legacy TLS servers", () => {
  it("SSL 3.0 and TLS 1.0 with RC4 preferred over 3DES: found, in the server's order", async () => {
    const { report, peer } = await enumerateLegacy({
      versions: [0x0300, 0x0301],
      suites: [suite.RC4_128_SHA, suite.DES_CBC3_SHA, suite.RC4_128_MD5],
      serverPreference: true,
    });
    // Node's own handshake cannot complete with this peer; the raw enumeration still reports.
    expect(report.error?.step).toBe("handshake");
    expect(report.tls?.negotiated).toBeNull();
    expect(report.tls?.versions).toEqual(["SSLv3", "TLSv1"]);
    expect(report.tls?.enumeration?.sslv2).toBe(false);
    expect(report.tls?.cipherSuites?.SSLv3).toEqual([
      "TLS_RSA_WITH_RC4_128_SHA",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_RSA_WITH_RC4_128_MD5",
    ]);
    expect(report.tls?.cipherSuites?.TLSv1).toEqual(report.tls?.cipherSuites?.SSLv3);
    expect(report.tls?.enumeration?.serverPreferenceByVersion.TLSv1).toBe(true);
    expect(report.tls?.enumeration?.secureRenegotiation).toBe(false);
    expect(report.stats.connections).toBe(peer.connections);
  });

  it("an SSL 3.0-only server answering 3DES and export RC4", async () => {
    const { report } = await enumerateLegacy({
      versions: [0x0300],
      suites: [suite.DES_CBC3_SHA, suite.EXP_RC4_40_MD5],
      serverPreference: false,
      sslv2: true,
    });
    expect(report.tls?.versions).toEqual(["SSLv2", "SSLv3"]);
    expect(report.tls?.enumeration?.sslv2).toBe(true);
    expect(new Set(report.tls?.cipherSuites?.SSLv3)).toEqual(
      new Set(["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"]),
    );
    expect(report.tls?.enumeration?.serverPreferenceByVersion.SSLv3).toBe(false);
  });

  it("a server that ignores suites past the 64th still has every suite found", async () => {
    const { report } = await enumerateLegacy({
      versions: [0x0301],
      suites: [suite.SEED_CBC_SHA, suite.IDEA_CBC_SHA, suite.DES_CBC3_SHA],
      serverPreference: true,
      maxSuitesRead: 64,
    });
    expect(new Set(report.tls?.cipherSuites?.TLSv1)).toEqual(
      new Set(["TLS_RSA_WITH_SEED_CBC_SHA", "TLS_RSA_WITH_IDEA_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]),
    );
  });

  it("a server that closes on long hellos: offers are split until it answers", async () => {
    const { report } = await enumerateLegacy({
      versions: [0x0301],
      suites: [suite.DES_CBC3_SHA, suite.AES128_SHA],
      serverPreference: true,
      closeOnHelloLongerThan: 200,
    });
    expect(report.tls?.versions).toEqual(["TLSv1"]);
    expect(report.tls?.cipherSuites?.TLSv1).toEqual([
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
    ]);
    expect(report.tls?.enumeration?.notes.join(" ")).toMatch(/dropped/);
  });
});
