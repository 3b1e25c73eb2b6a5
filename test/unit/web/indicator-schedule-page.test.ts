/**
 * The agency's page of the indicator schedule: the same tasks as `indicators schedule` (one function
 * for both), a given-up TLS-RPT day with its key to retry and its error, a retried one with who and
 * when, in French and in English; the agency's only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, IndicatorTasks, taskRetry } from "../../../src/jobs/indicator-tasks.js";
import { retryTasks, scheduleDocument } from "../../../src/jobs/schedule-view.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { indicatorSchedulePage } from "../../../src/web/pages/indicator-schedule-page.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;
const t0 = Date.parse("2026-12-02T01:00:00Z");
const givenUp = generateKey(1, "2026-11-20");
const retried = generateKey(1, "2026-11-21");

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  const tasks = await IndicatorTasks.open(store);
  for (const key of [givenUp, retried])
    for (let i = 0; i < taskRetry.maxAttempts; i++)
      await tasks.failed(key, "generate-tlsrpt", t0 + i, "no DKIM key for <alpha.example>");
  await retryTasks(store, [retried], Date.parse("2026-12-03T09:00:00Z"), "cli:ops");
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe("the indicator schedule page", () => {
  it("shows each task as indicators schedule does: given up with its key and error; retried with who and when", async () => {
    const page = await h.client().get("/agency/indicator-schedule?lang=en", { bearer: h.tokens.agency });
    expect(page.status).toBe(200);
    expect(page.text).toContain("<h1>Scheduled indicator work</h1>");
    const row = (key: string) =>
      new RegExp(`<tr>[^]*?<code>${key}</code>[^]*?</tr>`).exec(page.text)?.[0] ?? "";
    expect(row(givenUp)).toContain('<span class="badge fail">given up</span>');
    expect(row(givenUp)).toContain("<td>10</td>");
    // The error is text, escaped like every field.
    expect(row(givenUp)).toContain("no DKIM key for &lt;alpha.example&gt;");
    expect(row(retried)).toContain('<span class="badge not_applicable">due</span>');
    expect(row(retried)).toContain("2026-12-03T09:00:00.000Z by cli:ops, after 10 attempt(s)");
    expect(page.text).toContain("--retry KEY");
    // The same tasks as the CLI's document, in its order.
    const doc = await scheduleDocument(store);
    expect([...page.text.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1])).toEqual(
      doc.tasks.map((t) => t.key),
    );
  });

  it("in French", async () => {
    const page = await h.client().get("/agency/indicator-schedule?lang=fr", { bearer: h.tokens.agency });
    expect(page.text).toContain("<h1>Travaux programmés des indicateurs</h1>");
    expect(page.text).toContain("abandonné");
    expect(page.text).toContain("par cli:ops, après 10 tentative(s)");
  });

  it("is the agency's only", async () => {
    for (const who of ["auditor", "operatorX"] as const)
      expect((await h.client().get("/agency/indicator-schedule", { bearer: h.tokens[who] })).status).toBe(
        403,
      );
    // No session: a page sends to the login form.
    expect((await h.client().get("/agency/indicator-schedule")).status).toBe(303);
  });

  it("without tasks, or without the indicators in the server, it says so", () => {
    const ctx = { lang: "en", path: "/agency/indicator-schedule" } as never;
    expect(indicatorSchedulePage(ctx, { schema: "mailcharter/indicators-schedule/1", tasks: [] })).toContain(
      "No scheduled indicator work has run yet",
    );
    expect(indicatorSchedulePage(ctx, null)).toContain("The indicators are not part of this server.");
  });
});
