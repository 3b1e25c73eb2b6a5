/**
 * The agency's cadence overview: every domain with its cadence, next due time and last audit; a
 * domain never audited says when its first audit starts instead of a dash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditHistory } from "../../../src/monitor/history-store.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { t } from "../../../src/web/i18n.js";
import { dueText } from "../../../src/web/pages/due-words.js";
import { reportOf } from "../../support/audit-fixture.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  const history = await AuditHistory.open(store);
  await history.save(
    { jobKey: "y1", domain: "y.example", trigger: "cli", requestedBy: "tests" },
    reportOf("y.example", { finishedAt: "2026-12-01T11:00:00.000Z" }),
    { now: Date.parse("2026-12-01T11:00:00.000Z") },
  );
  await h.ctx.history?.setCadence("y.example", 6 * 3600);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe("the cadence overview", () => {
  it("lists every domain; the never-audited one says when its first audit starts", async () => {
    const page = await h.client().get("/agency/cadence?lang=en", { bearer: h.tokens.agency });
    expect(page.status).toBe(200);
    const x = /<a href="\/domains\/\d+">x\.example<\/a>[\s\S]*?<\/tr>/.exec(page.text)?.[0] ?? "";
    expect(x).toContain("every 24 h");
    expect(x).toContain("<strong>due now</strong> — first audit at the next cycle");
    expect(x).toContain("not audited yet");
    expect(x).not.toMatch(/<td>—<\/td>/);
    const y = /<a href="\/domains\/\d+">y\.example<\/a>[\s\S]*?<\/tr>/.exec(page.text)?.[0] ?? "";
    expect(y).toContain("every 6 h");
    expect(y).toContain('class="badge pass"');
    expect(y).toContain("2026-12-01 11:00 UTC");
    const domain = await h.client().get(`/domains/${h.ids.domainX}?lang=en`, { bearer: h.tokens.agency });
    expect(domain.text).toContain("Next audit due: <strong>due now</strong>");
  });

  it("is the agency's only", async () => {
    for (const who of ["auditor", "operatorX"] as const)
      expect((await h.client().get("/agency/cadence", { bearer: h.tokens[who] })).status).toBe(403);
  });

  it("with a scheduler in the process: within its tick", () => {
    expect(dueText("fr", null, { tickMs: 60_000 }).value).toBe(
      `<strong>${t("fr", "dueNow")}</strong> — premier audit au prochain passage de l&#39;ordonnanceur (dans 1 min au plus)`,
    );
    expect(dueText("en", "2026-12-02T10:00:00.000Z", null).value).toBe(
      '<time datetime="2026-12-02T10:00:00.000Z">2026-12-02 10:00 UTC</time>',
    );
  });
});
