/**
 * Authorisation as a matrix: every route the server registered (its own route table, HEAD included)
 * × every role. A new route without an entry in src/web/authorization.ts stops the server from
 * starting; a route with an entry is checked here for each role, so its entry is what is enforced.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { decide, routeAccess, routeKey } from "../../../src/web/authorization.js";
import { guardRoutes } from "../../../src/web/route-guard.js";
import { everyone, type Harness, password, startHarness, type Who } from "../../support/service-harness.js";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

/** A CSRF refusal (the request got past the role check); pages' own forms carry a "_csrf" field. */
const csrfRefusal = /csrf_invalid|invalid CSRF token/i;

function concretePath(url: string): string {
  return (
    url
      .replace("/organisations/:id", `/organisations/${h.ids.orgX}`)
      .replace("/domains/:id", `/domains/${h.ids.domainX}`)
      .replace("/domains/:domainId", `/domains/${h.ids.domainX}`)
      .replace("/accounts/:id", "/accounts/999999")
      // A live event stream of a queued run would stay open: an unknown run still passes the role check.
      .replace("/audits/:id/events", "/audits/999999/events")
      .replace("/tokens/:id", "/tokens/999999")
      .replace(":id", "1")
      .replace("*", "style.css")
  );
}

describe("the authorisation matrix", () => {
  it("covers a real route table (pages, published list, API, static, HEAD)", () => {
    const keys = h.server.routes.map((r) => `${r.method} ${r.url}`);
    expect(keys).toContain("GET /api/v1/organisations/:id");
    expect(keys).toContain("HEAD /api/v1/organisations/:id");
    expect(keys).toContain("POST /login");
    expect(keys).toContain("GET /static/*");
    expect(h.server.routes.length).toBeGreaterThan(40);
  });

  it("has no entry for a route the server does not serve", () => {
    const served = new Set(h.server.routes.map((r) => routeKey(r.method, r.url)));
    expect(Object.keys(routeAccess).filter((k) => !served.has(k))).toEqual([]);
  });

  it("every route × every role: allowed roles get through, others get 401 or 403", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of h.server.routes) {
      if (route.method === "OPTIONS") continue;
      for (const who of everyone) {
        const principal = who === "public" ? { kind: "public" as const } : h.principals[who];
        const expected = decide(route.access, principal);
        const client = h.client();
        const body =
          route.method === "GET" || route.method === "HEAD" || route.method === "DELETE" ? undefined : {};
        const response = await client.fetch(route.method, concretePath(route.url), {
          ...(who === "public" ? {} : { bearer: h.tokens[who as Exclude<Who, "public">] }),
          ...(body ? { json: body } : {}),
        });
        checked++;
        const isPage = !route.url.startsWith("/api/") && !route.url.startsWith("/published-list");
        const got =
          response.status === 401 ||
          (isPage && response.status === 303 && /\/login/.test(String(response.headers.location)))
            ? "unauthenticated"
            : response.status === 403 && !csrfRefusal.test(response.text)
              ? "forbidden"
              : "allow";
        if (got !== expected)
          failures.push(
            `${route.method} ${route.url} as ${who}: expected ${expected}, got ${response.status}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(200);
    // Every route × every role, one request each: the time grows with the route table.
  }, 90_000);

  it("the same with a logged-in browser session (cookie + CSRF token) for every role", async () => {
    const failures: string[] = [];
    const sessions = new Map<Who, { client: ReturnType<Harness["client"]>; csrf: string | null }>();
    for (const who of everyone) {
      const client = h.client();
      if (who === "public") {
        sessions.set(who, { client, csrf: null });
        continue;
      }
      expect((await client.login(h.emails[who], password)).status).toBe(303);
      sessions.set(who, {
        client,
        csrf: (await client.get("/api/v1/me")).json<{ csrfToken: string }>().csrfToken,
      });
    }
    for (const route of h.server.routes) {
      // Logging in and out change the session the other rows use; both are tested on their own.
      if (route.method === "OPTIONS" || route.url === "/login" || route.url === "/logout") continue;
      for (const who of everyone) {
        const principal = who === "public" ? { kind: "public" as const } : h.principals[who];
        const expected = decide(route.access, principal);
        const { client, csrf } = sessions.get(who) as {
          client: ReturnType<Harness["client"]>;
          csrf: string | null;
        };
        const safe = route.method === "GET" || route.method === "HEAD";
        const response = await client.fetch(route.method, concretePath(route.url), {
          ...(safe || route.method === "DELETE" ? {} : { json: {} }),
          ...(csrf && !safe ? { headers: { "csrf-token": csrf } } : {}),
        });
        const isPage = !route.url.startsWith("/api/") && !route.url.startsWith("/published-list");
        const got =
          response.status === 401 ||
          (isPage && response.status === 303 && /\/login/.test(String(response.headers.location)))
            ? "unauthenticated"
            : response.status === 403 && !csrfRefusal.test(response.text)
              ? "forbidden"
              : "allow";
        if (got !== expected)
          failures.push(
            `${route.method} ${route.url} as ${who}: expected ${expected}, got ${response.status}`,
          );
      }
    }
    expect(failures).toEqual([]);
  }, 90_000);

  it("refuses to start with a route that has no entry", async () => {
    const app = Fastify();
    guardRoutes(app, []);
    expect(() => app.get("/api/v1/forgotten", async () => ({ secret: true }))).toThrow(
      /GET \/api\/v1\/forgotten has no entry/,
    );
    await app.close().catch(() => {});
  });

  it("writes are the agency's (and an operator's own contact); auditors write nothing", () => {
    const writes = Object.entries(routeAccess).filter(
      ([key, access]) => !key.startsWith("GET ") && !("public" in access) && access.scope !== "self",
    );
    expect(writes.length).toBeGreaterThan(5);
    for (const [key, access] of writes) {
      if ("public" in access) continue;
      expect(access.roles, key).not.toContain("auditor");
      expect(access.roles, key).toContain("agency");
    }
  });
});

describe("the roles of docs/service.md, route by route", () => {
  const allowed = (key: string) => {
    const access = routeAccess[key];
    if (!access) return "missing";
    return "public" in access ? "public" : `${[...access.roles].sort().join(",")} (${access.scope})`;
  };
  it.each([
    ["GET /", "public"],
    ["GET /published-list.json", "public"],
    ["GET /published-list.json.sig", "public"],
    ["GET /api/v1/signatories", "public"],
    ["POST /tlsrpt", "public"],
    ["GET /api/v1/organisations/:id", "agency,auditor,operator (organisation)"],
    ["GET /api/v1/domains/:id", "agency,auditor,operator (organisation)"],
    ["PATCH /api/v1/organisations/:id", "agency,operator (organisation)"],
    ["POST /api/v1/organisations", "agency (all)"],
    ["POST /api/v1/organisations/:id/withdrawal", "agency (all)"],
    ["POST /api/v1/charter-versions", "agency (all)"],
    ["GET /api/v1/accounts", "agency (all)"],
    ["POST /api/v1/accounts", "agency (all)"],
    ["POST /api/v1/tokens", "agency,auditor,operator (self)"],
    ["GET /api/v1/audits/:id", "agency,auditor,operator (organisation)"],
    ["POST /api/v1/domains/:id/audits", "agency,operator (organisation)"],
    ["GET /indicators/logs", "agency,operator (organisation)"],
    ["POST /indicators/logs", "agency,operator (organisation)"],
    ["GET /indicators/logs/result", "agency,operator (organisation)"],
    ["GET /agency/indicator-schedule", "agency (all)"],
    ["POST /agency/indicator-schedule/retry", "agency (all)"],
    ["GET /api/v1/indicators/schedule", "agency (all)"],
    ["POST /api/v1/indicators/schedule/retry", "agency (all)"],
    ["GET /indicators/tlsrpt", "agency,auditor,operator (organisation)"],
    ["GET /indicators/tlsrpt/:id", "agency,auditor,operator (organisation)"],
  ])("%s: %s", (key, expected) => {
    expect(allowed(key)).toBe(expected);
  });
});
