/**
 * `audit` returns within the endpoint deadline plus a small margin, whatever its servers do, and a
 * slow endpoint never holds back the others: a domain with a slow-greeting IMAP server and a
 * submission server silent after accept, on loopback, with short injected timeouts.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditDomain } from "../../../src/audit/audit.js";
import { territory } from "../../../src/audit/measures/territory.js";
import { defaultPoliteness } from "../../../src/audit/tls/prober/politeness.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type FakeServer, fakeServer } from "../../support/fake-server.js";
import { type Issued, selfSigned } from "../../support/pki.js";
import { slowGreetingImap } from "../../support/slow-servers.js";

let cert: Issued;
let servers: FakeServer[] = [];
beforeAll(async () => {
  cert = await selfSigned("imap.slow.test");
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("the audit deadline", () => {
  it("a domain with a slow-greeting and a silent server: within the deadline plus a margin", async () => {
    const slow = await slowGreetingImap(700, cert);
    const silent = await fakeServer(() => {});
    servers.push(slow, silent);
    const deadlineMs = 4000;
    const stepMs = 1000;
    const started = Date.now();
    const report = await auditDomain(
      "slow.test",
      {
        ehloName: "probe.test",
        stepTimeoutMs: stepMs,
        endpointDeadlineMs: deadlineMs,
        trustStore: trustStore({ includeSystemRoots: false }),
        enumeration: { quick: false, politeness: { ...defaultPoliteness, backoffMs: 100 } },
        territory: territory({ countries: ["FR"] }),
        conventionalNames: false,
        overrides: [
          { host: "127.0.0.1", port: slow.port, service: "imap", tlsMode: "starttls" },
          { host: "127.0.0.1", port: silent.port, service: "submission", tlsMode: "implicit" },
        ],
      },
      liveNetwork({ resolver: fakeResolver({}), allowPrivate: true }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `audit: ${seconds.toFixed(2)} s; slow ${slow.connections}, silent ${silent.connections} connections`,
    );
    expect(seconds).toBeLessThan((deadlineMs + stepMs) / 1000 + 0.5);
    const imap = report.endpoints.find((e) => e.port === slow.port);
    const submission = report.endpoints.find((e) => e.port === silent.port);
    expect(imap?.tls?.versions).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(imap?.tls?.enumeration?.incompleteReason).toBe("deadline");
    // The silent one, tried twice, was over well before the slow one's deadline: sharing the host's
    // two slots with it costs it waiting, never the slow one's whole deadline.
    expect(silent.connections).toBeLessThanOrEqual(2);
    expect(submission?.stats.durationMs).toBeLessThan(deadlineMs - stepMs);
  });
});
