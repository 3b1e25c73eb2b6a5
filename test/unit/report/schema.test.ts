import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditJsonSchema, auditReportSchema } from "../../../src/audit/report/schema.js";

describe("report schema", () => {
  it("the committed JSON Schema is the one generated from the zod schema (npx tsx scripts/gen-schema.ts)", () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "..", "schema", "audit-report.schema.json"), "utf8"),
    );
    const { $id: _id, title: _title, ...rest } = committed;
    expect(rest).toEqual(auditJsonSchema());
  });

  it("refuses a report that breaks the contract", () => {
    const base = {
      schema: "mailcharter/audit/1",
      domain: "example.org",
      startedAt: "2026-11-29T03:00:00.000Z",
      finishedAt: "2026-11-29T03:00:01.000Z",
      verdict: "compliant",
      measures: [
        {
          id: "mx.starttls",
          ref: "§2.2",
          charter: true,
          status: "pass",
          summary: { fr: "ok", en: "ok" },
          evidence: [],
        },
      ],
      endpoints: [],
      profiles: [],
    };
    expect(auditReportSchema.safeParse(base).success).toBe(true);
    expect(auditReportSchema.safeParse({ ...base, verdict: "ok" }).success).toBe(false);
    expect(
      auditReportSchema.safeParse({ ...base, measures: [{ ...base.measures[0], status: "passed" }] }).success,
    ).toBe(false);
    expect(auditReportSchema.safeParse({ ...base, schema: "mailcharter/audit/2" }).success).toBe(false);
  });
});
