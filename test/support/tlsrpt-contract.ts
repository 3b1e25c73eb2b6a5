/**
 * TLS-RPT store behaviour every engine must show: SQLite (unit), PostgreSQL (interop). `connect` gives
 * a connection to the same fresh database each time it is called during a test: on PostgreSQL a new
 * pool each time, so duplicates are raced from separate connections as two processes would; on SQLite
 * the one handle a process holds (two handles in one thread would wait on each other's lock).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ingestReport } from "../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import type { Store } from "../../src/store/database.js";

const dir = join(import.meta.dirname, "..", "fixtures", "tlsrpt");
export const tlsRptFixture = (name: string) => readFileSync(join(dir, name));
const now = () => new Date("2026-12-01T06:00:00.000Z");

export function tlsRptContract(connect: () => Promise<Store>): void {
  const opened: Store[] = [];
  const open = async () => {
    const store = await connect();
    opened.push(store);
    return TlsRptStore.open(store);
  };
  afterEach(async () => {
    for (const store of new Set(opened.splice(0))) await store.close();
  });
  const ingest = (reports: TlsRptStore, name: string, door: "file" | "https" | "imap" = "file") =>
    ingestReport(reports, {
      bytes: tlsRptFixture(name),
      ...(name.endsWith(".eml") ? { kind: "mail" as const } : {}),
      door,
      source: name,
      now,
    });

  describe("TLS-RPT store contract", () => {
    it("stores a report once: the same organisation and report-id again is a duplicate, whatever the door", async () => {
      const reports = await open();
      const first = await ingest(reports, "google-sts.json");
      expect(first).toMatchObject({
        status: "accepted",
        organization: "Google Inc.",
        policies: 1,
        successful: 1204,
        failed: 0,
      });
      expect(await ingest(reports, "google-sts.json.gz", "https")).toMatchObject({
        status: "duplicate",
        id: first.id,
      });
      expect(await ingest(reports, "google.eml", "imap")).toMatchObject({
        status: "duplicate",
        id: first.id,
      });
      expect(await reports.count()).toBe(1);
    });

    it("keeps the original bytes, the normalised report and the warnings", async () => {
      const reports = await open();
      const result = await ingest(reports, "microsoft-html.eml", "imap");
      const stored = await reports.get(result.id ?? -1);
      expect(stored?.raw.equals(tlsRptFixture("microsoft-html.eml"))).toBe(true);
      expect(stored?.rawKind).toBe("mail");
      expect(stored?.report["date-range"]["start-datetime"]).toBe("2026-11-30T00:00:00Z");
      expect(stored?.warnings.map((w) => w.code)).toContain("date-without-zone");
    });

    it("the same report raced from two connections, ten times each, is stored once (the unique constraint)", async () => {
      const [a, b] = [await open(), await open()];
      const bytes = tlsRptFixture("postfix-dane-tlsa.json");
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ingestReport(i % 2 === 0 ? a : b, { bytes, door: "https", source: `client ${i}`, now }),
        ),
      );
      expect(results.filter((r) => r.status === "accepted")).toHaveLength(1);
      expect(results.filter((r) => r.status === "duplicate")).toHaveLength(19);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await a.count()).toBe(1);
      expect(await a.dailyPolicyFigures("2026-11-30", "2026-11-30")).toHaveLength(2);
    });

    it("a rejected report stores nothing", async () => {
      const reports = await open();
      expect(await ingest(reports, "no-report-id.json")).toMatchObject({
        status: "rejected",
        error: { code: "missing_report_id" },
      });
      expect(await reports.count()).toBe(0);
    });

    it("daily figures per day, organisation, policy domain and type, with failures by result type", async () => {
      const reports = await open();
      for (const f of [
        "google-sts.json",
        "microsoft-no-zone.json",
        "postfix-dane-tlsa.json",
        "rfc8460-appendix-b.json",
        "mailru-totals-disagree.json",
      ])
        expect((await ingest(reports, f)).status).toBe("accepted");
      const figures = await reports.dailyPolicyFigures("2026-11-30", "2026-11-30");
      const contacts: Record<string, string> = {
        "Google Inc.": "smtp-tls-reporting@google.com",
        "Mail.example": "tls_support@corp.mail.example",
        "Microsoft Corporation": "tlsrpt-noreply@microsoft.com",
        "signataire-d.example": "postmaster@signataire-d.example",
        "Company-X": "sts-reporting@company-x.example",
      };
      const row = (
        organization: string,
        policyDomain: string,
        policyType: string,
        successful: number,
        failed: number,
        failures: object,
      ) => ({
        day: "2026-11-30",
        organization,
        // The evidence of who sent it (src/indicators/tlsrpt/reporter.ts): files carry no mail.
        contactInfo: contacts[organization],
        mailDomains: [],
        policyDomain,
        policyType,
        successful,
        failed,
        failures,
        reports: 1,
      });
      expect(figures).toEqual([
        row("Google Inc.", "signataire-a.example", "sts", 1204, 0, {}),
        row("Mail.example", "signataire-b.example", "sts", 0, 1, { "sts-policy-fetch-error": 2 }),
        row("Microsoft Corporation", "signataire-a.example", "sts", 87, 3, { "sts-policy-fetch-error": 3 }),
        row("signataire-d.example", "signataire-e.example", "tlsa", 311, 4, { "tlsa-invalid": 4 }),
        row("signataire-d.example", "signataire-f.example", "no-policy-found", 12, 0, {}),
      ]);
      // The RFC example is of 2016: outside the range asked, counted on its own day.
      expect(await reports.dailyPolicyFigures("2016-04-01", "2016-04-01")).toEqual([
        {
          ...row("Company-X", "company-y.example", "sts", 5326, 303, {
            "certificate-expired": 100,
            "starttls-not-supported": 200,
            "validation-failure": 3,
          }),
          day: "2016-04-01",
        },
      ]);
      expect(await reports.dailyPolicyFigures("2026-12-01", "2026-12-31")).toEqual([]);
    });
  });
}
