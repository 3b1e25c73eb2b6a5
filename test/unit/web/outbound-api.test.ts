/**
 * The outbound test through the service: an operator of X (or the agency) starts a test for X's
 * domain; an operator of Y neither starts one for X's domain nor reads X's test (404, no IDOR); an
 * auditor reads but does not start (403); the public gets nothing (401).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundTestDocumentSchema } from "../../../src/outbound/result-document.js";
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

describe("outbound tests over the API", () => {
  it("an operator of X starts a test of X's domain and reads it; Y's operator gets 404 on both", async () => {
    const c = h.client();
    const started = await c.fetch("POST", `/api/v1/domains/${h.ids.domainX}/outbound-tests`, {
      bearer: h.tokens.operatorX,
    });
    expect(started.status).toBe(201);
    const doc = outboundTestDocumentSchema.parse(started.json());
    expect(doc).toMatchObject({ domain: "x.example", organisation: "X Mail", state: "waiting" });
    expect(doc.addresses.map((a) => a.address.split("@")[1])).toEqual(["valid.t.example", "plain.t.example"]);
    const path = `/api/v1/outbound-tests/${doc.id}`;
    expect((await c.get(path, { bearer: h.tokens.operatorX })).json()).toMatchObject({ id: doc.id });
    expect((await c.get(path, { bearer: h.tokens.auditor })).status).toBe(200);
    expect((await c.get(path, { bearer: h.tokens.agency })).status).toBe(200);
    const asY = await c.get(path, { bearer: h.tokens.operatorY });
    expect(asY.status).toBe(404);
    expect(asY.text).not.toMatch(/x\.example|mc-/);
    expect((await c.get(path)).status).toBe(401);
    const onX = await c.fetch("POST", `/api/v1/domains/${h.ids.domainX}/outbound-tests`, {
      bearer: h.tokens.operatorY,
    });
    expect(onX.status).toBe(404);
  });

  it("the auditor reads but may not start (403); the agency may start for any domain", async () => {
    const c = h.client();
    expect(
      (await c.fetch("POST", `/api/v1/domains/${h.ids.domainY}/outbound-tests`, { bearer: h.tokens.auditor }))
        .status,
    ).toBe(403);
    const byAgency = await c.fetch("POST", `/api/v1/domains/${h.ids.domainY}/outbound-tests`, {
      bearer: h.tokens.agency,
    });
    expect(byAgency.status).toBe(201);
    const id = outboundTestDocumentSchema.parse(byAgency.json()).id;
    expect((await c.get(`/api/v1/outbound-tests/${id}`, { bearer: h.tokens.operatorX })).status).toBe(404);
    expect((await c.get(`/api/v1/outbound-tests/${id}`, { bearer: h.tokens.operatorY })).status).toBe(200);
  });

  it("unknown and malformed ids: 404 and 400, never a crash", async () => {
    const c = h.client();
    expect((await c.get("/api/v1/outbound-tests/999999", { bearer: h.tokens.agency })).status).toBe(404);
    expect((await c.get("/api/v1/outbound-tests/abc", { bearer: h.tokens.agency })).status).toBe(400);
    expect(
      (await c.fetch("POST", "/api/v1/domains/999999/outbound-tests", { bearer: h.tokens.agency })).status,
    ).toBe(404);
  });
});
