/**
 * The service's pages over a real HTTPS listener: a domain's report and history, the diff of two
 * audits, the matrix, the organisation dashboard, audit on demand with its self-refreshing progress
 * page, the agency's cadence form; an operator of X gets 404 on Y's pages, whatever the id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { saveXyHistory } from "../../support/audit-fixture.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;
const runs = { x1: 0, x2: 0, y1: 0 };

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  Object.assign(runs, await saveXyHistory(store));
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe("service pages", () => {
  it("a domain page shows the latest report like the HTML report, and the history", async () => {
    const page = await h.client().get(`/domains/${h.ids.domainX}?lang=en`, { bearer: h.tokens.operatorX });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<link rel="stylesheet" href="/report.css">');
    expect(page.text).toContain('class="verdict fail"');
    expect(page.text).toContain("not compliant with the charter");
    expect(page.text).toContain(`href="/audits/${runs.x1}"`);
    expect(page.text).toMatch(new RegExp(`name="from" value="${runs.x1}"[^>]*checked`));
    expect(page.text).not.toMatch(/<script|<style|style="/);
    const css = await h.client().get("/report.css");
    expect(css.status).toBe(200);
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
  });

  it("the diff page names the measure that changed, in French by default", async () => {
    const page = await h
      .client()
      .get(`/domains/${h.ids.domainX}/diff?from=${runs.x1}&to=${runs.x2}`, { bearer: h.tokens.auditor });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Comparaison de deux audits");
    expect(page.text).toMatch(/<code>mx\.starttls<\/code>[\s\S]*badge pass[\s\S]*badge fail/);
  });

  it("an operator of X gets 404 on Y's domain, diff, audit and organisation pages", async () => {
    const c = h.client();
    const as = { bearer: h.tokens.operatorX };
    for (const path of [
      `/domains/${h.ids.domainY}`,
      `/domains/${h.ids.domainY}/diff?from=${runs.y1}&to=${runs.x1}`,
      `/domains/${h.ids.domainX}/diff?from=${runs.y1}&to=${runs.x1}`,
      `/audits/${runs.y1}`,
      `/organisations/${h.ids.orgY}`,
    ])
      expect((await c.get(path, as)).status, path).toBe(404);
    const posted = await c.fetch("POST", `/domains/${h.ids.domainY}/audit`, { ...as, form: {} });
    expect(posted.status).toBe(404);
  });

  it("the matrix: signatories × charter measures for the agency and auditors, not for operators", async () => {
    const c = h.client();
    const page = await c.get("/matrix?lang=en", { bearer: h.tokens.agency });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<a href="/organisations/${h.ids.orgX}">X Mail</a>`);
    expect(page.text).toContain(`href="/domains/${h.ids.domainX}#m-x.example-mx.starttls"`);
    expect(page.text).toMatch(/class="bg fail"><a href="\/domains\/\d+#m-x\.example-mx\.starttls"/);
    expect((await c.get("/matrix", { bearer: h.tokens.auditor })).status).toBe(200);
    expect((await c.get("/matrix", { bearer: h.tokens.operatorX })).status).toBe(403);
  });

  it("the dashboard: the operator's domains with their verdicts and the art. 4.4 deadlines", async () => {
    const c = h.client();
    const redirect = await c.get("/dashboard", { bearer: h.tokens.operatorX });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toBe(`/organisations/${h.ids.orgX}`);
    const page = await c.get(`/organisations/${h.ids.orgX}?lang=en`, { bearer: h.tokens.operatorX });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<a href="/domains/${h.ids.domainX}">x.example</a>`);
    expect(page.text).toContain('action="/domains/');
    // Y adhered 2026-02-01, after X: X's policy must cover Y's domains by 2026-05-01.
    expect(page.text).toMatch(/<th scope="row">Y Télécom<\/th><td>2026-02-01<\/td><td>2026-05-01<\/td>/);
  });

  it("audit now from a session: CSRF required, then a progress page that refreshes while queued", async () => {
    const c = h.client();
    expect((await c.login("postmaster@x.example", password)).status).toBe(303);
    const dashboard = await c.get(`/organisations/${h.ids.orgX}`);
    const refused = await c.fetch("POST", `/domains/${h.ids.domainX}/audit`, { form: {} });
    expect(refused.status).toBe(403);
    const posted = await c.fetch("POST", `/domains/${h.ids.domainX}/audit`, {
      form: { _csrf: WebClient.csrfOf(dashboard.text) },
    });
    expect(posted.status).toBe(303);
    const location = String(posted.headers.location);
    expect(location).toMatch(/^\/audits\/\d+$/);
    const progress = await c.get(location);
    expect(progress.status).toBe(200);
    expect(progress.text).toContain('<meta http-equiv="refresh" content="3">');
    expect(progress.text).toMatch(/En file d&#39;attente|En cours/);
    const done = await c.get(`/audits/${runs.x1}`);
    expect(done.text).not.toContain("http-equiv");
    expect(done.text).toContain('class="verdict pass"');
  });

  it("the agency sets a domain's cadence with the form; an operator may not", async () => {
    const c = h.client();
    const set = await c.fetch("POST", `/domains/${h.ids.domainX}/cadence`, {
      bearer: h.tokens.agency,
      form: { hours: "6" },
    });
    expect(set.status).toBe(303);
    const page = await c.get(`/domains/${h.ids.domainX}`, { bearer: h.tokens.agency });
    expect(page.text).toMatch(/id="hours"[^>]*value="6"/);
    const refused = await c.fetch("POST", `/domains/${h.ids.domainX}/cadence`, {
      bearer: h.tokens.operatorX,
      form: { hours: "6" },
    });
    expect(refused.status).toBe(403);
    const bad = await c.fetch("POST", `/domains/${h.ids.domainX}/cadence`, {
      bearer: h.tokens.agency,
      form: { hours: "0" },
    });
    expect(bad.status).toBe(400);
  });
});
