/**
 * The audit's orchestration: discovery, probes, autoconfig, webmail and MTA-STS fetches and the DNS
 * policy records run side by side, so a domain takes about as long as its slowest endpoint, not the
 * sum of its steps. The network is fake and slow on purpose: every DNS answer and every connection
 * attempt takes real time (refused in the end), the first MX much longer than the rest.
 */
import { describe, expect, it } from "vitest";
import { auditDomain } from "../../../src/audit/audit.js";
import { discover } from "../../../src/audit/discovery/discovery.js";
import { territory } from "../../../src/audit/measures/territory.js";
import { probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { systemClock } from "../../../src/net/clock.js";
import type { Network } from "../../../src/net/network.js";
import { fail } from "../../../src/net/outcome.js";
import { type FakeZone, fakeResolver, type Resolver } from "../../../src/net/resolver.js";
import { targetGuard } from "../../../src/net/target-guard.js";

const dnsMs = 300;
const connectMs = 300;
const slowMs = 1500;
const slowAddress = "192.0.2.1";

const zone: FakeZone = {
  MX: {
    "example.test": [
      { exchange: "mx1.example.test", priority: 10 },
      { exchange: "mx2.example.test", priority: 20 },
    ],
  },
  A: {
    "mx1.example.test": [slowAddress],
    "mx2.example.test": ["192.0.2.2"],
    "imap.example.test": ["192.0.2.3"],
    "webmail.example.test": ["192.0.2.4"],
    "mta-sts.example.test": ["192.0.2.5"],
    "autoconfig.example.test": ["192.0.2.6"],
    "example.test": ["192.0.2.7"],
  },
  TXT: {
    "example.test": ["v=spf1 -all"],
    "_dmarc.example.test": ["v=DMARC1; p=reject"],
    "_mta-sts.example.test": ["v=STSv1; id=20261201;"],
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The fake resolver, each answer `dnsMs` late. */
function slowResolver(inner: Resolver): Resolver {
  const late =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A) => {
      await sleep(dnsMs);
      return f(...args);
    };
  return {
    description: "slow fake",
    addresses: late(inner.addresses.bind(inner)),
    mx: late(inner.mx.bind(inner)),
    txt: late(inner.txt.bind(inner)),
    srv: late(inner.srv.bind(inner)),
    secure: late(inner.secure.bind(inner)),
  };
}

function slowNetwork(): { network: Network; connections: () => number } {
  let connections = 0;
  const network: Network = {
    resolver: slowResolver(fakeResolver(zone)),
    clock: systemClock,
    guard: targetGuard({ allowPrivate: true }),
    async connect(address, port) {
      connections++;
      await sleep(address === slowAddress ? slowMs : connectMs);
      return fail("refused", `connect to ${address}:${port}: refused (fake)`);
    },
  };
  return { network, connections: () => connections };
}

const options = {
  ehloName: "probe.example.net",
  stepTimeoutMs: 5000,
  trustStore: trustStore({ caFiles: [] }),
  enumeration: false as const,
  territory: territory({ countries: ["FR"] }),
  conventionalNames: true,
};

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

describe("audit orchestration", () => {
  it("takes about as long as the slowest endpoint, not the sum of the steps", async () => {
    const slowest = await timed(() =>
      probeEndpoint(
        { host: "mx1.example.test", port: 25, service: "smtp", tlsMode: "starttls" },
        options,
        slowNetwork().network,
      ),
    );
    expect(slowest.ms).toBeGreaterThanOrEqual(dnsMs + slowMs - 20);
    const discovery = await timed(() =>
      discover("example.test", slowNetwork().network.resolver, { timeoutMs: 5000, conventionalNames: true }),
    );

    const { network, connections } = slowNetwork();
    const audit = await timed(() => auditDomain("example.test", options, network));
    const report = audit.value;
    // Everything was asked: both MX, the conventional names, the MTA-STS policy, the webmail.
    expect(report.endpoints.map((e) => e.host)).toEqual(
      expect.arrayContaining(["mx1.example.test", "mx2.example.test"]),
    );
    expect(report.endpoints.length).toBeGreaterThanOrEqual(4);
    expect(connections()).toBeGreaterThanOrEqual(report.endpoints.length + 1);
    // One after the other, the steps add up: discovery, the autoconfig fetches (two lookups and two
    // connections), the slowest probe, the DNS records, DNSSEC and the MTA-STS fetch — 2.4 s more
    // than discovery and the slowest probe. Side by side: discovery, then the slowest probe, plus half
    // that as a margin (a loaded machine, the fakes' own timers).
    const sequentialExtra = 2 * (dnsMs + connectMs) + 2 * dnsMs + (dnsMs + connectMs);
    expect(audit.ms).toBeLessThan(discovery.ms + slowest.ms + sequentialExtra / 2);
  });
});
