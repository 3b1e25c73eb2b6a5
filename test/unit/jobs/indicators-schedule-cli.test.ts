/** `indicators schedule`: the schedule's tasks in words and as mailcharter/indicators-schedule/1. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fetchKey, generateKey, IndicatorTasks } from "../../../src/jobs/indicator-tasks.js";
import { scheduleDocumentSchema, scheduleJsonSchema } from "../../../src/jobs/schedule-document.js";
import { openStore } from "../../../src/store/database.js";
import { addAlpha, cli } from "../../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicators-schedule-"));
const db = join(dir, "s.sqlite");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("indicators schedule", () => {
  it("says what each task did and when it runs next; exit 1 while one is failing", async () => {
    await addAlpha(db);
    const empty = await cli("indicators", "schedule", "--db", db);
    expect(empty).toEqual({
      code: 0,
      out: "No scheduled indicator work has run yet (indicators.json in the service's data directory).\n",
      err: "",
    });

    const store = await openStore(db);
    try {
      const tasks = await IndicatorTasks.open(store);
      const t0 = Date.parse("2026-12-02T01:00:00Z");
      await tasks.succeeded(
        fetchKey("reports"),
        "fetch-mailbox",
        t0,
        { accepted: 2, duplicate: 1, setAside: 0, left: 0 },
        t0 + 300_000,
      );
      await tasks.succeeded(
        generateKey(1, "2026-12-01"),
        "generate-tlsrpt",
        t0,
        { sessions: 3, reports: [{}] },
        null,
      );
    } finally {
      await store.close();
    }
    const ok = await cli("indicators", "schedule", "--db", db);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toBe(
      [
        "mailbox reports: next at 2026-12-02T01:05:00.000Z (last run 2026-12-02T01:00:00.000Z: 2 stored, 1 already stored, 0 set aside)",
        "TLS-RPT Alpha 2026-12-01: done 2026-12-02T01:00:00.000Z (3 session(s), 1 report(s))",
        "",
      ].join("\n"),
    );

    const again = await openStore(db);
    try {
      await (await IndicatorTasks.open(again)).failed(
        fetchKey("reports"),
        "fetch-mailbox",
        Date.parse("2026-12-02T01:05:00Z"),
        "imaps://imap:993: cannot log in",
      );
    } finally {
      await again.close();
    }
    const failing = await cli("indicators", "schedule", "--db", db, "--json");
    expect(failing.code).toBe(1);
    const doc = scheduleDocumentSchema.parse(JSON.parse(failing.out));
    expect(doc.tasks.map((t) => [t.kind, t.mailbox, t.organisation, t.day, t.status, t.attempts])).toEqual([
      ["fetch-mailbox", "reports", null, null, "due", 1],
      ["generate-tlsrpt", null, "Alpha", "2026-12-01", "done", 0],
    ]);
    expect(doc.tasks[0]).toMatchObject({
      lastError: "imaps://imap:993: cannot log in",
      nextDueAt: "2026-12-02T01:06:00.000Z",
    });
  });

  it("the published JSON Schema is the document's", () => {
    const file = join(import.meta.dirname, "..", "..", "..", "schema", "indicators-schedule.schema.json");
    const { $id: _id, title: _title, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    expect(rest).toEqual(scheduleJsonSchema());
  });
});
