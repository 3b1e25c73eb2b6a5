/** Golden files for the audit renderings (UPDATE_GOLDEN=1 rewrites them after a deliberate change). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../../src/audit/audit.js";
import { verdictOf } from "../../../src/audit/measures/measure.js";
import { evaluateProfile } from "../../../src/audit/profiles/evaluate.js";
import { profiles } from "../../../src/audit/profiles/profiles.js";
import { renderAuditHtml } from "../../../src/audit/report/audit-html.js";
import { renderAuditText } from "../../../src/audit/report/audit-text.js";
import { auditReportSchema } from "../../../src/audit/report/schema.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { accessMeasures, onMx } from "../measures/facts.js";

const golden = (name: string, actual: string) => {
  const file = join(import.meta.dirname, "..", "..", "fixtures", "golden", name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
};

const tls = tlsOf({
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
});
const mx1 = endpointOf({ tls });
const mx2 = endpointOf({
  host: "mx2.example.org",
  address: "192.0.2.26",
  starttlsAdvertised: false,
  error: { step: "starttls", reason: "not_offered", message: "STARTTLS is not advertised" },
});
const imap = endpointOf({
  host: "imap.example.org",
  address: "192.0.2.30",
  port: 143,
  service: "imap",
  starttlsAdvertised: true,
  tls,
  dialogue: { protocol: "IMAP", facts: { authBeforeTls: ["PLAIN"], loginDisabledBeforeTls: false } },
});
const measures = [
  ...accessMeasures([{ report: imap, declared: true }]),
  onMx("mx.starttls", [mx1, mx2]),
  onMx("mx.certificate", [mx1, mx2]),
];
const report: AuditReport = {
  schema: "mailcharter/audit/1",
  domain: "example.org",
  startedAt: "2026-11-29T03:00:00.000Z",
  finishedAt: "2026-11-29T03:00:02.000Z",
  verdict: verdictOf(measures),
  measures,
  endpoints: [mx1, mx2, imap].map((e) => ({ ...e, foundBy: ["mx"] })),
  profiles: profiles.map((p) => evaluateProfile(p, [mx1, mx2, imap])),
  discovery: {
    mx: {
      kind: "mx",
      hosts: [
        { host: "mx.example.org", priority: 10 },
        { host: "mx2.example.org", priority: 20 },
      ],
    },
    notes: [],
  },
};

describe("audit renderings", () => {
  it("the synthetic report satisfies the contract", () => {
    expect(auditReportSchema.safeParse(report).success).toBe(true);
    expect(report.verdict).toBe("non_compliant");
  });
  it("terminal, English and French", () => {
    golden("audit.en.txt", renderAuditText(report, "en"));
    golden("audit.fr.txt", renderAuditText(report, "fr"));
  });
  it("HTML: self-contained, escaped", () => {
    const html = renderAuditHtml([{ ...report, domain: "<script>alert(1)</script>.example" }], "en");
    expect(html).not.toContain("<script>");
    expect(html).not.toMatch(/<link|src=|@import/);
    golden("audit.en.html", renderAuditHtml([report], "en"));
  });
});
