/** Golden files for the audit renderings (UPDATE_GOLDEN=1 rewrites them after a deliberate change). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderAuditHtml } from "../../../src/audit/report/audit-html.js";
import { renderAuditText } from "../../../src/audit/report/audit-text.js";
import { auditGrid, statusCounts } from "../../../src/audit/report/report-grid.js";
import { auditReportSchema } from "../../../src/audit/report/schema.js";
import { sampleReport as report } from "./sample-report.js";

const golden = (name: string, actual: string) => {
  const file = join(import.meta.dirname, "..", "..", "fixtures", "golden", name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
};

describe("audit renderings", () => {
  it("the sample report satisfies the contract", () => {
    const parsed = auditReportSchema.safeParse(JSON.parse(JSON.stringify(report)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    expect(report.verdict).toBe("non_compliant");
  });
  it("terminal, English and French", () => {
    golden("audit.en.txt", renderAuditText(report, "en"));
    golden("audit.fr.txt", renderAuditText(report, "fr"));
  });
  it("the text says discovery's notes and failed lookups (the JSON's discovery), and nothing when none", () => {
    const noted = {
      ...report,
      discovery: {
        ...report.discovery,
        notes: [
          "MX: 7 hosts, only the 5 most preferred probed; not probed: mx6.example.org, mx7.example.org",
          '_pop3._tcp: explicitly not offered (target ".")',
        ],
        failures: [
          { name: "_imaps._tcp.example.org", reason: "timeout" as const, message: "no answer in 5000 ms" },
        ],
      },
    };
    const en = renderAuditText(noted, "en");
    const lines = en.split("\n");
    const at = lines.indexOf("Discovery");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      "  • MX: 7 hosts, only the 5 most preferred probed; not probed: mx6.example.org, mx7.example.org",
      '  • _pop3._tcp: explicitly not offered (target ".")',
      "  • DNS lookup failed: _imaps._tcp.example.org (timeout: no answer in 5000 ms)",
    ]);
    // Before the measures, right after the MX line.
    expect(at).toBeLessThan(lines.findIndex((l) => /mx\.starttls/.test(l)));
    expect(renderAuditText(noted, "fr")).toContain("Découverte\n  • MX: 7 hosts");
    expect(renderAuditText(noted, "fr")).toContain("recherche DNS en échec: _imaps._tcp.example.org");
    expect(renderAuditText(report, "en")).not.toContain("Discovery");
  });
  it("French evidence is French, and the same cookie problem is said once", () => {
    const fr = renderAuditText(report, "fr");
    expect(fr).toContain("le cookie roundcube_sessid n'a pas HttpOnly");
    expect(fr).not.toMatch(/lacks|not advertised|no a /);
    expect(fr.match(/roundcube_sessid/g)).toHaveLength(1);
  });
  it("HTML, English and French", () => {
    golden("audit.en.html", renderAuditHtml([report], "en"));
    golden("audit.fr.html", renderAuditHtml([report], "fr"));
  });
});

describe("HTML report", () => {
  const html = renderAuditHtml([report], "fr");
  it("opens with the verdict, then the counts, then the grid, then the details per annex section", () => {
    const at = (needle: string) => {
      const i = html.indexOf(needle);
      expect(i, needle).toBeGreaterThan(-1);
      return i;
    };
    const verdict = at('class="verdict fail"');
    const counts = at('class="counts"');
    const grid = at('class="grid"');
    const annex1 = at("Annexe §1 — accès des utilisateurs</h3>");
    const annex2 = at("Annexe §2 — liens entre MTA</h3>");
    const beyond = at("Au-delà du texte de 2015 (hors verdict)</h3>");
    expect([verdict, counts, grid, annex1, annex2, beyond]).toEqual(
      [verdict, counts, grid, annex1, annex2, beyond].sort((a, b) => a - b),
    );
  });
  it("counts the charter measures by status, in the report's language", () => {
    const c = statusCounts(report.measures.filter((m) => m.charter));
    expect(c.fail + c.error + c.warn + c.pass + c.not_applicable).toBe(15);
    expect(html).toContain(`<div class="count fail"><b>${c.fail}</b>non conforme</div>`);
    expect(html).toContain(`<b>${c.pass}</b>conforme</div>`);
    expect(html).not.toMatch(/>(pass|fail|warn|not_applicable)</);
  });
  it("the grid colours each endpoint × measure cell by the worst status of its evidence", () => {
    const grid = auditGrid(report);
    const mx2 = grid.rows.find((r) => r.label.startsWith("mx2.example.org"));
    expect(mx2?.cells.get("mx.starttls")?.status).toBe("fail");
    // _25._tcp.mx2.example.org speaks of mx2's row; _dmarc.example.org of the domain's.
    expect(mx2?.cells.get("mx.dane")?.status).toBe("fail");
    expect(grid.rows.at(-1)).toMatchObject({ label: "example.org", kind: "domain" });
    expect(grid.rows.at(-1)?.cells.get("mail.dmarc")?.status).toBe("warn");
    expect(html).toMatch(
      /<td class="bg fail first" title="✗ STARTTLS annoncé mais refusé[^"]*"><a href="#m-example.org-mx.starttls">✗<\/a><\/td>/,
    );
    expect(html).toContain('id="m-example.org-mx.starttls"');
  });
  it("is self-contained: no script, no external resource, values escaped", () => {
    const hostile = renderAuditHtml([{ ...report, domain: '<script>alert(1)</script>"x' }], "en");
    expect(hostile).not.toMatch(/<script/i);
    expect(hostile).not.toMatch(/<link|src=|@import|url\(/);
    expect(hostile).not.toMatch(/ on[a-z]+=/);
    expect(hostile).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;x");
  });
});
