import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { monitorJsonSchema, monitorReport, monitorReportSchema } from "../../../src/monitor/cycle-report.js";
import type { AuditRun } from "../../../src/monitor/history-store.js";
import { goodMx, reportOf } from "../../support/audit-fixture.js";

const run = (id: number, domain: string, report: AuditRun["report"]): AuditRun => ({
  id,
  jobKey: `cycle:1:${domain}`,
  domain,
  organisation: "Alpha",
  trigger: "schedule",
  requestedBy: "scheduler",
  cycleId: 1,
  status: report ? "done" : "failed",
  queuedAt: "2026-12-01T10:00:00.000Z",
  startedAt: "2026-12-01T10:00:00.000Z",
  finishedAt: "2026-12-01T10:00:05.000Z",
  verdict: report?.verdict ?? null,
  error: report ? null : "internal error",
  report,
});

describe("monitor run-once document", () => {
  it("the committed JSON Schema is the one generated from the zod schema (npx tsx scripts/gen-schema.ts)", () => {
    const file = join(import.meta.dirname, "..", "..", "..", "schema", "monitor.schema.json");
    const { $id: _id, title: _title, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    expect(rest).toEqual(monitorJsonSchema());
  });

  it("counts an MX shared by two domains once, with its connections, and says detection is empty", () => {
    const shared = goodMx("mx.shared.example", "192.0.2.10");
    const own = {
      ...goodMx("mx.b.example", "192.0.2.20"),
      stats: { connections: 7, retries: 0, durationMs: 5 },
    };
    const doc = monitorReport(
      {
        status: "ran",
        cycle: {
          id: 1,
          startedAt: "2026-12-01T10:00:00.000Z",
          finishedAt: "2026-12-01T10:00:06.000Z",
          status: "done",
          holder: "h",
          planned: 3,
        },
        resumed: false,
        runs: [],
        deferred: [],
      },
      [
        run(1, "a.example", reportOf("a.example", { endpoints: [shared] })),
        run(
          2,
          "b.example",
          reportOf("b.example", { endpoints: [shared, own], statuses: { "mx.cipher": "fail" } }),
        ),
        run(3, "c.example", null),
      ],
      6000,
    );
    expect(monitorReportSchema.safeParse(doc).success).toBe(true);
    expect(doc.stats).toEqual({
      durationMs: 6000,
      uniqueEndpoints: 2,
      endpointReferences: 3,
      connections: 8,
    });
    expect(doc.audits.map((a) => [a.domain, a.verdict, a.status])).toEqual([
      ["a.example", "compliant", "done"],
      ["b.example", "non_compliant", "done"],
      ["c.example", null, "failed"],
    ]);
    expect(doc.audits[1]?.measures["mx.cipher"]).toBe("fail");
    expect(doc.detections).toEqual([]);
    expect(doc.incidents).toEqual([]);
    expect(monitorReportSchema.safeParse({ ...doc, schema: "mailcharter/monitor/2" }).success).toBe(false);
  });
});
