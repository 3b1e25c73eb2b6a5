/** Audits over the API: history, report, diff, on demand; an operator of X never reaches Y's audits. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { saveXyHistory } from "../../support/audit-fixture.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

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

describe("audits", () => {
  it("a domain's history, newest first, and one audit's full report", async () => {
    const c = h.client();
    const list = await c.get(`/api/v1/domains/${h.ids.domainX}/audits`, { bearer: h.tokens.operatorX });
    expect(list.status).toBe(200);
    expect(
      list.json<{ audits: { id: number; verdict: string }[] }>().audits.map((a) => [a.id, a.verdict]),
    ).toEqual([
      [runs.x2, "non_compliant"],
      [runs.x1, "compliant"],
    ]);
    const one = (await c.get(`/api/v1/audits/${runs.x1}`, { bearer: h.tokens.operatorX })).json<{
      report: { schema: string; domain: string };
    }>();
    expect(one.report).toMatchObject({ schema: "mailcharter/audit/1", domain: "x.example" });
  });

  it("the diff with the previous audit, or with a chosen one", async () => {
    const c = h.client();
    const diff = (await c.get(`/api/v1/audits/${runs.x2}/diff`, { bearer: h.tokens.operatorX })).json<{
      from: number;
      to: number;
      diff: { measures: { id: string; from: string; to: string }[]; same: boolean };
    }>();
    expect(diff.from).toBe(runs.x1);
    expect(diff.to).toBe(runs.x2);
    expect(diff.diff.same).toBe(false);
    expect(diff.diff.measures).toContainEqual(
      expect.objectContaining({ id: "mx.starttls", from: "pass", to: "fail" }),
    );
    const chosen = await c.get(`/api/v1/audits/${runs.x1}/diff?against=${runs.x2}`, {
      bearer: h.tokens.auditor,
    });
    expect(chosen.json<{ from: number }>().from).toBe(runs.x1);
    const first = await c.get(`/api/v1/audits/${runs.x1}/diff`, { bearer: h.tokens.agency });
    expect(first.status).toBe(404);
    const mixed = await c.get(`/api/v1/audits/${runs.x1}/diff?against=${runs.y1}`, {
      bearer: h.tokens.agency,
    });
    expect(mixed.status).toBe(400);
  });

  it("an operator of X gets 404 for Y's audit, its diff and Y's history; lists hold only X", async () => {
    const c = h.client();
    const x = { bearer: h.tokens.operatorX };
    for (const path of [
      `/api/v1/audits/${runs.y1}`,
      `/api/v1/audits/${runs.x2}/diff?against=${runs.y1}`,
      `/api/v1/domains/${h.ids.domainY}/audits`,
    ]) {
      const r = await c.get(path, x);
      expect(r.status, path).toBe(404);
      expect(r.text, path).not.toContain("y.example");
    }
    const recent = (await c.get("/api/v1/audits", x)).json<{ audits: { domain: string }[] }>();
    expect(new Set(recent.audits.map((a) => a.domain))).toEqual(new Set(["x.example"]));
    const all = (await c.get("/api/v1/audits", { bearer: h.tokens.auditor })).json<{
      audits: { domain: string }[];
    }>();
    expect(new Set(all.audits.map((a) => a.domain))).toEqual(new Set(["x.example", "y.example"]));
  });

  it("on demand: an operator audits its own domain (idempotent by key), not Y's; an auditor cannot", async () => {
    const c = h.client();
    const ask = (domainId: number, bearer: string, key: string) =>
      c.fetch("POST", `/api/v1/domains/${domainId}/audits`, { bearer, json: { idempotencyKey: key } });
    const first = await ask(h.ids.domainX, h.tokens.operatorX, "retry-key-0001");
    expect(first.status).toBe(202);
    const body = first.json<{
      run: { id: number; status: string; trigger: string; domain: string };
      created: boolean;
    }>();
    expect(body).toMatchObject({
      created: true,
      run: { status: "queued", trigger: "on_demand", domain: "x.example" },
    });
    expect(first.headers.location).toBe(`/api/v1/audits/${body.run.id}`);
    const again = await ask(h.ids.domainX, h.tokens.operatorX, "retry-key-0001");
    expect(again.json<{ run: { id: number }; created: boolean }>()).toMatchObject({
      created: false,
      run: { id: body.run.id },
    });
    expect((await ask(h.ids.domainY, h.tokens.operatorX, "retry-key-0002")).status).toBe(404);
    expect((await ask(h.ids.domainY, h.tokens.auditor, "retry-key-0003")).status).toBe(403);
    const agency = await ask(h.ids.domainY, h.tokens.agency, "retry-key-0004");
    expect(agency.status).toBe(202);
    const bad = await c.fetch("POST", `/api/v1/domains/${h.ids.domainX}/audits`, {
      bearer: h.tokens.agency,
      headers: { "idempotency-key": "bad key!" },
    });
    expect(bad.status).toBe(400);
  });

  it("the agency sets a domain's cadence; others read it; bounds are checked", async () => {
    const c = h.client();
    const path = `/api/v1/domains/${h.ids.domainX}/schedule`;
    expect(
      (await c.get(path, { bearer: h.tokens.operatorX })).json<{ cadenceSeconds: number }>().cadenceSeconds,
    ).toBe(86_400);
    const set = await c.fetch("PUT", path, { bearer: h.tokens.agency, json: { cadenceSeconds: 21_600 } });
    expect(set.status).toBe(200);
    expect(set.json<{ cadenceSeconds: number }>().cadenceSeconds).toBe(21_600);
    expect(
      (await c.get(path, { bearer: h.tokens.auditor })).json<{ cadenceSeconds: number }>().cadenceSeconds,
    ).toBe(21_600);
    expect(
      (await c.fetch("PUT", path, { bearer: h.tokens.operatorX, json: { cadenceSeconds: 3_600 } })).status,
    ).toBe(403);
    expect(
      (await c.fetch("PUT", path, { bearer: h.tokens.agency, json: { cadenceSeconds: 60 } })).status,
    ).toBe(400);
    expect(
      (await c.get(`/api/v1/domains/${h.ids.domainY}/schedule`, { bearer: h.tokens.operatorX })).status,
    ).toBe(404);
  });

  it("the public list and the home page show each domain's latest verdict and date", async () => {
    const c = h.client();
    const pub = (await c.get("/api/v1/signatories")).json<{
      signatories: {
        domains: { domain: string; latest: { verdict: string; finishedAt: string } | null }[];
      }[];
    }>();
    const domains = pub.signatories.flatMap((s) => s.domains);
    expect(domains.find((d) => d.domain === "x.example")?.latest).toEqual({
      verdict: "non_compliant",
      finishedAt: "2026-12-01T10:00:00.000Z",
    });
    const home = await c.get("/", { headers: { "accept-language": "en" } });
    expect(home.text).toContain('<span class="badge non_compliant">non-compliant</span>');
    expect(home.text).toContain('<time datetime="2026-12-01T11:00:00.000Z">2026-12-01</time>');
  });
});
