/**
 * `mailcharter audit` on every lab domain: discovery through the lab's DNS (MX, SRV, conventional
 * names), real servers, and an asserted status for the charter measures of each domain.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditReport } from "../../src/audit/audit.js";
import type { MeasureStatus } from "../../src/audit/measures/measure.js";
import { auditReportSchema } from "../../src/audit/report/schema.js";
import { labGeo } from "./lab/lab.js";

const lab = inject("lab");
let reports: AuditReport[] = [];
let exitCode = -1;
const geoFile = join(lab.dir, "geo.csv");

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr });
      },
    );
  });
}

// The validating resolver (Unbound in front of Knot): DNSSEC and DANE need its AD bit.
const common = () => [
  "--resolver",
  lab.validatingResolver,
  "--allow-private",
  "--ca-file",
  lab.rootCaFile,
  "--geo-file",
  geoFile,
  "--ehlo-name",
  "probe.lab.test",
];
const domains = [
  "good",
  "nostarttls",
  "expired",
  "wronghost",
  "nochain",
  "selfsigned",
  "legacy",
  "mixed",
  "plainlogin",
].map((d) => `${d}.lab.test`);

beforeAll(async () => {
  writeFileSync(geoFile, labGeo);
  const run = await cli(["audit", ...domains, ...common(), "--json"]);
  exitCode = run.code;
  reports = JSON.parse(run.stdout) as AuditReport[];
}, 240_000);

const report = (domain: string) => {
  const found = reports.find((r) => r.domain === `${domain}.lab.test`);
  if (!found) throw new Error(`no report for ${domain}`);
  return found;
};
const status = (domain: string, id: string): MeasureStatus | undefined =>
  report(domain).measures.find((m) => m.id === id)?.status;

describe("audit of the lab domains", () => {
  it("runs every domain in one process, exit 1 since some are non-compliant", () => {
    expect(reports).toHaveLength(domains.length);
    expect(exitCode).toBe(1);
    for (const r of reports) {
      const valid = auditReportSchema.safeParse(r);
      expect(valid.success, JSON.stringify(valid.error?.issues.slice(0, 3))).toBe(true);
      expect(r.schema).toBe("mailcharter/audit/1");
      expect(r.measures.map((m) => m.id)).toContain("mx.territory");
    }
  });

  it("good.lab.test is compliant: every charter measure passes", () => {
    const good = report("good");
    const notPassing = good.measures.filter((m) => m.charter && m.status !== "pass");
    expect(notPassing, JSON.stringify(notPassing, null, 1)).toEqual([]);
    expect(good.verdict).toBe("compliant");
    expect(good.endpoints.find((e) => e.port === 993)?.foundBy).toContain("srv:_imaps._tcp");
    expect(
      good.endpoints.some(
        (e) => e.host === "webmail.good.lab.test" && e.foundBy.includes("conventional-name"),
      ),
    ).toBe(true);
    expect(status("good", "mail.spf")).toBe("pass");
    expect(status("good", "mail.dmarc")).toBe("pass");
    expect(status("good", "mx.tls-rpt")).toBe("pass");
    expect(status("good", "mx.mta-sts")).toBe("pass");
    expect(status("good", "access.autoconfig")).toBe("pass");
    expect(status("good", "mx.dane")).toBe("pass");
    expect(status("good", "dns.dnssec")).toBe("pass");
    expect(good.endpoints.find((e) => e.port === 465)?.foundBy).toContain("autoconfig");
  });

  it.each([
    [
      "nostarttls",
      {
        "mx.starttls": "fail",
        "access.starttls": "fail",
        "webmail.https": "fail",
        "access.autoconfig": "fail",
      },
    ],
    [
      "expired",
      { "mx.certificate": "fail", "access.certificate": "fail", "mx.starttls": "pass", "mx.dane": "fail" },
    ],
    ["wronghost", { "mx.certificate": "fail", "access.certificate": "fail" }],
    ["nochain", { "mx.certificate": "fail", "access.certificate": "fail" }],
    ["selfsigned", { "mx.certificate": "fail", "access.certificate": "fail" }],
    [
      "legacy",
      {
        "mx.tls-version": "fail",
        "mx.key-exchange": "fail",
        "mx.territory": "fail",
        "access.tls-parameters": "warn",
      },
    ],
    ["mixed", { "mx.certificate": "fail", "mx.starttls": "pass" }],
    [
      "plainlogin",
      { "access.starttls": "fail", "access.tls": "pass", "mx.starttls": "pass", "mx.certificate": "pass" },
    ],
  ] as const)("%s.lab.test is non-compliant for the expected measures", (domain, expected) => {
    expect(report(domain).verdict).toBe("non_compliant");
    for (const [id, want] of Object.entries(expected))
      expect(status(domain, id), `${domain} ${id}`).toBe(want);
  });

  it("mixed.lab.test: the evidence names the bad MX and the good one", () => {
    const certificate = report("mixed").measures.find((m) => m.id === "mx.certificate");
    expect(certificate?.evidence.find((e) => e.endpoint?.startsWith("mail.expired"))?.status).toBe("fail");
    expect(certificate?.evidence.find((e) => e.endpoint?.startsWith("mail.good"))?.status).toBe("pass");
  });

  it("--html writes the French report of real servers: verdict first, a grid of endpoints × measures, no script", async () => {
    const file = join(process.env.MAILCHARTER_HTML_DIR ?? tmpdir(), `audit-lab-${process.pid}.fr.html`);
    const run = await cli([
      "audit",
      "good.lab.test",
      "nostarttls.lab.test",
      ...common(),
      "--lang",
      "fr",
      "--no-enumerate",
      "--html",
      file,
    ]);
    expect(run.code).toBe(1);
    const html = readFileSync(file, "utf8");
    if (!process.env.MAILCHARTER_HTML_DIR) rmSync(file);
    expect(html).not.toMatch(/<script/i);
    const verdict = html.indexOf('class="verdict ');
    expect(verdict).toBeGreaterThan(-1);
    expect(verdict).toBeLessThan(html.indexOf('class="grid"'));
    expect(html).toContain('class="verdict fail"');
    expect(html).toMatch(
      /<th scope="row"><code>mail\.nostarttls\.lab\.test \[127\.0\.10\.\d+\]:25<\/code><\/th>/,
    );
    expect(html).toContain("STARTTLS absent de la réponse EHLO");
    expect(html).not.toMatch(/>(pass|fail|warn|not_applicable)</);
  });

  it("a readable report in French, exit 0 for the compliant domain", async () => {
    // With the enumeration: without it the cipher and key-exchange choices stay undetermined.
    const run = await cli(["audit", "good.lab.test", ...common(), "--lang", "fr"]);
    expect(run.stdout).toContain("Annexe §2 — liens entre MTA");
    expect(run.stdout).toMatch(/^good\.lab\.test: conforme/m);
    expect(run.code, run.stderr).toBe(0);
  });
});
