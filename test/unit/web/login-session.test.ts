/**
 * Login, sessions and CSRF over real HTTPS: the cookie's flags, the session id rotated at login, the
 * same answer for an unknown account and a wrong password, idle and absolute timeouts, sessions kept
 * in the database across a restart, logout, and the per-address and per-account login limits.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { sessionCookieName } from "../../../src/web/server.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;

beforeEach(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
});
afterEach(async () => {
  await h.close();
  await store.close();
});

const me = (c: WebClient) => c.get("/api/v1/me");

describe("login and sessions", () => {
  it("the login page sets a Secure, HttpOnly, SameSite session cookie and the security headers", async () => {
    const c = h.client();
    const page = await c.get("/login");
    expect(page.status).toBe(200);
    const cookie = ([] as string[])
      .concat(page.headers["set-cookie"] ?? [])
      .find((l) => l.startsWith(sessionCookieName));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(page.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.text).toMatch(/<form method="post" action="\/login"/);
    expect(page.text).not.toMatch(/<script|style=/);
  });

  it("a correct login gets a new session id (no fixation) and the account's home", async () => {
    const c = h.client();
    await c.get("/login");
    const before = c.cookies.get(sessionCookieName);
    expect(before).toBeTruthy();
    const login = await c.login(h.emails.operatorX, password);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe("/");
    const after = c.cookies.get(sessionCookieName);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    const home = await c.get("/");
    expect(home.text).toContain(h.emails.operatorX);
    expect(home.text).toContain("X Mail");
    const who = (await me(c)).json<{
      account: { email: string; role: string; organisation: string };
      via: string;
    }>();
    expect(who.account).toMatchObject({
      email: h.emails.operatorX,
      role: "operator",
      organisation: "X Mail",
    });
    expect(who.via).toBe("session");
    // The old id no longer opens anything.
    const stale = new WebClient(h.base, h.ca);
    stale.cookies.set(sessionCookieName, before as string);
    expect((await me(stale)).status).toBe(401);
  });

  it("an unknown account and a wrong password get the same page and status", async () => {
    const wrong = await h.client().login(h.emails.operatorX, "not the password at all");
    const unknown = await h.client().login("nobody@nowhere.example", "not the password at all");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (text: string) => text.replace(/value="[^"]*"/g, 'value=""');
    expect(strip(wrong.text)).toBe(strip(unknown.text));
    expect(wrong.text).toContain("Adresse ou mot de passe incorrect.");
  });

  it("an unknown account costs the same password hashing as a known one", async () => {
    const time = async (email: string) => {
      const c = h.client();
      const page = await c.get("/login");
      const start = performance.now();
      await c.fetch("POST", "/login", {
        form: { email, password: "wrong password here", _csrf: WebClient.csrfOf(page.text) },
      });
      return performance.now() - start;
    };
    await time("nobody@nowhere.example"); // the dummy hash is made once
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(h.emails.agency));
      unknown.push(await time(`nobody${i}@nowhere.example`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
    // scrypt dominates both; without the dummy hash an unknown account answers ~10× faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
  });

  it("refuses a login form without the session's CSRF token", async () => {
    const c = h.client();
    await c.get("/login");
    const forged = await c.fetch("POST", "/login", { form: { email: h.emails.agency, password } });
    expect(forged.status).toBe(403);
    expect((await me(c)).status).toBe(401);
  });

  it("state changes with the session cookie need the CSRF token; with it they work", async () => {
    const c = h.client();
    await c.login(h.emails.agency, password);
    const without = await c.fetch("POST", "/api/v1/tokens", { json: { name: "ci" } });
    expect(without.status).toBe(403);
    expect(without.json<{ error: { code: string } }>().error.code).toBe("csrf_invalid");
    const token = (await me(c)).json<{ csrfToken: string }>().csrfToken;
    const withToken = await c.fetch("POST", "/api/v1/tokens", {
      json: { name: "ci" },
      headers: { "csrf-token": token },
    });
    expect(withToken.status).toBe(201);
  });

  it("logout is a POST with the CSRF token and ends the session", async () => {
    const c = h.client();
    await c.login(h.emails.auditor, password);
    const home = await c.get("/");
    expect((await c.fetch("POST", "/logout", { form: {} })).status).toBe(403);
    expect((await me(c)).status).toBe(200);
    const out = await c.fetch("POST", "/logout", { form: { _csrf: WebClient.csrfOf(home.text) } });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/login?ended=logout");
    expect((await me(c)).status).toBe(401);
  });

  it("ends a session after 30 minutes idle, with the reason", async () => {
    const c = h.client();
    await c.login(h.emails.agency, password);
    h.clock.now = new Date(h.clock.now.getTime() + 29 * 60_000);
    expect((await me(c)).status).toBe(200);
    h.clock.now = new Date(h.clock.now.getTime() + 29 * 60_000);
    expect((await me(c)).status).toBe(200);
    h.clock.now = new Date(h.clock.now.getTime() + 31 * 60_000);
    const ended = await me(c);
    expect(ended.status).toBe(401);
    expect(ended.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: "session_expired",
      message: expect.stringContaining("idle"),
    });
    expect((await me(c)).json<{ error: { code: string } }>().error.code).toBe("unauthenticated");
  });

  it("ends a session 12 hours after login however active, and the page says why", async () => {
    const c = h.client();
    await c.login(h.emails.agency, password);
    for (let i = 0; i < 24; i++) {
      h.clock.now = new Date(h.clock.now.getTime() + 29 * 60_000);
      expect((await me(c)).status, `after ${(i + 1) * 29} min`).toBe(200);
    }
    h.clock.now = new Date(h.clock.now.getTime() + 29 * 60_000);
    const page = await c.get("/api/v1/organisations".replace("/api/v1/organisations", "/login"));
    expect(page.text).toContain("durée maximale");
  });

  it("sessions live in the database: a restarted server knows them", async () => {
    const c = h.client();
    await c.login(h.emails.operatorY, password);
    h = await h.restart();
    const again = new WebClient(h.base, h.ca);
    for (const [k, v] of c.cookies) again.cookies.set(k, v);
    const who = await me(again);
    expect(who.status).toBe(200);
    expect(who.json<{ account: { email: string } }>().account.email).toBe(h.emails.operatorY);
  });

  it("a disabled account's sessions end at once", async () => {
    const c = h.client();
    await c.login(h.emails.operatorY, password);
    const id = h.principals.operatorY.kind === "account" ? h.principals.operatorY.accountId : 0;
    const off = await h
      .client()
      .fetch("PATCH", `/api/v1/accounts/${id}`, { bearer: h.tokens.agency, json: { disabled: true } });
    expect(off.status).toBe(200);
    expect((await me(c)).status).toBe(401);
    expect((await h.client().get("/api/v1/me", { bearer: h.tokens.operatorY })).status).toBe(401);
    expect((await h.client().login(h.emails.operatorY, password)).status).toBe(401);
  });
});

describe("login rate limits", () => {
  it("per account: the sixth attempt on one address is refused, even with the right password", async () => {
    await h.close();
    h = await startHarness(store, {
      seed: false,
      limits: { loginAttemptsPerAccount: 5, loginAttemptsPerIp: 1000 },
    });
    for (let i = 0; i < 5; i++)
      expect((await h.client().login(h.emails.agency, "wrong password guess")).status).toBe(401);
    const blocked = await h.client().login(h.emails.agency, password);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Trop de tentatives");
    // Counted on the address typed, whether it exists or not: an unknown one is limited alike.
    for (let i = 0; i < 5; i++) await h.client().login("ghost@nowhere.example", "x-password-guess");
    expect((await h.client().login("ghost@nowhere.example", "x-password-guess")).status).toBe(429);
    expect((await h.client().login(h.emails.auditor, password)).status).toBe(303);
  });

  it("per address: many accounts tried from one client are cut off", async () => {
    await h.close();
    h = await startHarness(store, {
      seed: false,
      limits: { loginAttemptsPerAccount: 1000, loginAttemptsPerIp: 4 },
    });
    for (let i = 0; i < 4; i++) await h.client().login(`user${i}@nowhere.example`, "x-password-guess");
    const blocked = await h.client().login(h.emails.agency, password);
    expect(blocked.status).toBe(429);
  });
});
