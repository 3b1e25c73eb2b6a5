/**
 * The agency's registry pages over a real HTTPS listener, as a browser without script uses them: the
 * forms post with the session's CSRF token, a change answers 303 (Post/Redirect/Get) and shows in the
 * registry, the published list and its signature; a refused form comes back with its values and a
 * message under each refused field; an operator changes only its own organisation's contact.
 */
import { verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;
let agency: WebClient;

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  h.clock.now = new Date("2026-12-01T12:00:00Z");
  agency = h.client();
  expect((await agency.login(h.emails.agency, password)).status).toBe(303);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

async function post(client: WebClient, formPage: string, action: string, form: Record<string, string>) {
  const page = await client.get(formPage);
  expect(page.status, formPage).toBe(200);
  return client.fetch("POST", action, { form: { ...form, _csrf: WebClient.csrfOf(page.text) } });
}

async function publishedNames(): Promise<string[]> {
  const list = await h.client().get("/published-list.json");
  const sig = await h.client().get("/published-list.json.sig");
  const key = await h.client().get("/published-list.pub");
  expect(
    verify(null, Buffer.from(list.text), key.text, Buffer.from(sig.text.trim(), "base64")),
    "the list's signature verifies",
  ).toBe(true);
  return list.json<{ signatories: { name: string }[] }>().signatories.map((s) => s.name);
}

describe("the agency's registry pages", () => {
  it("lists every organisation with its state, in both languages", async () => {
    const en = await agency.get("/agency/organisations?lang=en");
    expect(en.status).toBe(200);
    expect(en.text).toContain(`<a href="/agency/organisations/${h.ids.orgX}">X Mail</a>`);
    expect(en.text).toContain('<span class="org-state in_force">in force</span>');
    const fr = await agency.get("/agency/organisations?lang=fr");
    expect(fr.text).toContain("Registre des signataires");
    expect(fr.text).toContain("en vigueur");
    expect(fr.text).not.toMatch(/<script(?![^>]*src=)|style="/);
  });

  it("adhesion: a refused form is shown again with its values and a message under each field", async () => {
    const response = await post(agency, "/agency/organisations/new?lang=en", "/agency/organisations", {
      name: "",
      contact: "not an address",
      adhesionDate: "2026-02-30",
      charterVersion: "2015",
      domains: "z.example: mx.z.example\nnot_a_domain: mx.z.example",
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain("The form was not saved");
    expect(response.text).toMatch(
      /id="adh-name"[^>]*aria-invalid="true"[^>]*aria-describedby="adh-name-error"/,
    );
    expect(response.text).toContain(
      '<small id="adh-name-error" class="field-error">This field is required.</small>',
    );
    expect(response.text).toContain("Enter an e-mail address");
    expect(response.text).toContain("Enter a real date as YYYY-MM-DD.");
    expect(response.text).toContain("Line 2: “not_a_domain” is not a domain name.");
    // What was typed comes back (escaped), the password-less form keeps every value.
    expect(response.text).toContain('value="not an address"');
    expect(response.text).toContain("z.example: mx.z.example\nnot_a_domain: mx.z.example</textarea>");
    expect(await publishedNames()).not.toContain("");
  });

  it("adhesion: an unknown charter version and a taken name are refused on the form", async () => {
    const version = await post(agency, "/agency/organisations/new?lang=en", "/agency/organisations", {
      name: "Z Mail",
      contact: "noc@z.example",
      adhesionDate: "2026-11-01",
      charterVersion: "1999",
    });
    expect(version.status).toBe(400);
    expect(version.text).toContain("This charter version is not in the registry.");
    const taken = await post(agency, "/agency/organisations/new?lang=en", "/agency/organisations", {
      name: "X Mail",
      contact: "noc@z.example",
      adhesionDate: "2026-11-01",
      charterVersion: "2015",
    });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain("organisation &quot;X Mail&quot; already exists");
  });

  it("adhesion → 303 to the organisation; the published list is signed again with it", async () => {
    const response = await post(agency, "/agency/organisations/new", "/agency/organisations", {
      name: "Z Mail",
      contact: "noc@z.example",
      adhesionDate: "2026-11-01",
      charterVersion: "2015",
      domains: "z.example: mx1.z.example, *.mail.z.example\nzz.example mx.zz.example",
    });
    expect(response.status).toBe(303);
    const location = String(response.headers.location);
    expect(location).toMatch(/^\/agency\/organisations\/\d+\?done=adhesionRecorded$/);
    const page = await agency.get(`${location}&lang=en`);
    expect(page.text).toContain("Adhesion recorded");
    expect(page.text).toContain("mx1.z.example, *.mail.z.example");
    expect(page.text).toContain("zz.example");
    expect(await publishedNames()).toContain("Z Mail");
  });

  it("adds and removes a domain; a domain of another organisation is not found", async () => {
    const id = h.ids.orgY;
    const manage = `/agency/organisations/${id}?lang=en`;
    const bad = await post(agency, manage, `/agency/organisations/${id}/domains`, {
      domain: "y2.example",
      mx: "bad..host",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("“bad..host” is not an MX pattern");
    expect(bad.text).toMatch(/id="dom-mx"[^>]*aria-invalid="true"/);
    const taken = await post(agency, manage, `/agency/organisations/${id}/domains`, {
      domain: "x.example",
      mx: "mx.x.example",
    });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain("already belongs to");
    const added = await post(agency, manage, `/agency/organisations/${id}/domains`, {
      domain: "Y2.Example.",
      mx: "mx.y2.example",
    });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe(`/agency/organisations/${id}?done=domainAdded`);
    const list = await h.client().get("/published-list.json");
    expect(list.text).toMatch(/"domain": ?"y2\.example"/);
    const entry = (await h.ctx.registry.entries()).find((e) => e.id === id);
    const y2 = entry?.domains.find((d) => d.domain === "y2.example")?.id as number;
    const wrongOwner = await post(
      agency,
      manage,
      `/agency/organisations/${h.ids.orgX}/domains/${y2}/delete`,
      {},
    );
    expect(wrongOwner.status).toBe(404);
    const removed = await post(agency, manage, `/agency/organisations/${id}/domains/${y2}/delete`, {});
    expect(removed.status).toBe(303);
    expect((await h.client().get("/published-list.json")).text).not.toContain("y2.example");
  });

  it("a withdrawal notice: its effective date three months later (art. 7), never replaced unawares", async () => {
    const id = h.ids.orgY;
    const manage = `/agency/organisations/${id}?lang=en`;
    const early = await post(agency, manage, `/agency/organisations/${id}/withdrawal`, {
      noticeDate: "2025-01-01",
    });
    expect(early.status).toBe(422);
    expect(early.text).toContain("cannot precede the adhesion");
    const done = await post(agency, manage, `/agency/organisations/${id}/withdrawal`, {
      noticeDate: "2026-11-30",
    });
    expect(done.status).toBe(303);
    const page = await agency.get(`/agency/organisations/${id}?lang=en`);
    expect(page.text).toContain(
      "Notice received on <strong>2026-11-30</strong> · withdrawal effective on <strong>2027-02-28</strong>",
    );
    expect(page.text).toContain('<span class="org-state notice_given">');
    // Still in force until the effective date: still published.
    expect(await publishedNames()).toContain("Y Télécom");
    const again = await post(agency, manage, `/agency/organisations/${id}/withdrawal`, {
      noticeDate: "2026-12-01",
    });
    expect(again.status).toBe(422);
    expect(again.text).toContain("already gave notice on 2026-11-30");
    const replaced = await post(agency, manage, `/agency/organisations/${id}/withdrawal`, {
      noticeDate: "2026-12-01",
      replace: "1",
    });
    expect(replaced.status).toBe(303);
    h.clock.now = new Date("2027-03-02T00:00:00Z");
    expect(await publishedNames()).not.toContain("Y Télécom");
    // (a token: the session would end at its absolute timeout when the clock jumps)
    const later = await h.client().get("/agency/organisations?lang=en", { bearer: h.tokens.agency });
    expect(later.text).toContain('<span class="org-state withdrawn">');
    h.clock.now = new Date("2026-12-01T12:00:00Z");
  });

  it("the agency edits any contact; a bad address is refused on the field", async () => {
    const id = h.ids.orgX;
    const bad = await post(agency, `/agency/organisations/${id}`, `/agency/organisations/${id}/contact`, {
      contact: "nope",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
    const ok = await post(agency, `/agency/organisations/${id}`, `/agency/organisations/${id}/contact`, {
      contact: "noc@x.example",
    });
    expect(ok.status).toBe(303);
    expect((await h.ctx.registry.list()).find((s) => s.name === "X Mail")?.contact).toBe("noc@x.example");
  });

  it("every form needs the session's CSRF token", async () => {
    const response = await agency.fetch("POST", "/agency/organisations", {
      form: { name: "No Token", contact: "a@b.example", adhesionDate: "2026-11-01", charterVersion: "2015" },
    });
    expect(response.status).toBe(403);
    expect((await h.ctx.registry.list()).some((s) => s.name === "No Token")).toBe(false);
  });
});

describe("an organisation's own contact page", () => {
  it("an operator changes its own contact, and gets 404 on another organisation's", async () => {
    const operator = h.client();
    expect((await operator.login(h.emails.operatorX, password)).status).toBe(303);
    const dashboard = await operator.get(`/organisations/${h.ids.orgX}?lang=en`);
    expect(dashboard.text).toContain(`href="/organisations/${h.ids.orgX}/contact"`);
    const own = await post(
      operator,
      `/organisations/${h.ids.orgX}/contact`,
      `/organisations/${h.ids.orgX}/contact`,
      {
        contact: "abuse@x.example",
      },
    );
    expect(own.status).toBe(303);
    expect((await h.ctx.registry.list()).find((s) => s.name === "X Mail")?.contact).toBe("abuse@x.example");
    expect((await operator.get(`/organisations/${h.ids.orgY}/contact`)).status).toBe(404);
    const csrf = WebClient.csrfOf((await operator.get(`/organisations/${h.ids.orgX}/contact`)).text);
    const other = await operator.fetch("POST", `/organisations/${h.ids.orgY}/contact`, {
      form: { contact: "evil@x.example", _csrf: csrf },
    });
    expect(other.status).toBe(404);
    expect((await h.ctx.registry.list()).find((s) => s.name === "Y Télécom")?.contact).toBe(
      "contact@y.example",
    );
    // The agency's pages are not an operator's.
    expect((await operator.get("/agency/organisations")).status).toBe(403);
    expect((await operator.get(`/agency/organisations/${h.ids.orgX}`)).status).toBe(403);
  });
});

describe("the API removes a domain through the same function", () => {
  it("DELETE /api/v1/organisations/:id/domains/:domainId", async () => {
    await h.ctx.registry.addDomain("X Mail", { domain: "x2.example", mx: ["mx.x2.example"] });
    const entry = (await h.ctx.registry.entries()).find((e) => e.id === h.ids.orgX);
    const x2 = entry?.domains.find((d) => d.domain === "x2.example")?.id as number;
    const c = h.client();
    expect(
      (
        await c.fetch("DELETE", `/api/v1/organisations/${h.ids.orgY}/domains/${x2}`, {
          bearer: h.tokens.agency,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await c.fetch("DELETE", `/api/v1/organisations/${h.ids.orgX}/domains/${x2}`, {
          bearer: h.tokens.operatorX,
        })
      ).status,
    ).toBe(403);
    const done = await c.fetch("DELETE", `/api/v1/organisations/${h.ids.orgX}/domains/${x2}`, {
      bearer: h.tokens.agency,
    });
    expect(done.status).toBe(200);
    expect(done.json<{ domains: { domain: string }[] }>().domains.map((d) => d.domain)).toEqual([
      "x.example",
    ]);
  });
});
