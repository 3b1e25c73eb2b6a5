/**
 * What one domain can make us probe is bounded: MX hosts (limits.maxMxHosts, most preferred kept),
 * targets per SRV label (limits.maxSrvTargetsPerLabel, RFC 2782 order), and domains audited at once
 * (limits.maxConcurrentDomains). Whatever is cut is said in the discovery notes, never dropped silently.
 */
import { describe, expect, it } from "vitest";
import { auditDomain } from "../../../src/audit/audit.js";
import { forEachDomain, mapConcurrent } from "../../../src/audit/audit-domains.js";
import { discover } from "../../../src/audit/discovery/discovery.js";
import { territory } from "../../../src/audit/measures/territory.js";
import { trustStoreOf } from "../../../src/audit/tls/trust-store.js";
import { limits } from "../../../src/core/limits.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";

const manyMx = Array.from({ length: 30 }, (_, i) => ({ exchange: `mx${i}.example.test`, priority: 30 - i }));

describe("discovery bounds", () => {
  it(`keeps the ${limits.maxMxHosts} most preferred of 30 MX hosts and names the others`, async () => {
    const resolver = fakeResolver({ MX: { "example.test": manyMx } });
    const found = await discover("example.test", resolver, { timeoutMs: 100, conventionalNames: false });
    expect(found.mx.hosts).toHaveLength(limits.maxMxHosts);
    // Lowest preference value first (RFC 5321 §5.1): mx29 has priority 1.
    expect(found.mx.hosts[0]).toEqual({ host: "mx29.example.test", priority: 1 });
    expect(found.mx.omitted).toHaveLength(30 - limits.maxMxHosts);
    expect(found.mx.omitted).toContain("mx0.example.test");
    expect(found.endpoints.filter((e) => e.service === "smtp")).toHaveLength(limits.maxMxHosts);
    expect(found.notes.join("\n")).toMatch(
      /MX: 30 hosts, only the \d+ most preferred probed; not probed: .*mx0\.example\.test/,
    );
  });

  it("no note and nothing cut at the limit; duplicate MX names count once", async () => {
    const exactly = manyMx.slice(0, limits.maxMxHosts);
    const resolver = fakeResolver({ MX: { "example.test": [...exactly, ...exactly] } });
    const found = await discover("example.test", resolver, { timeoutMs: 100, conventionalNames: false });
    expect(found.mx.hosts).toHaveLength(limits.maxMxHosts);
    expect(found.mx.omitted).toBeUndefined();
    expect(found.notes).toEqual([]);
  });

  it(`keeps ${limits.maxSrvTargetsPerLabel} targets of an SRV label, by priority then weight`, async () => {
    const targets = Array.from({ length: 9 }, (_, i) => ({
      name: `imap${i}.example.test`,
      port: 993,
      priority: i < 3 ? 10 : 20,
      weight: i,
    }));
    const resolver = fakeResolver({
      MX: { "example.test": [] },
      SRV: { "_imaps._tcp.example.test": targets },
    });
    const found = await discover("example.test", resolver, { timeoutMs: 100, conventionalNames: false });
    expect(found.endpoints.map((e) => e.host)).toEqual([
      "imap2.example.test",
      "imap1.example.test",
      "imap0.example.test",
      "imap8.example.test",
    ]);
    expect(found.notes.join("\n")).toMatch(
      /_imaps\._tcp: 9 targets, only \d+ probed; not probed: .*imap3\.example\.test:993/,
    );
  });

  it("an audit of a domain with 30 MX probes only the kept ones and its report says so", async () => {
    const network = liveNetwork({
      resolver: fakeResolver({ MX: { "example.test": manyMx } }),
      allowPrivate: false,
    });
    const report = await auditDomain(
      "example.test",
      {
        ehloName: "scanner.example.test",
        stepTimeoutMs: 200,
        trustStore: trustStoreOf([], "empty"),
        enumeration: false,
        territory: territory({ countries: ["FR"] }),
        conventionalNames: false,
      },
      network,
    );
    expect(report.endpoints.filter((e) => e.service === "smtp")).toHaveLength(limits.maxMxHosts);
    expect(report.discovery.notes.join("\n")).toContain("not probed: ");
  });
});

describe("domains audited at once", () => {
  it(`runs at most limits.maxConcurrentDomains (${limits.maxConcurrentDomains}) at once, results in order`, async () => {
    let running = 0;
    let peak = 0;
    const domains = Array.from({ length: 11 }, (_, i) => `d${i}.example.test`);
    const results = await forEachDomain(domains, async (domain) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (domain.length % 3)));
      running--;
      return domain.toUpperCase();
    });
    expect(peak).toBe(limits.maxConcurrentDomains);
    expect(results).toEqual(domains.map((d) => d.toUpperCase()));
  });

  it("mapConcurrent with fewer items than the limit, and with none", async () => {
    expect(await mapConcurrent([3, 1, 2], 8, async (n) => n * 2)).toEqual([6, 2, 4]);
    expect(await mapConcurrent([], 4, async (n: number) => n)).toEqual([]);
  });
});
