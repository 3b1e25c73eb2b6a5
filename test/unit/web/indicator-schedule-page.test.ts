/**
 * The agency's page of the indicator schedule: the same tasks as `indicators schedule` (one function
 * for both), a given-up TLS-RPT day with its key to retry and its error, a retried one with who and
 * when, in French and in English; the agency's only. The retry of given-up tasks from the page (one
 * task's button, all of them, CSRF-guarded) and over the API (by keys or all, refusals with reasons),
 * recorded with the account that asked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey, IndicatorTasks, taskRetry } from "../../../src/jobs/indicator-tasks.js";
import type { ScheduleDocument } from "../../../src/jobs/schedule-document.js";
import { retryTasks, scheduleDocument } from "../../../src/jobs/schedule-view.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { indicatorSchedulePage } from "../../../src/web/pages/indicator-schedule-page.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;
const t0 = Date.parse("2026-12-02T01:00:00Z");
const givenUp = generateKey(1, "2026-11-20");
const retried = generateKey(1, "2026-11-21");
const apiA = generateKey(1, "2026-11-22");
const apiB = "fetch:reports";

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  const tasks = await IndicatorTasks.open(store);
  for (const key of [givenUp, retried, apiA])
    for (let i = 0; i < taskRetry.maxAttempts; i++)
      await tasks.failed(key, "generate-tlsrpt", t0 + i, "no DKIM key for <alpha.example>");
  for (let i = 0; i < taskRetry.maxAttempts; i++)
    await tasks.failed(apiB, "fetch-mailbox", t0 + i, "IMAP login refused");
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

const task = (doc: ScheduleDocument, key: string) => doc.tasks.find((t) => t.key === key);

describe("retrying given-up tasks over the API", () => {
  it("GET /api/v1/indicators/schedule is the CLI's document, the agency's only", async () => {
    const c = h.client();
    const answer = await c.get("/api/v1/indicators/schedule", { bearer: h.tokens.agency });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual(await scheduleDocument(store));
    for (const who of ["auditor", "operatorX"] as const)
      expect((await c.get("/api/v1/indicators/schedule", { bearer: h.tokens[who] })).status).toBe(403);
    expect((await c.get("/api/v1/indicators/schedule")).status).toBe(401);
  });

  it("retries the keys given, refuses an unknown key and a task not given up, with the reason", async () => {
    const c = h.client();
    const answer = await c.fetch("POST", "/api/v1/indicators/schedule/retry", {
      bearer: h.tokens.agency,
      json: { keys: [apiA, "tlsrpt:99:2026-01-01", retried, apiA] },
    });
    expect(answer.status).toBe(200);
    const body = answer.json<{
      retried: { key: string; by: string; attempts: number }[];
      refused: unknown[];
    }>();
    expect(body.retried.map((r) => [r.key, r.by, r.attempts])).toEqual([
      [apiA, "api:keeper@agency.example", taskRetry.maxAttempts],
    ]);
    expect(body.refused).toEqual([
      { key: "tlsrpt:99:2026-01-01", reason: "unknown" },
      { key: retried, reason: "not-failed", status: "due" },
    ]);
    const after = task(await scheduleDocument(store), apiA);
    expect(after?.status).toBe("due");
    expect(after?.attempts).toBe(0);
    expect(after?.lastRetry?.by).toBe("api:keeper@agency.example");
    // The others are untouched.
    expect(task(await scheduleDocument(store), givenUp)?.status).toBe("failed");
  });

  it("refuses a body it cannot read, and any role but the agency", async () => {
    const c = h.client();
    for (const json of [
      {},
      { keys: [] },
      { keys: ["a b"] },
      { keys: [apiB], failed: true },
      { failed: false },
    ])
      expect(
        (await c.fetch("POST", "/api/v1/indicators/schedule/retry", { bearer: h.tokens.agency, json }))
          .status,
        JSON.stringify(json),
      ).toBe(400);
    const many = { keys: Array.from({ length: 101 }, (_, i) => `fetch:m${i}`) };
    expect(
      (await c.fetch("POST", "/api/v1/indicators/schedule/retry", { bearer: h.tokens.agency, json: many }))
        .status,
    ).toBe(400);
    for (const who of ["auditor", "operatorX"] as const)
      expect(
        (
          await c.fetch("POST", "/api/v1/indicators/schedule/retry", {
            bearer: h.tokens[who],
            json: { failed: true },
          })
        ).status,
      ).toBe(403);
    expect(task(await scheduleDocument(store), apiB)?.status).toBe("failed");
  });
});

describe("retrying given-up tasks from the page", () => {
  it("a given-up task's button retries it, with the CSRF token only; the notice says what was done", async () => {
    const c = h.client();
    await c.login(h.emails.agency, password);
    const page = await c.get("/agency/indicator-schedule?lang=en");
    expect(page.text).toContain(`aria-label="Retry ${givenUp}"`);
    expect(page.text).not.toContain(`aria-label="Retry ${apiA}"`);
    expect(page.text).toContain("Retry the 2 given-up task(s)");
    const refused = await c.fetch("POST", "/agency/indicator-schedule/retry", { form: { key: givenUp } });
    expect(refused.status).toBe(403);
    expect(task(await scheduleDocument(store), givenUp)?.status).toBe("failed");
    const csrf = WebClient.csrfOf(page.text);
    const done = await c.fetch("POST", "/agency/indicator-schedule/retry", {
      form: { _csrf: csrf, key: givenUp },
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe("/agency/indicator-schedule?retried=1&refused=0");
    const after = await c.get(`${done.headers.location}&lang=en`);
    expect(after.text).toContain("1 task(s) put back to due; 0 refused");
    expect(task(await scheduleDocument(store), givenUp)?.lastRetry?.by).toBe("web:keeper@agency.example");
    // Asked again, the same task is no longer given up: refused, and said so.
    const again = await c.fetch("POST", "/agency/indicator-schedule/retry", {
      form: { _csrf: csrf, key: givenUp },
    });
    expect(again.headers.location).toBe("/agency/indicator-schedule?retried=0&refused=1");
  });

  it("the all-tasks button retries every given-up one; a form with neither is refused", async () => {
    const c = h.client();
    await c.login(h.emails.agency, password);
    const csrf = WebClient.csrfOf((await c.get("/agency/indicator-schedule")).text);
    expect(
      (await c.fetch("POST", "/agency/indicator-schedule/retry", { form: { _csrf: csrf } })).status,
    ).toBe(400);
    const done = await c.fetch("POST", "/agency/indicator-schedule/retry", {
      form: { _csrf: csrf, all: "failed" },
    });
    expect(done.headers.location).toBe("/agency/indicator-schedule?retried=1&refused=0");
    expect((await scheduleDocument(store)).tasks.filter((t) => t.status === "failed")).toEqual([]);
    const page = await c.get("/agency/indicator-schedule?lang=en");
    expect(page.text).not.toContain("given-up task(s)</button>");
  });

  it("an operator's session cannot retry", async () => {
    const c = h.client();
    await c.login(h.emails.operatorX, password);
    const csrf = WebClient.csrfOf((await c.get("/account/tokens")).text);
    const answer = await c.fetch("POST", "/agency/indicator-schedule/retry", {
      form: { _csrf: csrf, all: "failed" },
    });
    expect(answer.status).toBe(403);
  });
});
