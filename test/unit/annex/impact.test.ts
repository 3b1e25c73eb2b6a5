/**
 * Re-judging stored audits under another annex profile: under the profile that judged them the
 * measures come back unchanged; under the proposed TLS ≥ 1.2 / ECDHE annex, exactly the endpoints
 * that accept older versions or other key exchanges on port 25 fail, with the rules, the endpoints
 * and the advice of the reports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annexImpact, type ImpactSignatory } from "../../../src/annex/impact.js";
import { renderImpactHtml } from "../../../src/annex/impact-html.js";
import { impactSchema } from "../../../src/annex/impact-schema.js";
import { renderImpactText } from "../../../src/annex/impact-text.js";
import { parseProfile } from "../../../src/annex/profile-schema.js";
import { rejudge } from "../../../src/annex/rejudge.js";
import type { AuditReport } from "../../../src/audit/audit.js";
import type { Profile } from "../../../src/audit/profiles/profile.js";
import { charter2015 } from "../../../src/audit/profiles/profiles.js";
import { ecdheOnlyTls, judgedReport, mxOf, tls10Tls, withRsaTls } from "../../support/judged-report.js";
import { sampleReport } from "../report/sample-report.js";

const load = (name: string): Profile => {
  const parsed = parseProfile(
    JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "annex", name), "utf8")),
  );
  if (!parsed.ok) throw new Error(parsed.issues.join("; "));
  return parsed.profile;
};
const proposed = load("tls12-ecdhe-25.json");

const reportOf = judgedReport;
const ecdheOnly = mxOf("mx.alpha.example", ecdheOnlyTls);
const withRsa = mxOf("mx.beta.example", withRsaTls);
const tls10 = mxOf("mx.gamma.example", tls10Tls);

describe("re-judging a stored report", () => {
  it("under the profile that judged it, every measure and the verdict come back as stored", () => {
    for (const report of [
      sampleReport,
      reportOf("alpha.example", [ecdheOnly]),
      reportOf("b.example", [withRsa, tls10]),
    ]) {
      const again = rejudge(JSON.parse(JSON.stringify(report)) as AuditReport, charter2015);
      expect(again.measures).toEqual(report.measures);
      expect(again.verdict).toBe(report.verdict);
    }
  });

  it("under another profile, equals the audit's own judgement under that profile", () => {
    const stored = reportOf("b.example", [withRsa, tls10]);
    const fresh = reportOf("b.example", [withRsa, tls10], proposed);
    expect(rejudge(stored, proposed).measures).toEqual(fresh.measures);
    expect(rejudge(stored, proposed).verdict).toBe(fresh.verdict);
  });
});

describe("impact of a proposed annex", () => {
  const signatories: ImpactSignatory[] = [
    {
      organisation: "Alpha",
      acceptedVersion: "2015",
      baseline: charter2015,
      domains: [
        { domain: "alpha.example", audit: { runId: 1, report: reportOf("alpha.example", [ecdheOnly]) } },
      ],
    },
    {
      organisation: "Beta",
      acceptedVersion: "2015",
      baseline: charter2015,
      domains: [
        { domain: "beta.example", audit: { runId: 2, report: reportOf("beta.example", [withRsa]) } },
        { domain: "new.beta.example", audit: null },
      ],
    },
    {
      organisation: "Gamma",
      acceptedVersion: "2015",
      baseline: charter2015,
      domains: [{ domain: "gamma.example", audit: { runId: 3, report: reportOf("gamma.example", [tls10]) } }],
    },
  ];
  const impact = annexImpact(signatories, proposed, "2026-12-02T00:00:00.000Z");
  const domain = (name: string) =>
    impact.signatories.flatMap((s) => s.domains).find((d) => d.domain === name);

  it("is valid JSON of its schema", () => {
    const parsed = impactSchema.safeParse(JSON.parse(JSON.stringify(impact)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  });

  it("the ECDHE-only, TLS ≥ 1.2 signatory is untouched", () => {
    expect(domain("alpha.example")?.measures).toEqual([]);
    expect(domain("alpha.example")?.verdictAfter).toBe("compliant");
    expect(impact.signatories.find((s) => s.organisation === "Alpha")?.wouldFail).toBe(false);
  });

  it("static RSA accepted on port 25: mx.key-exchange warn → fail, the endpoint, the rule and the advice", () => {
    const beta = domain("beta.example");
    expect(beta?.verdictBefore).toBe("compliant");
    expect(beta?.verdictAfter).toBe("non_compliant");
    expect(beta?.measures.map((m) => [m.measure, m.before, m.after, m.direction])).toEqual([
      ["mx.key-exchange", "warn", "fail", "worse"],
    ]);
    const change = beta?.measures[0];
    expect(change?.endpoints.map((e) => e.endpoint)).toEqual(["mx.beta.example [192.0.2.25]:25"]);
    expect(change?.endpoints[0]?.rules.map((r) => [r.rule, r.code, r.values])).toEqual([
      ["ecdhe-only", "rule.suites-accepted", { suites: ["TLS_RSA_WITH_AES_128_GCM_SHA256"] }],
    ]);
    expect(change?.endpoints[0]?.rules[0]?.advice?.en).toMatch(/tls_high_cipherlist limited to ECDHE/);
    expect(change?.advice?.en).toMatch(/^Enable ECDHE/);
    expect(domain("new.beta.example")).toMatchObject({ runId: null, measures: [] });
  });

  it("TLS 1.0 accepted on port 25: mx.tls-version warn → fail", () => {
    const gamma = domain("gamma.example");
    expect(gamma?.measures.map((m) => [m.measure, m.before, m.after])).toEqual([
      ["mx.tls-version", "warn", "fail"],
    ]);
    expect(gamma?.measures[0]?.endpoints[0]?.rules.map((r) => [r.rule, r.values])).toEqual([
      ["tls12-min", { versions: ["TLSv1"] }],
    ]);
  });

  it("totals per measure and the summary", () => {
    const total = (m: string) => impact.totals.find((t) => t.measure === m);
    expect(total("mx.key-exchange")).toMatchObject({
      worse: 1,
      newlyFailing: 1,
      failing: 1,
      better: 0,
      signatoriesWorse: 1,
    });
    expect(total("mx.tls-version")).toMatchObject({
      worse: 1,
      newlyFailing: 1,
      failing: 1,
      signatoriesWorse: 1,
    });
    expect(total("mx.cipher")).toMatchObject({ worse: 0, better: 0, failing: 0 });
    expect(impact.summary).toEqual({
      signatories: 3,
      domains: 4,
      audited: 3,
      wouldFail: 2,
      improved: 0,
      failingDomains: 2,
    });
  });

  it("a measure already failing is listed as such; a laxer profile shows improvements", () => {
    const strict = annexImpact(
      [
        {
          organisation: "Beta",
          acceptedVersion: "2026",
          baseline: proposed,
          domains: [
            {
              domain: "beta.example",
              audit: { runId: 2, report: reportOf("beta.example", [withRsa], proposed) },
            },
          ],
        },
      ],
      charter2015,
      "2026-12-02T00:00:00.000Z",
    );
    const beta = strict.signatories[0]?.domains[0];
    expect(beta?.measures.map((m) => [m.measure, m.before, m.after, m.direction, m.advice])).toEqual([
      ["mx.key-exchange", "fail", "warn", "better", null],
    ]);
    expect(strict.summary.improved).toBe(1);
    const again = annexImpact(
      [
        {
          organisation: "Beta",
          acceptedVersion: "2026",
          baseline: proposed,
          domains: [
            {
              domain: "beta.example",
              audit: { runId: 2, report: reportOf("beta.example", [withRsa], proposed) },
            },
          ],
        },
      ],
      proposed,
      "2026-12-02T00:00:00.000Z",
    );
    expect(again.signatories[0]?.domains[0]?.measures.map((m) => [m.measure, m.direction])).toEqual([
      ["mx.key-exchange", "same"],
    ]);
    expect(again.summary).toMatchObject({ wouldFail: 0, failingDomains: 1 });
  });

  it("renders text and printable HTML in both languages, every value escaped, no script", () => {
    const en = renderImpactText(impact, "en");
    expect(en).toContain("mx.key-exchange (ECDHE or DHE key exchange): warning → fail");
    expect(en).toContain("rule ecdhe-only (projet §2.2)");
    expect(renderImpactText(impact, "fr")).toContain("Échange de clés ECDHE ou DHE");
    const html = renderImpactHtml({ ...impact, proposed: { ...impact.proposed, title: "<b>x</b>" } }, "fr");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("mx.beta.example [192.0.2.25]:25");
  });
});
