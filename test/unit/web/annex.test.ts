/**
 * Annex versions in the service (Charte art. 8): only the agency drafts, opens and adopts; each
 * operator answers for its own organisation (another organisation is "not found"); operators see
 * their own answer, the agency every answer; adoption makes the charter version the public page shows.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { impactSchema } from "../../../src/annex/impact-schema.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

const proposed = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "annex", "tls12-ecdhe-25.json"), "utf8"),
);
let store: Store;
let h: Harness;
let consultationId = 0;

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe("annex versions in the service", () => {
  it("drafting a profile is the agency's; a bad one is refused with its path, nothing kept", async () => {
    const c = h.client();
    const asOperator = await c.fetch("POST", "/api/v1/annex/profiles", {
      bearer: h.tokens.operatorX,
      json: proposed,
    });
    expect(asOperator.status).toBe(403);
    const asAuditor = await c.fetch("POST", "/api/v1/annex/profiles", {
      bearer: h.tokens.auditor,
      json: proposed,
    });
    expect(asAuditor.status).toBe(403);
    const bad = await c.fetch("POST", "/api/v1/annex/profiles", {
      bearer: h.tokens.agency,
      json: {
        ...proposed,
        id: "bad-one",
        rules: [{ ...proposed.rules[0], rule: { kind: "tls-min", level: "fail" } }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(
      /rules\[0\]\.rule\.kind: unknown rule kind "tls-min"/,
    );
    const ok = await c.fetch("POST", "/api/v1/annex/profiles", { bearer: h.tokens.agency, json: proposed });
    expect(ok.status).toBe(201);
    const list = (await c.get("/api/v1/annex/profiles", { bearer: h.tokens.operatorX })).json<{
      profiles: { id: string; origin: string }[];
    }>();
    expect(list.profiles.map((p) => p.id)).toContain("charter-2026-draft");
    expect(list.profiles.map((p) => p.id)).not.toContain("bad-one");
  });

  it("opening a consultation is the agency's", async () => {
    const c = h.client();
    const body = { version: "2026", title: "Annexe 2026", profile: "charter-2026-draft" };
    expect(
      (await c.fetch("POST", "/api/v1/consultations", { bearer: h.tokens.operatorX, json: body })).status,
    ).toBe(403);
    const opened = await c.fetch("POST", "/api/v1/consultations", { bearer: h.tokens.agency, json: body });
    expect(opened.status).toBe(201);
    consultationId = opened.json<{ id: number }>().id;
    expect(
      (await c.fetch("POST", "/api/v1/consultations", { bearer: h.tokens.agency, json: body })).status,
    ).toBe(409);
  });

  it("an operator answers for its organisation only: another organisation is not found; auditors cannot answer", async () => {
    const c = h.client();
    const path = (org: number) => `/api/v1/organisations/${org}/consultations/${consultationId}`;
    const idor = await c.fetch("PUT", path(h.ids.orgY), {
      bearer: h.tokens.operatorX,
      json: { answer: "objection", comment: "forged" },
    });
    expect(idor.status).toBe(404);
    expect(idor.text).not.toMatch(/Y Télécom|y\.example/);
    expect(
      (await c.fetch("PUT", path(h.ids.orgX), { bearer: h.tokens.auditor, json: { answer: "consent" } }))
        .status,
    ).toBe(403);
    const own = await c.fetch("PUT", path(h.ids.orgX), {
      bearer: h.tokens.operatorX,
      json: { answer: "consent", comment: "prêt" },
    });
    expect(own.status).toBe(200);
    expect(own.json()).toMatchObject({ organisation: "X Mail", answer: "consent", comment: "prêt" });
    // Y's answer is untouched by X's forged attempt.
    const all = (await c.get(`/api/v1/consultations/${consultationId}`, { bearer: h.tokens.agency })).json<{
      signatories: { organisation: string; answer: { answer: string } | null }[];
      counts: { consent: number; objection: number; pending: number };
    }>();
    expect(all.signatories.map((s) => [s.organisation, s.answer?.answer ?? null])).toEqual([
      ["X Mail", "consent"],
      ["Y Télécom", null],
    ]);
    expect(all.counts).toEqual({ consent: 1, objection: 0, pending: 1 });
  });

  it("an operator sees its own answer and the tally, not the other organisations' answers", async () => {
    const c = h.client();
    await c.fetch("PUT", `/api/v1/organisations/${h.ids.orgY}/consultations/${consultationId}`, {
      bearer: h.tokens.operatorY,
      json: { answer: "objection", comment: "secret de Y" },
    });
    const asX = await c.get(`/api/v1/consultations/${consultationId}`, { bearer: h.tokens.operatorX });
    expect(asX.status).toBe(200);
    expect(asX.text).not.toContain("secret de Y");
    expect(asX.json<{ signatories: { organisation: string }[]; counts: unknown }>()).toMatchObject({
      signatories: [{ organisation: "X Mail" }],
      counts: { consent: 1, objection: 1, pending: 0 },
    });
    const page = await c.get(`/annex/consultations/${consultationId}`, { bearer: h.tokens.operatorX });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("secret de Y");
    expect(page.text).toContain(`/organisations/${h.ids.orgX}/consultations/${consultationId}/answer`);
    expect(page.text).not.toContain(`/organisations/${h.ids.orgY}/consultations/`);
  });

  it("the page form answers with the session's CSRF token; the form of another organisation is not found", async () => {
    const c = h.client();
    expect((await c.login(h.emails.operatorX, password)).status).toBe(303);
    const page = await c.get(`/annex/consultations/${consultationId}`);
    const csrf = WebClient.csrfOf(page.text);
    const noToken = await c.fetch(
      "POST",
      `/organisations/${h.ids.orgX}/consultations/${consultationId}/answer`,
      {
        form: { answer: "objection", comment: "sans jeton" },
      },
    );
    expect(noToken.status).toBe(403);
    const other = await c.fetch(
      "POST",
      `/organisations/${h.ids.orgY}/consultations/${consultationId}/answer`,
      {
        form: { answer: "consent", comment: "pour Y", _csrf: csrf },
      },
    );
    expect(other.status).toBe(404);
    const mine = await c.fetch(
      "POST",
      `/organisations/${h.ids.orgX}/consultations/${consultationId}/answer`,
      {
        form: { answer: "objection", comment: "réflexion faite", _csrf: csrf },
      },
    );
    expect(mine.status).toBe(303);
    const after = await c.get(`/annex/consultations/${consultationId}?lang=fr`);
    expect(after.text).toContain("réflexion faite");
    expect(after.text).toContain("objection");
  });

  it("the impact is the agency's and auditors' (every signatory's audits), not an operator's", async () => {
    const c = h.client();
    const q = "/api/v1/annex/impact?profile=charter-2026-draft";
    expect((await c.get(q, { bearer: h.tokens.operatorX })).status).toBe(403);
    const r = await c.get(q, { bearer: h.tokens.auditor });
    expect(r.status).toBe(200);
    expect(impactSchema.safeParse(r.json()).success).toBe(true);
    expect(r.json<{ summary: { signatories: number } }>().summary.signatories).toBe(2);
    expect((await c.get("/api/v1/annex/impact?profile=nope", { bearer: h.tokens.agency })).status).toBe(404);
    const page = await c.get("/annex/impact?profile=charter-2026-draft&lang=en", { bearer: h.tokens.agency });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Impact of the proposed annex");
    expect(page.text).not.toMatch(/<script|<style/);
  });

  it("adoption is the agency's: it creates the charter version the public page lists with its profile and date", async () => {
    const c = h.client();
    const path = `/api/v1/consultations/${consultationId}/adoption`;
    expect(
      (await c.fetch("POST", path, { bearer: h.tokens.operatorX, json: { published: "2026-12-15" } })).status,
    ).toBe(403);
    expect(
      (await c.fetch("POST", path, { bearer: h.tokens.agency, json: { published: "15/12/2026" } })).status,
    ).toBe(400);
    const adopted = await c.fetch("POST", path, {
      bearer: h.tokens.agency,
      json: { published: "2026-12-15" },
    });
    expect(adopted.status).toBe(201);
    expect(adopted.json()).toEqual({
      version: "2026",
      published: "2026-12-15",
      title: "Annexe 2026",
      profile: "charter-2026-draft",
    });
    const pub = await c.get("/charter-versions?lang=en");
    expect(pub.status).toBe(200);
    expect(pub.text).toMatch(
      /<th scope="row">2026<\/th><td>2026-12-15<\/td><td>Annexe 2026<\/td><td><code>charter-2026-draft<\/code>/,
    );
    expect(pub.text).toContain("<code>charter-2015</code>");
    // A closed consultation takes no more answers.
    const late = await c.fetch("PUT", `/api/v1/organisations/${h.ids.orgX}/consultations/${consultationId}`, {
      bearer: h.tokens.operatorX,
      json: { answer: "consent" },
    });
    expect(late.status).toBe(409);
  });

  it("the agency's annex page has the drafting forms; an operator's has none", async () => {
    const c = h.client();
    const agency = await c.get("/annex?lang=en", { bearer: h.tokens.agency });
    expect(agency.text).toContain('action="/annex/profiles"');
    expect(agency.text).toContain('action="/annex/consultations"');
    const operator = await c.get("/annex?lang=fr", { bearer: h.tokens.operatorX });
    expect(operator.status).toBe(200);
    expect(operator.text).not.toContain('action="/annex/profiles"');
    expect(operator.text).toContain("Évolutions de l&#39;annexe");
    expect((await c.get("/annex")).status).toBe(303);
  });
});
