/** The service's page renderers (pure): every value escaped, every text in both languages. */
import { describe, expect, it } from "vitest";
import { diffAudits } from "../../../src/monitor/diff.js";
import type { AuditRun } from "../../../src/monitor/history-store.js";
import { auditRunPage } from "../../../src/web/pages/audit-run.js";
import { diffPage } from "../../../src/web/pages/diff.js";
import { domainPage } from "../../../src/web/pages/domain.js";
import type { PageContext } from "../../../src/web/pages/layout.js";
import { matrixPage } from "../../../src/web/pages/matrix.js";
import { organisationPage } from "../../../src/web/pages/organisation.js";
import { goodMx, reportOf } from "../../support/audit-fixture.js";

const evil = `<script>alert("x")</script>`;
const ctx = (lang: "fr" | "en"): PageContext => ({
  lang,
  path: `/domains/1?q=${evil}`,
  viewer: { email: `a${evil}@x.example`, role: "agency" },
  csrfToken: `tok"en`,
});

const run = (id: number, status: AuditRun["status"], report: AuditRun["report"]): AuditRun => ({
  id,
  jobKey: `k${id}`,
  domain: "x.example",
  organisation: "X",
  trigger: "on_demand",
  requestedBy: "tests",
  cycleId: null,
  status,
  queuedAt: "2026-12-01T10:00:00.000Z",
  startedAt: null,
  finishedAt: report ? report.finishedAt : null,
  verdict: report ? report.verdict : null,
  error: status === "failed" ? evil : null,
  report,
});

const noScript = (page: string) => {
  expect(page).not.toContain("<script>");
  expect(page).not.toMatch(/<style|style="/);
};

describe("page renderers", () => {
  it("the domain page escapes names, the organisation and the CSRF token, in both languages", () => {
    for (const lang of ["fr", "en"] as const) {
      const report = reportOf("x.example", { statuses: { "mx.starttls": "fail" } });
      const page = domainPage(ctx(lang), {
        id: 1,
        domain: "x.example",
        organisation: { id: 2, name: evil },
        runs: [run(3, "failed", null), run(2, "done", report), run(1, "done", reportOf("x.example"))],
        latest: { id: 2, report },
        schedule: { cadenceSeconds: 86_400, nextDueAt: null },
        canAudit: true,
        canSetCadence: true,
      });
      noScript(page);
      expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(page).toContain('value="tok&quot;en"');
      expect(page).toContain(lang === "fr" ? "Historique des audits" : "Audit history");
      expect(page).toContain(lang === "fr" ? "Auditer maintenant" : "Audit now");
      expect(page).toContain(lang === "fr" ? "non conforme à la charte" : "not compliant with the charter");
      expect(page).toContain('value="24"');
      expect(page).toContain(`<html lang="${lang}">`);
    }
  });

  it("the diff page lists the measures and endpoints that changed", () => {
    const before = reportOf("x.example", { finishedAt: "2026-11-30T10:00:00.000Z" });
    const after = reportOf("x.example", {
      statuses: { "mx.starttls": "fail" },
      endpoints: [goodMx("mx2.alpha.example", "192.0.2.26")],
    });
    for (const lang of ["fr", "en"] as const) {
      const page = diffPage(ctx(lang), { domainId: 1, from: 1, to: 2, diff: diffAudits(before, after) });
      noScript(page);
      expect(page).toMatch(/<code>mx\.starttls<\/code>[\s\S]*badge pass[\s\S]*badge fail/);
      expect(page).toContain("mx2.alpha.example");
      expect(page).toContain(lang === "fr" ? "Ajouté" : "Added");
      expect(page).toContain(lang === "fr" ? "Retiré" : "Removed");
    }
    const same = diffPage(ctx("en"), { domainId: 1, from: 1, to: 2, diff: diffAudits(before, before) });
    expect(same).toContain("No difference between these two audits.");
  });

  it("a run in progress refreshes itself; a finished one does not, and its error is escaped", () => {
    expect(auditRunPage(ctx("fr"), 1, run(5, "queued", null))).toContain(
      '<meta http-equiv="refresh" content="3">',
    );
    const failed = auditRunPage(ctx("en"), 1, run(6, "failed", null));
    expect(failed).not.toContain("http-equiv");
    expect(failed).toContain("Failed");
    noScript(failed);
  });

  it("the matrix colours each cell by status, with the reports' signs, and links to the domain", () => {
    const page = matrixPage(ctx("en"), {
      at: "2026-12-01",
      measures: ["mx.starttls", "mx.tls"],
      rows: [
        {
          organisation: evil,
          measures: { "mx.starttls": "fail" },
          domains: [
            {
              domain: "x.example",
              runId: 1,
              verdict: "non_compliant",
              finishedAt: "2026-12-01T10:00:00.000Z",
              measures: { "mx.starttls": "fail" },
            },
          ],
        },
      ],
      domainIds: new Map([["x.example", 7]]),
      organisationIds: new Map(),
    });
    noScript(page);
    expect(page).toContain("&lt;script&gt;");
    expect(page).toContain('class="bg fail"><a href="/domains/7#m-x.example-mx.starttls"');
    expect(page).toContain("✗");
    expect(page).toContain('<td class="none"><span class="visually-hidden">no audit</span></td>');
  });

  it("the organisation dashboard shows the art. 4.4 states in both languages", () => {
    for (const lang of ["fr", "en"] as const) {
      const page = organisationPage(ctx(lang), {
        name: evil,
        adhesionDate: "2026-01-15",
        withdrawalEffectiveDate: null,
        domains: [{ id: 1, domain: "x.example", latest: null }],
        deadlines: [
          { peer: "Y", newerAdhesion: "2026-02-01", deadline: "2026-05-01", covered: false, state: "late" },
        ],
        canAudit: false,
      });
      noScript(page);
      expect(page).toContain(lang === "fr" ? "en retard" : "late");
      expect(page).toContain(lang === "fr" ? "pas encore audité" : "not audited yet");
      expect(page).not.toContain('action="/domains/1/audit"');
    }
  });
});
