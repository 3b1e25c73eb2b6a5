import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestReport } from "../../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../../src/indicators/tlsrpt/report-store.js";
import { openStore, type Store } from "../../../src/store/database.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt");
const fixture = (name: string) => readFileSync(join(dir, name));
const now = () => new Date("2026-12-01T06:00:00.000Z");

let store: Store;
let reports: TlsRptStore;
beforeEach(async () => {
  store = await openStore(":memory:");
  reports = await TlsRptStore.open(store);
});
afterEach(() => store.close());

const ingest = (name: string, door: "file" | "https" | "imap" = "file") =>
  ingestReport(reports, {
    bytes: fixture(name),
    ...(name.endsWith(".eml") ? { kind: "mail" as const } : {}),
    door,
    source: name,
    now,
  });

describe("TLS-RPT store", () => {
  it("stores a report once: the same organisation and report-id again is a duplicate, whatever the door", async () => {
    const first = await ingest("google-sts.json");
    expect(first).toMatchObject({
      status: "accepted",
      organization: "Google Inc.",
      policies: 1,
      successful: 1204,
      failed: 0,
    });
    expect(await ingest("google-sts.json.gz", "https")).toMatchObject({ status: "duplicate", id: first.id });
    expect(await ingest("google.eml", "imap")).toMatchObject({ status: "duplicate", id: first.id });
    expect(await reports.count()).toBe(1);
  });

  it("keeps the original bytes, the normalised report and the warnings", async () => {
    const result = await ingest("microsoft-html.eml", "imap");
    const stored = await reports.get(result.id ?? -1);
    expect(stored?.raw.equals(fixture("microsoft-html.eml"))).toBe(true);
    expect(stored?.rawKind).toBe("mail");
    expect(stored?.report["date-range"]["start-datetime"]).toBe("2026-11-30T00:00:00Z");
    expect(stored?.warnings.map((w) => w.code)).toContain("date-without-zone");
  });

  it("ten doors delivering the same report at once store it once (the unique constraint)", async () => {
    const bytes = fixture("postfix-dane-tlsa.json");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ingestReport(reports, { bytes, door: "https", source: `client ${i}`, now }),
      ),
    );
    expect(results.filter((r) => r.status === "accepted")).toHaveLength(1);
    expect(results.filter((r) => r.status === "duplicate")).toHaveLength(9);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await reports.count()).toBe(1);
  });

  it("a rejected report stores nothing", async () => {
    expect(await ingest("no-report-id.json")).toMatchObject({
      status: "rejected",
      error: { code: "missing_report_id" },
    });
    expect(await reports.count()).toBe(0);
  });

  it("daily figures per day, organisation, policy domain and type, with failures by result type", async () => {
    for (const f of [
      "google-sts.json",
      "microsoft-no-zone.json",
      "postfix-dane-tlsa.json",
      "rfc8460-appendix-b.json",
      "mailru-totals-disagree.json",
    ])
      expect((await ingest(f)).status).toBe("accepted");
    const figures = await reports.dailyPolicyFigures("2026-11-30", "2026-11-30");
    expect(figures).toEqual([
      {
        day: "2026-11-30",
        organization: "Google Inc.",
        policyDomain: "signataire-a.example",
        policyType: "sts",
        successful: 1204,
        failed: 0,
        failures: {},
        reports: 1,
      },
      {
        day: "2026-11-30",
        organization: "Mail.example",
        policyDomain: "signataire-b.example",
        policyType: "sts",
        successful: 0,
        failed: 1,
        failures: { "sts-policy-fetch-error": 2 },
        reports: 1,
      },
      {
        day: "2026-11-30",
        organization: "Microsoft Corporation",
        policyDomain: "signataire-a.example",
        policyType: "sts",
        successful: 87,
        failed: 3,
        failures: { "sts-policy-fetch-error": 3 },
        reports: 1,
      },
      {
        day: "2026-11-30",
        organization: "signataire-d.example",
        policyDomain: "signataire-e.example",
        policyType: "tlsa",
        successful: 311,
        failed: 4,
        failures: { "tlsa-invalid": 4 },
        reports: 1,
      },
      {
        day: "2026-11-30",
        organization: "signataire-d.example",
        policyDomain: "signataire-f.example",
        policyType: "no-policy-found",
        successful: 12,
        failed: 0,
        failures: {},
        reports: 1,
      },
    ]);
    // The RFC example is of 2016: outside the range asked.
    expect(await reports.dailyPolicyFigures("2016-04-01", "2016-04-01")).toHaveLength(1);
    expect(await reports.dailyPolicyFigures("2026-12-01", "2026-12-31")).toEqual([]);
  });
});
