import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importDocumentSchema, importJsonSchema } from "../../../src/indicators/tlsrpt/import-document.js";
import { tlsRptReportJsonSchema } from "../../../src/indicators/tlsrpt/report-schema.js";
import { sentReportJsonSchema } from "../../../src/indicators/tlsrpt/sent-report-schema.js";
import { cli } from "../../support/cli.js";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt");
const root = join(import.meta.dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => join(fixtures, name);

describe("indicators import", () => {
  it("one entry per file, in order: accepted, duplicate, rejected with reason; exit 1 when one is refused", async () => {
    const db = join(dir, "a.sqlite");
    // A gzip report under a name that says nothing: the bytes decide.
    const renamed = join(dir, "report.bin");
    writeFileSync(renamed, readFileSync(f("microsoft.gz")));
    const files = [
      f("google.eml"),
      f("google-sts.json.gz"),
      renamed,
      f("truncated.json"),
      join(dir, "missing.json"),
      f("variants.json"),
    ];
    const result = await cli("indicators", "import", "--db", db, "--json", ...files);
    expect(result.err).toBe("");
    expect(result.code).toBe(1);
    const doc = importDocumentSchema.parse(JSON.parse(result.out));
    expect(doc.schema).toBe("mailcharter/indicators-import/1");
    expect(doc.results.map((r) => [r.file, r.status, r.error?.code ?? null])).toEqual([
      [files[0], "accepted", null],
      [files[1], "duplicate", null],
      [files[2], "accepted", null],
      [files[3], "rejected", "not_json"],
      [files[4], "rejected", "unreadable"],
      [files[5], "accepted", null],
    ]);
    expect(doc.results[0]).toMatchObject({
      organization: "Google Inc.",
      reportId: "2026-11-30T00:00:00Z_signataire-a.example",
      policies: 1,
      successful: 1204,
      failed: 0,
      // The fixture is the mail as Google sent it, less its DKIM signature (the key is Google's).
      warnings: [{ code: "dkim-none", path: "", detail: expect.stringContaining("not DKIM-signed") }],
    });
    expect(doc.results[2]?.warnings.map((w) => w.code)).toContain("date-without-zone");
    // Again: everything already stored is a duplicate, exit 0.
    const again = await cli(
      "indicators",
      "import",
      "--db",
      db,
      f("google-sts.json"),
      f("microsoft-no-zone.json"),
    );
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/google-sts\.json: duplicate — Google Inc\./);
    expect(again.out).toMatch(/microsoft-no-zone\.json: duplicate — Microsoft Corporation/);
  });

  it("a mistyped --db directory is a usage error and creates nothing", async () => {
    const result = await cli(
      "indicators",
      "import",
      "--db",
      join(dir, "nope", "x.sqlite"),
      f("google-sts.json"),
    );
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/does not exist/);
  });

  it("the committed JSON Schemas are the ones generated from the zod schemas (npx tsx scripts/gen-schema.ts)", () => {
    for (const [file, schema] of [
      ["indicators-import.schema.json", importJsonSchema()],
      ["tlsrpt-report.schema.json", tlsRptReportJsonSchema()],
      ["tlsrpt-sent-report.schema.json", sentReportJsonSchema()],
    ] as const) {
      const {
        $id: _id,
        title: _title,
        ...rest
      } = JSON.parse(readFileSync(join(root, "schema", file), "utf8"));
      expect(rest).toEqual(schema);
    }
  });
});
