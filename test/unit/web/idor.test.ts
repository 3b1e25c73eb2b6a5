/** An operator of X never reads or changes Y's non-public data, through any identifier: 404, not the data. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

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

describe("no IDOR between organisations", () => {
  it("Y's organisation and domain by id: 404 for an operator of X, the data for Y's operator", async () => {
    const c = h.client();
    for (const path of [`/api/v1/organisations/${h.ids.orgY}`, `/api/v1/domains/${h.ids.domainY}`]) {
      const asX = await c.get(path, { bearer: h.tokens.operatorX });
      expect(asX.status, path).toBe(404);
      expect(asX.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
      expect(asX.text).not.toMatch(/y\.example|Y Télécom/);
      expect((await c.get(path, { bearer: h.tokens.operatorY })).status, path).toBe(200);
      expect((await c.get(path, { bearer: h.tokens.auditor })).status, path).toBe(200);
    }
  });

  it("lists hold only the operator's own organisation and domains", async () => {
    const c = h.client();
    const orgs = (await c.get("/api/v1/organisations", { bearer: h.tokens.operatorX })).json<{
      organisations: { name: string }[];
    }>();
    expect(orgs.organisations.map((o) => o.name)).toEqual(["X Mail"]);
    const domains = (await c.get("/api/v1/domains", { bearer: h.tokens.operatorX })).json<{
      domains: { domain: string }[];
    }>();
    expect(domains.domains.map((d) => d.domain)).toEqual(["x.example"]);
    const all = (await c.get("/api/v1/domains", { bearer: h.tokens.auditor })).json<{ domains: unknown[] }>();
    expect(all.domains).toHaveLength(2);
  });

  it("an operator of X cannot change Y's contact (404), and changes only X's contact", async () => {
    const c = h.client();
    const onY = await c.fetch("PATCH", `/api/v1/organisations/${h.ids.orgY}`, {
      bearer: h.tokens.operatorX,
      json: { contact: "evil@x.example" },
    });
    expect(onY.status).toBe(404);
    const y = (await c.get(`/api/v1/organisations/${h.ids.orgY}`, { bearer: h.tokens.agency })).json<{
      contact: string;
    }>();
    expect(y.contact).toBe("contact@y.example");
    const own = await c.fetch("PATCH", `/api/v1/organisations/${h.ids.orgX}`, {
      bearer: h.tokens.operatorX,
      json: { contact: "noc@x.example" },
    });
    expect(own.status).toBe(200);
    expect(own.json<{ contact: string }>().contact).toBe("noc@x.example");
    const adhesion = await c.fetch("PATCH", `/api/v1/organisations/${h.ids.orgX}`, {
      bearer: h.tokens.operatorX,
      json: { adhesionDate: "2020-01-01" },
    });
    expect(adhesion.status).toBe(403);
    expect(adhesion.json<{ error: { code: string } }>().error.code).toBe("forbidden");
  });

  it("Y's token cannot be revoked by X (404), and keeps working", async () => {
    const c = h.client();
    const yTokens = (await c.get("/api/v1/tokens", { bearer: h.tokens.operatorY })).json<{
      tokens: { id: number }[];
    }>();
    const yToken = yTokens.tokens[0]?.id;
    expect(yToken).toBeGreaterThan(0);
    const xTokens = (await c.get("/api/v1/tokens", { bearer: h.tokens.operatorX })).json<{
      tokens: { id: number }[];
    }>();
    expect(xTokens.tokens.map((t) => t.id)).not.toContain(yToken);
    const revoke = await c.fetch("DELETE", `/api/v1/tokens/${yToken}`, { bearer: h.tokens.operatorX });
    expect(revoke.status).toBe(404);
    expect((await c.get("/api/v1/me", { bearer: h.tokens.operatorY })).status).toBe(200);
  });
});
