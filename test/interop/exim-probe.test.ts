/**
 * `probe` against Exim 4.96 (Debian, GnuTLS — the other TLS stack of the lab) on the MX of
 * exim.lab.test: the handshake a real client gets, checked against `openssl s_client` on the same
 * endpoint, the SMTP dialogue Exim speaks (STARTTLS on 25, implicit TLS on 465), and the raw
 * enumeration against sslscan where Exim sets no connection limit (eximunlimited.lab.test; the
 * limited ones are in exim-enumeration.test.ts).
 */
import { execFile } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import type { SmtpFacts } from "../../src/audit/dialogue/smtp.js";
import type { EndpointReport } from "../../src/audit/probe/endpoint.js";
import { probeEndpoint } from "../../src/audit/probe/probe-endpoint.js";
import { trustStore } from "../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../src/net/network.js";
import { parseResolverAddress, systemResolver } from "../../src/net/resolver.js";
import { differences, summary } from "./lab/exim-compare.js";
import { eximHosts } from "./lab/exim-lab.js";
import { labPort } from "./lab/ports.js";
import { sClient } from "./openssl.js";
import { opensslSuites, sslscan } from "./sslscan.js";

const lab = inject("lab");
const network = liveNetwork({
  resolver: systemResolver(parseResolverAddress(lab.resolver)),
  allowPrivate: true,
});
const options = {
  ehloName: "probe.lab.test",
  stepTimeoutMs: 5000,
  trustStore: trustStore({ caFiles: [lab.rootCaFile] }),
};
const labHost = (name: string) => {
  const found = eximHosts.find((h) => h.name === name);
  if (!found) throw new Error(`no lab host ${name}`);
  return found;
};
const exim = labHost("exim");

async function probe(port: number) {
  const p = labPort(port);
  const [report, ...more] = await probeEndpoint(
    { host: exim.host, port, service: p.service, tlsMode: p.tlsMode },
    options,
    network,
  );
  expect(more).toHaveLength(0);
  if (!report) throw new Error("no report");
  expect(report.address).toBe(exim.address);
  return report;
}

describe("probe agrees with openssl s_client on Exim (GnuTLS)", () => {
  it.each([25, 465])("exim %i", async (port) => {
    const p = labPort(port);
    const report = await probe(port);
    const reference = await sClient({
      address: exim.address,
      port,
      host: exim.host,
      caFile: lab.rootCaFile,
      ...(p.starttls ? { starttls: p.starttls } : {}),
    });
    expect(report.error, JSON.stringify(report.transcript)).toBeNull();
    expect(reference.connected, reference.output).toBe(true);
    expect(report.tls?.negotiated?.version).toBe(reference.version);
    expect(report.tls?.negotiated?.opensslName).toBe(reference.cipher);
    expect(reference.status).toBe("valid");
    expect(report.tls?.certificate?.status).toBe(reference.status);
    // The chain as served: the leaf and the lab's intermediate.
    expect(report.tls?.certificate?.chainServed).toBe(2);
    expect(report.stats.connections).toBe(1);
  });
});

describe("Exim's SMTP dialogue", () => {
  it("25: Exim banner, STARTTLS advertised, EHLO again after TLS without STARTTLS", async () => {
    const report = await probe(25);
    const facts = report.dialogue?.facts as SmtpFacts;
    expect(report.starttlsAdvertised).toBe(true);
    expect(facts.ehloBeforeTls?.starttls).toBe(true);
    expect(facts.ehloAfterTls).not.toBeNull();
    expect(facts.starttlsAdvertisedAfterTls).toBe(false);
    expect(report.plaintextInjection).toBeNull();
    expect(report.transcript).toContain("S: 220 mail.exim.lab.test ESMTP Exim 4.96 mailcharter-lab");
  });

  it("465: TLS first, then Exim's banner inside it", async () => {
    const report = await probe(465);
    const handshake = report.transcript.findIndex((l) => l.startsWith("*: TLS"));
    const banner = report.transcript.findIndex((l) => /^S: 220 mail\.exim\.lab\.test ESMTP Exim/.test(l));
    expect(handshake).toBeGreaterThanOrEqual(0);
    expect(banner).toBeGreaterThan(handshake);
    expect(report.tls?.negotiated?.version).toBe("TLSv1.3");
  });
});

describe("enumeration agrees with sslscan on Exim without a connection limit", () => {
  it("eximunlimited 25 and 465, probed side by side by the CLI", async () => {
    const unlimited = labHost("eximunlimited");
    const openssl = await opensslSuites();
    const truth = {
      25: await sslscan(unlimited.address, 25, "smtp"),
      465: await sslscan(unlimited.address, 465),
    };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        "node",
        [
          "dist/cli/main.js",
          "probe",
          `${unlimited.host}:25`,
          `${unlimited.host}:465`,
          ...["--resolver", lab.resolver, "--allow-private", "--ca-file", lab.rootCaFile, "--json"],
        ],
        { timeout: 100_000, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) => (error ? reject(new Error(`${error.message}: ${err}`)) : resolve(out)),
      ),
    );
    const reports = (JSON.parse(stdout) as { endpoints: EndpointReport[] }).endpoints;
    expect(reports.map((r) => r.port)).toEqual([25, 465]);
    for (const r of reports) {
      console.info(summary(r));
      expect(r.tls?.enumeration?.complete, summary(r)).toBe(true);
      expect(differences(r, truth[r.port as 25 | 465], openssl), summary(r)).toEqual([]);
      // GnuTLS as Debian configures it for Exim: TLS 1.0 to 1.3 (sslscan), so not a strong MX.
      expect(truth[r.port as 25 | 465].versions).toContain("TLSv1");
    }
  });
});
