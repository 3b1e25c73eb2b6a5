/**
 * Never a wrong result marked complete, on Exim 4.96 (GnuTLS). Exim counts a connection until the
 * child serving it has ended and answers the ones beyond `smtp_accept_max` with a plain-text
 * "421 Too many concurrent SMTP connections" — on 465 too, where a TLS ServerHello was expected. The
 * enumeration's short connections reach that limit even at two at a time (default 20), and at once
 * on eximbusy.lab.test (limit 2).
 * The reference is sslscan on eximunlimited.lab.test: the same configuration without any limit, so
 * the same truth holds on the two others. For every endpoint, mailcharter's
 * enumeration is either marked incomplete, or it agrees with sslscan (versions, every suite sslscan
 * sees, and nothing more that the local OpenSSL could have offered).
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditReport } from "../../src/audit/audit.js";
import type { EndpointReport } from "../../src/audit/probe/endpoint.js";
import { differences, summary } from "./lab/exim-compare.js";
import { eximHosts } from "./lab/exim-lab.js";
import { labGeo } from "./lab/lab.js";
import { opensslSuites, type SslscanView, sslscan } from "./sslscan.js";

const lab = inject("lab");
const host = (name: "exim" | "eximbusy" | "eximunlimited") => {
  const found = eximHosts.find((h) => h.name === name);
  if (!found) throw new Error(`no lab host ${name}`);
  return found;
};
const exim = host("exim");
const busy = host("eximbusy");
const unlimited = host("eximunlimited");

let openssl: Set<number>;
const reference = new Map<number, SslscanView>();

beforeAll(async () => {
  openssl = await opensslSuites();
  reference.set(25, await sslscan(unlimited.address, 25, "smtp"));
  reference.set(465, await sslscan(unlimited.address, 465));
}, 120_000);

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 200_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr });
      },
    );
  });
}

const common = () => [
  "--allow-private",
  "--ca-file",
  lab.rootCaFile,
  "--ehlo-name",
  "probe.lab.test",
  "--json",
];

async function probe(targets: readonly string[]): Promise<EndpointReport[]> {
  const run = await cli(["probe", ...targets, "--resolver", lab.resolver, ...common()]);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { endpoints: EndpointReport[] }).endpoints;
}

/** The property: a result marked complete is the true one; anything else says it is incomplete. */
function neverWrongComplete(report: EndpointReport) {
  const truth = reference.get(report.port);
  if (!truth) throw new Error(`no reference for port ${report.port}`);
  console.info(summary(report));
  if (report.error) {
    // Exim was there all along: a failure can only be the throttling it shows.
    expect(report.error.reason, JSON.stringify(report.transcript)).toBe("throttled");
    return;
  }
  const enumeration = report.tls?.enumeration;
  expect(enumeration).toBeDefined();
  if (enumeration?.complete) expect(differences(report, truth, openssl), summary(report)).toEqual([]);
  else expect(enumeration?.complete).toBe(false);
}

describe("the reference", () => {
  it("sslscan sees the same TLS on Exim's 25 and 465 (one configuration)", () => {
    const [a, b] = [reference.get(25), reference.get(465)];
    expect(a?.versions.length).toBeGreaterThan(0);
    expect(a?.versions).toEqual(b?.versions);
    expect(a?.suites).toEqual(b?.suites);
  });
});

describe("probe of Exim: correct, or marked incomplete", () => {
  it("exim 25 and 465 side by side (default limit 20)", async () => {
    const reports = await probe([`${exim.host}:25`, `${exim.host}:465`]);
    expect(reports).toHaveLength(2);
    for (const r of reports) neverWrongComplete(r);
  });

  it("eximbusy 465 alone (smtp_accept_max 2)", async () => {
    const [report] = await probe([`${busy.host}:465`]);
    if (!report) throw new Error("no report");
    neverWrongComplete(report);
  });

  it("eximbusy 25 and 465 side by side (smtp_accept_max 2)", async () => {
    const reports = await probe([`${busy.host}:25`, `${busy.host}:465`]);
    expect(reports).toHaveLength(2);
    for (const r of reports) neverWrongComplete(r);
  });
});

describe("audit of a domain whose MX is Exim", () => {
  const audit = async (domain: string): Promise<AuditReport> => {
    const geoFile = join(lab.dir, "exim-geo.csv");
    writeFileSync(geoFile, labGeo);
    const run = await cli([
      "audit",
      domain,
      "--resolver",
      lab.validatingResolver,
      "--geo-file",
      geoFile,
      ...common(),
    ]);
    expect([0, 1, 3], run.stderr).toContain(run.code);
    return JSON.parse(run.stdout) as AuditReport;
  };
  const status = (report: AuditReport, id: string) => report.measures.find((m) => m.id === id)?.status;
  const oldVersions = (port: number) =>
    (reference.get(port)?.versions ?? []).some((v) => v === "TLSv1" || v === "TLSv1.1");

  it.each(["exim", "eximbusy"] as const)(
    "%s.lab.test",
    async (name) => {
      const h = host(name);
      const report = await audit(h.domain);
      const endpoints = report.endpoints.filter(
        (e) => e.host === h.host && (e.port === 25 || e.port === 465),
      );
      expect(endpoints.map((e) => e.port).sort()).toEqual([25, 465]);
      for (const e of endpoints) neverWrongComplete(e);
      if (name === "exim") {
        expect(status(report, "mx.starttls")).toBe("pass");
        expect(status(report, "mx.certificate")).toBe("pass");
        expect(status(report, "access.certificate")).toBe("pass");
      }
      // Exim accepts TLS 1.0 and 1.1 (sslscan): no measure of versions may pass, whatever was throttled.
      expect(oldVersions(25)).toBe(true);
      expect(oldVersions(465)).toBe(true);
      expect(status(report, "mx.tls-version")).not.toBe("pass");
      expect(status(report, "access.tls-parameters")).not.toBe("pass");
    },
    240_000,
  );
});
