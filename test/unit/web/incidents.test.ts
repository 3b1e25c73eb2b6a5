/**
 * Incidents over the API and the pages, per role: an operator sees and acts on its own; an interruption
 * told to every signatory (Charte art. 4.6) is visible to every operator, without the other
 * organisation's comments, and not theirs to acknowledge (403); any other incident of another
 * organisation is 404 by every identifier (no IDOR).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Detection } from "../../../src/monitor/detection/detection.js";
import { IncidentStore } from "../../../src/monitor/incidents/incident-store.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;
let runId = 100;
const ids = { yPrivate: 0, yAll: 0, xOwn: 0 };

async function seed(
  incidents: IncidentStore,
  domain: string,
  organisation: string,
  kind: Detection["kind"],
  audience: "all" | "organisation",
): Promise<number> {
  runId++;
  const at = new Date(Date.parse("2026-12-01T10:00:00.000Z") + runId * 1000).toISOString();
  const detection: Detection = {
    kind,
    severity: kind === "certificate_expiring" ? "warning" : "interruption",
    domain,
    subject: `endpoint:mx.${domain}|192.0.2.1|25|smtp`,
    endpoint: `mx.${domain} [192.0.2.1]:25`,
    mx: true,
    runId,
    at,
    baselineRunId: null,
    baselineAt: null,
    from: "TLS",
    to: "not_offered",
    message: `mx.${domain}: STARTTLS is no longer advertised`,
  };
  const applied = await incidents.apply(
    { domain, organisation, runId, at },
    [
      {
        type: "open",
        detection,
        suspicion: null,
        audience,
        lastGood: null,
        firstObservedAt: at,
        firstRunId: runId,
      },
    ],
    at,
  );
  return applied?.[0]?.incidentId ?? 0;
}

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  const incidents = await IncidentStore.open(store);
  ids.yPrivate = await seed(incidents, "y.example", "Y Télécom", "certificate_expiring", "organisation");
  ids.yAll = await seed(incidents, "y.example", "Y Télécom", "starttls_missing", "all");
  ids.xOwn = await seed(incidents, "x.example", "X Mail", "handshake_failed", "organisation");
  await incidents.comment(
    ids.yAll,
    "postmaster@y.example",
    "our relay was restarted without its key",
    "2026-12-01T11:00:00.000Z",
  );
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const acknowledgedNotices = async () =>
  (
    await store.db
      .selectFrom("notify_notices")
      .select("dedup_key")
      .where("kind", "=", "incident-acknowledged")
      .orderBy("id")
      .execute()
  ).map((r) => r.dedup_key);

type List = { incidents: { id: number; canAct: boolean; domain: string }[] };
type Detail = {
  incident: { id: number; state: string; canAct: boolean; acknowledgedBy: string | null };
  timeline: { type: string; text: string | null; author: string | null }[];
};

describe("incidents API", () => {
  it("lists: the agency and auditors see all; an operator its own and those told to every signatory", async () => {
    const c = h.client();
    const of = async (bearer: string) => (await c.get("/api/v1/incidents", { bearer })).json<List>();
    expect((await of(h.tokens.agency)).incidents.map((i) => i.id).sort()).toEqual(
      [ids.yPrivate, ids.yAll, ids.xOwn].sort(),
    );
    expect((await of(h.tokens.auditor)).incidents).toHaveLength(3);
    const x = await of(h.tokens.operatorX);
    expect(x.incidents.map((i) => [i.id, i.canAct]).sort()).toEqual(
      [
        [ids.yAll, false],
        [ids.xOwn, true],
      ].sort(),
    );
    expect((await c.get("/api/v1/incidents")).status).toBe(401);
  });

  it("no IDOR: Y's incident not told to all is 404 for X's operator, by id and by domain filter", async () => {
    const c = h.client();
    const asX = await c.get(`/api/v1/incidents/${ids.yPrivate}`, { bearer: h.tokens.operatorX });
    expect(asX.status).toBe(404);
    expect(asX.json()).toEqual({ error: { code: "not_found", message: `no incident ${ids.yPrivate}` } });
    expect(asX.text).not.toMatch(/y\.example|Y Télécom/);
    expect(
      (await c.get(`/api/v1/incidents?domain=${h.ids.domainY}`, { bearer: h.tokens.operatorX })).status,
    ).toBe(404);
    for (const path of [
      `/api/v1/incidents/${ids.yPrivate}/acknowledge`,
      `/api/v1/incidents/${ids.yPrivate}/comments`,
    ]) {
      const r = await c.fetch("POST", path, { bearer: h.tokens.operatorX, json: { text: "x" } });
      expect(r.status, path).toBe(404);
    }
    expect((await c.get(`/api/v1/incidents/${ids.yPrivate}`, { bearer: h.tokens.operatorY })).status).toBe(
      200,
    );
    expect((await c.get("/api/v1/incidents/999999", { bearer: h.tokens.agency })).status).toBe(404);
  });

  it("an interruption told to every signatory: visible to X without Y's comments, not X's to acknowledge", async () => {
    const c = h.client();
    const asX = (await c.get(`/api/v1/incidents/${ids.yAll}`, { bearer: h.tokens.operatorX })).json<Detail>();
    expect(asX.incident.canAct).toBe(false);
    expect(asX.timeline.map((e) => e.type)).not.toContain("comment");
    expect(JSON.stringify(asX)).not.toContain("relay was restarted");
    const asY = (await c.get(`/api/v1/incidents/${ids.yAll}`, { bearer: h.tokens.operatorY })).json<Detail>();
    expect(asY.timeline.find((e) => e.type === "comment")).toMatchObject({
      author: "postmaster@y.example",
      text: "our relay was restarted without its key",
    });
    const ack = await c.fetch("POST", `/api/v1/incidents/${ids.yAll}/acknowledge`, {
      bearer: h.tokens.operatorX,
    });
    expect(ack.status).toBe(403);
    expect(ack.json<{ error: { code: string } }>().error.code).toBe("forbidden");
    expect(await acknowledgedNotices()).toEqual([]);
    const auditor = await c.fetch("POST", `/api/v1/incidents/${ids.yAll}/acknowledge`, {
      bearer: h.tokens.auditor,
    });
    expect(auditor.status).toBe(403);
  });

  it("the operator concerned acknowledges once (then 409) and comments; bad comments are 400", async () => {
    const c = h.client();
    const ack = await c.fetch("POST", `/api/v1/incidents/${ids.xOwn}/acknowledge`, {
      bearer: h.tokens.operatorX,
    });
    expect(ack.status).toBe(200);
    expect(ack.json<Detail>().incident).toMatchObject({
      state: "acknowledged",
      acknowledgedBy: "postmaster@x.example",
    });
    const again = await c.fetch("POST", `/api/v1/incidents/${ids.xOwn}/acknowledge`, {
      bearer: h.tokens.operatorX,
    });
    expect(again.status).toBe(409);
    // The acknowledgement applied once is told once (src/notify's outbox), in the same transaction.
    expect(await acknowledgedNotices()).toEqual([`incident:${ids.xOwn}:acknowledged:0`]);
    const comment = await c.fetch("POST", `/api/v1/incidents/${ids.xOwn}/comments`, {
      bearer: h.tokens.operatorX,
      json: { text: "  key rolled back  " },
    });
    expect(comment.status).toBe(201);
    expect(comment.json<Detail>().timeline.at(-1)).toMatchObject({
      type: "comment",
      text: "key rolled back",
    });
    for (const text of ["   ", "x".repeat(2001)]) {
      const bad = await c.fetch("POST", `/api/v1/incidents/${ids.xOwn}/comments`, {
        bearer: h.tokens.operatorX,
        json: { text },
      });
      expect(bad.status).toBe(400);
    }
  });
});

describe("incident pages", () => {
  it("list and detail in both languages; another organisation's private incident is a 404 page", async () => {
    const c = h.client();
    expect((await c.login(h.emails.operatorY, password)).status).toBe(303);
    const list = await c.get("/incidents?lang=en");
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/incidents/${ids.yPrivate}"`);
    expect(list.text).toContain("certificate expiring");
    expect(list.text).not.toContain(`href="/incidents/${ids.xOwn}"`);
    const fr = await c.get(`/incidents/${ids.yAll}?lang=fr`);
    expect(fr.text).toContain("STARTTLS n&#39;est plus annoncé");
    expect(fr.text).toContain("notifié à tous les signataires (art. 4.6)");
    expect(fr.text).toContain('action="/incidents/');
    const x = h.client();
    await x.login(h.emails.operatorX, password);
    expect((await x.get(`/incidents/${ids.yPrivate}`)).status).toBe(404);
    const visible = await x.get(`/incidents/${ids.yAll}?lang=en`);
    expect(visible.status).toBe(200);
    // Visible, but no forms and no links into Y's audits for X.
    expect(visible.text).not.toContain(`action="/incidents/${ids.yAll}/acknowledge"`);
    expect(visible.text).not.toContain('href="/audits/');
    expect(visible.text).not.toContain("relay was restarted");
  });

  it("acknowledge and comment forms need the CSRF token and work with it", async () => {
    const c = h.client();
    await c.login(h.emails.operatorY, password);
    const page = await c.get(`/incidents/${ids.yAll}`);
    const refused = await c.fetch("POST", `/incidents/${ids.yAll}/comment`, { form: { text: "no token" } });
    expect(refused.status).toBe(403);
    const csrf = WebClient.csrfOf(page.text);
    const ack = await c.fetch("POST", `/incidents/${ids.yAll}/acknowledge`, { form: { _csrf: csrf } });
    expect(ack.status).toBe(303);
    expect(ack.headers.location).toBe(`/incidents/${ids.yAll}`);
    const comment = await c.fetch("POST", `/incidents/${ids.yAll}/comment`, {
      form: { _csrf: csrf, text: "fixed at 10:40" },
    });
    expect(comment.status).toBe(303);
    const after = await c.get(`/incidents/${ids.yAll}?lang=en`);
    expect(after.text).toContain("fixed at 10:40");
    expect(after.text).toContain("acknowledged");
    expect(after.text).not.toContain(`action="/incidents/${ids.yAll}/acknowledge"`);
  });

  it("the domain and organisation pages link their incidents", async () => {
    const c = h.client();
    await c.login(h.emails.operatorX, password);
    const domain = await c.get(`/domains/${h.ids.domainX}?lang=en`);
    expect(domain.text).toContain("Incidents of this domain");
    expect(domain.text).toContain(`href="/incidents/${ids.xOwn}"`);
    const org = await c.get(`/organisations/${h.ids.orgX}?lang=en`);
    expect(org.text).toContain(`href="/incidents/${ids.xOwn}"`);
    expect(org.text).not.toContain(`href="/incidents/${ids.yAll}"`);
  });
});
