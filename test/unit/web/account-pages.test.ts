/**
 * The accounts pages over a real HTTPS listener: the agency lists, creates, disables, enables and
 * renews the password of accounts (the generated password shown once, never cached); every account
 * creates, lists (prefix only) and revokes its own API tokens and changes its own password; another
 * account's token is "not found".
 */
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

const secretOf = (text: string) =>
  /<output id="secret" class="secret">([^<]+)<\/output>/.exec(text)?.[1] ?? "";

describe("the agency's accounts page", () => {
  it("lists every account with role, organisation, last login and state", async () => {
    const page = await agency.get("/agency/accounts?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      /<th scope="row">postmaster@x\.example<\/th>\s*<td>operator<\/td>\s*<td>X Mail<\/td>/,
    );
    // The agency logged in just now; the auditor never did.
    expect(page.text).toMatch(/keeper@agency\.example<\/th>[\s\S]*?<time datetime="\d{4}-/);
    expect(page.text).toMatch(/auditor@agency\.example<\/th>[\s\S]*?never/);
    expect(page.text).not.toContain("scrypt$");
  });

  it("creates an operator account: a generated password shown once, no-store, that logs in", async () => {
    const refused = await post(agency, "/agency/accounts?lang=en", "/agency/accounts", {
      email: "noc@x.example",
      role: "operator",
      organisation: "",
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("An operator account needs its organisation.");
    const auditorWithOrg = await post(agency, "/agency/accounts?lang=en", "/agency/accounts", {
      email: "noc@x.example",
      role: "auditor",
      organisation: String(h.ids.orgX),
    });
    expect(auditorWithOrg.text).toContain("Only an operator account acts for an organisation.");
    const created = await post(agency, "/agency/accounts?lang=en", "/agency/accounts", {
      email: "NOC@x.example",
      role: "operator",
      organisation: String(h.ids.orgX),
    });
    expect(created.status).toBe(200);
    expect(created.headers["cache-control"]).toBe("no-store");
    const secret = secretOf(created.text);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const operator = h.client();
    expect((await operator.login("noc@x.example", secret)).status).toBe(303);
    const me = (await operator.get("/api/v1/me")).json<{ account: { organisationId: number } }>();
    expect(me.account.organisationId).toBe(h.ids.orgX);
    const again = await post(agency, "/agency/accounts?lang=en", "/agency/accounts", {
      email: "noc@x.example",
      role: "auditor",
    });
    expect(again.status).toBe(422);
    expect(again.text).toMatch(/id="acc-email"[^>]*aria-invalid="true"/);
    expect(again.text).toContain("already exists");
  });

  it("disables (sessions end) and enables; never its own account", async () => {
    const target = (await h.ctx.accounts.list()).find((a) => a.email === "noc@x.example");
    const id = target?.id as number;
    const operator = h.client();
    const reset = await post(agency, "/agency/accounts", `/agency/accounts/${id}/password`, {});
    expect(reset.status).toBe(200);
    expect(reset.headers["cache-control"]).toBe("no-store");
    const secret = secretOf(reset.text);
    expect((await operator.login("noc@x.example", secret)).status).toBe(303);
    const disabled = await post(agency, "/agency/accounts", `/agency/accounts/${id}/disable`, {});
    expect(disabled.status).toBe(303);
    expect(disabled.headers.location).toBe("/agency/accounts?done=accountDisabled");
    expect((await operator.get("/api/v1/me")).status).toBe(401);
    expect((await h.client().login("noc@x.example", secret)).status).toBe(401);
    const page = await agency.get("/agency/accounts?lang=en&done=accountDisabled");
    expect(page.text).toContain("Account disabled");
    expect(page.text).toContain(`action="/agency/accounts/${id}/enable"`);
    expect((await post(agency, "/agency/accounts", `/agency/accounts/${id}/enable`, {})).status).toBe(303);
    expect((await h.client().login("noc@x.example", secret)).status).toBe(303);
    const self = h.principals.agency.kind === "account" ? h.principals.agency.accountId : 0;
    const own = await post(agency, "/agency/accounts?lang=en", `/agency/accounts/${self}/disable`, {});
    expect(own.status).toBe(422);
    expect(own.text).toContain("You cannot disable your own account.");
    expect((await post(agency, "/agency/accounts", "/agency/accounts/999999/password", {})).status).toBe(404);
  });

  it("is the agency's only", async () => {
    for (const who of ["operatorX", "auditor"] as const) {
      const c = h.client();
      expect((await c.get("/agency/accounts", { bearer: h.tokens[who] })).status).toBe(403);
      expect(
        (await c.fetch("POST", "/agency/accounts/1/password", { bearer: h.tokens[who], form: {} })).status,
      ).toBe(403);
    }
  });
});

describe("every account's own API tokens and password", () => {
  it("an operator creates a token (shown once), sees only its prefix, revokes it; another's is not found", async () => {
    const operator = h.client();
    expect((await operator.login(h.emails.operatorX, password)).status).toBe(303);
    const page = await operator.get("/account/tokens?lang=en");
    expect(page.status).toBe(200);
    expect(page.text).toContain("The token acts for <strong>X Mail</strong>");
    expect(page.text).not.toContain('value="agency"');
    const refused = await post(operator, "/account/tokens?lang=en", "/account/tokens", {
      name: "ci",
      role: "agency",
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("cannot create a agency token");
    const created = await post(operator, "/account/tokens?lang=en", "/account/tokens", {
      name: "monitoring",
      role: "operator",
    });
    expect(created.status).toBe(200);
    expect(created.headers["cache-control"]).toBe("no-store");
    const token = secretOf(created.text);
    expect(token.length).toBeGreaterThan(30);
    const asToken = await h.client().get("/api/v1/me", { bearer: token });
    expect(asToken.json<{ account: { organisationId: number } }>().account.organisationId).toBe(h.ids.orgX);
    const list = await operator.get("/account/tokens?lang=en");
    expect(list.text).toContain("monitoring");
    expect(list.text).not.toContain(token);
    const id = Number(
      /monitoring<\/th>[\s\S]*?action="\/account\/tokens\/(\d+)\/revoke"/.exec(list.text)?.[1],
    );
    // Operator Y revoking X's token: not found, and the token still works.
    const y = h.client();
    expect((await y.login(h.emails.operatorY, password)).status).toBe(303);
    expect((await post(y, "/account/tokens", `/account/tokens/${id}/revoke`, {})).status).toBe(404);
    expect((await h.client().get("/api/v1/me", { bearer: token })).status).toBe(200);
    const revoked = await post(operator, "/account/tokens", `/account/tokens/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await h.client().get("/api/v1/me", { bearer: token })).status).toBe(401);
    expect((await operator.get("/account/tokens?lang=en")).text).toContain("revoked on");
  });

  it("changes its own password knowing the current one; every session ends", async () => {
    const auditor = h.client();
    expect((await auditor.login(h.emails.auditor, password)).status).toBe(303);
    const wrong = await post(auditor, "/account/password?lang=en", "/account/password", {
      current: "not the password",
      next: "a new long passphrase",
      confirm: "a new long passphrase",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain("This is not your current password.");
    expect(wrong.text).not.toContain("a new long passphrase");
    const differ = await post(auditor, "/account/password?lang=en", "/account/password", {
      current: password,
      next: "a new long passphrase",
      confirm: "another one",
    });
    expect(differ.text).toContain("The two entries differ.");
    const done = await post(auditor, "/account/password", "/account/password", {
      current: password,
      next: "a new long passphrase",
      confirm: "a new long passphrase",
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe("/login?ended=logout");
    expect((await h.client().login(h.emails.auditor, password)).status).toBe(401);
    expect((await h.client().login(h.emails.auditor, "a new long passphrase")).status).toBe(303);
  });
});
