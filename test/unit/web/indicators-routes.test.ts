/**
 * The indicators pages and API: an operator sees and uploads only what its organisation is a party
 * to (no IDOR through the link ids or the organisation id), the agency sees every link, the monthly
 * report is the agency's and auditors', pages need no inline script or style.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;
let orgZ = 0;

// X's MTA: one verified delivery to Y, one in clear to Z. Y's MTA: one verified delivery to Z.
const xLog = [
  "Dec  1 10:00:00 mx postfix/smtp[11]: Verified TLS connection established to mx1.y.example[192.0.2.2]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
  "Dec  1 10:00:01 mx postfix/smtp[11]: AAA1: to=<u@y.example>, relay=mx1.y.example[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
  "Dec  1 10:01:01 mx postfix/smtp[12]: AAA2: to=<u@z.example>, relay=mx.z.example[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
  "",
].join("\n");
const yLog = [
  "Dec  1 11:00:00 mx postfix/smtp[21]: Verified TLS connection established to mx.z.example[192.0.2.3]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "Dec  1 11:00:01 mx postfix/smtp[21]: BBB1: to=<v@z.example>, relay=mx.z.example[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
  "",
].join("\n");

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  h.clock.now = new Date("2026-12-02T12:00:00Z");
  await h.ctx.registry.add({
    name: "Z Hosting",
    contact: "contact@z.example",
    adhesionDate: "2026-03-01",
    domains: [{ domain: "z.example", mx: ["mx.z.example"] }],
  });
  orgZ = (await h.ctx.registry.organisationId("Z Hosting")) ?? 0;
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const upload = (org: number, bearer: string, body: string | Buffer, type = "text/plain") =>
  h.client().fetch("POST", `/api/v1/organisations/${org}/mta-logs?format=postfix`, {
    bearer,
    body: body as string,
    headers: { "content-type": type },
  });

describe("MTA log upload", () => {
  it("an operator uploads its own organisation's log and gets the summary", async () => {
    const x = await upload(h.ids.orgX, h.tokens.operatorX, xLog);
    expect(x.status, x.text).toBe(200);
    expect(x.json()).toMatchObject({
      schema: "mailcharter/indicators-log/1",
      lines: 3,
      deliveries: { sent: 2 },
    });
    const y = await upload(h.ids.orgY, h.tokens.operatorY, yLog);
    expect(y.status).toBe(200);
  });
  it("never another organisation's (404, nothing stored), and never without a format or a text body", async () => {
    const other = await upload(h.ids.orgY, h.tokens.operatorX, yLog);
    expect(other.status).toBe(404);
    expect((await upload(99_999, h.tokens.operatorX, xLog)).status).toBe(404);
    expect((await upload(h.ids.orgX, h.tokens.auditor, xLog)).status).toBe(403);
    const noFormat = await h.client().fetch("POST", `/api/v1/organisations/${h.ids.orgX}/mta-logs`, {
      bearer: h.tokens.operatorX,
      body: xLog,
      headers: { "content-type": "text/plain" },
    });
    expect(noFormat.status).toBe(400);
    const json = await h
      .client()
      .fetch("POST", `/api/v1/organisations/${h.ids.orgX}/mta-logs?format=postfix`, {
        bearer: h.tokens.operatorX,
        json: { log: xLog },
      });
    expect(json.status).toBe(415);
  });
});

describe("links", () => {
  const q = "from=2026-12-01&to=2026-12-01";
  it("the agency sees every link; an operator only those of its organisation", async () => {
    const all = await h.client().get(`/api/v1/links?${q}`, { bearer: h.tokens.agency });
    expect(all.status).toBe(200);
    const pairs = (r: typeof all) =>
      r
        .json<{
          links: { sender: { name: string }; receiver: { name: string }; classes: { verified: number } }[];
        }>()
        .links.map((l) => `${l.sender.name}>${l.receiver.name}:${l.classes.verified}`)
        .sort();
    expect(pairs(all)).toEqual(["X Mail>Y Télécom:1", "X Mail>Z Hosting:0", "Y Télécom>Z Hosting:1"]);
    const x = await h.client().get(`/api/v1/links?${q}`, { bearer: h.tokens.operatorX });
    expect(pairs(x)).toEqual(["X Mail>Y Télécom:1", "X Mail>Z Hosting:0"]);
    expect((await h.client().get(`/api/v1/links?${q}`)).status).toBe(401);
    expect(
      (await h.client().get(`/api/v1/links?from=2026-12-02&to=2026-12-01`, { bearer: h.tokens.agency }))
        .status,
    ).toBe(400);
  });

  it("the matrix page: shares written in the cells, other pairs not shown to an operator, no inline style", async () => {
    const page = await h.client().get(`/indicators?${q}&lang=en`, { bearer: h.tokens.operatorX });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/indicators/links/${h.ids.orgX}/${h.ids.orgY}?${q.replace("&", "&amp;")}`);
    expect(page.text).toMatch(/class="share-all"><a [^>]*>100 %<\/a>/);
    expect(page.text).toMatch(/class="share-few"><a [^>]*>0 %<\/a>/);
    expect(page.text).not.toContain(`/indicators/links/${h.ids.orgY}/${orgZ}`);
    expect(page.text).toContain("link of other organisations");
    expect(page.text).not.toMatch(/<script|style="/);
    const agency = await h.client().get(`/indicators?${q}`, { bearer: h.tokens.agency });
    expect(agency.text).toContain(`/indicators/links/${h.ids.orgY}/${orgZ}`);
  });

  it("a link's page: SVG charts and the same numbers in a table; another pair's link is not found", async () => {
    const mine = await h
      .client()
      .get(`/indicators/links/${h.ids.orgX}/${orgZ}?${q}&lang=en`, { bearer: h.tokens.operatorX });
    expect(mine.status).toBe(200);
    expect(mine.text).toMatch(/<svg [^>]*role="img"/);
    expect(mine.text).toMatch(/<rect class="c-none"[^>]*><title>2026-12-01 — in clear: 1<\/title>/);
    expect(mine.text).not.toMatch(/<script|style="/);
    const other = await h
      .client()
      .get(`/indicators/links/${h.ids.orgY}/${orgZ}?${q}`, { bearer: h.tokens.operatorX });
    expect(other.status).toBe(404);
    const unknown = await h
      .client()
      .get(`/indicators/links/${h.ids.orgX}/99999?${q}`, { bearer: h.tokens.operatorX });
    expect(unknown.status).toBe(404);
  });

  it("the monthly report: the agency's and auditors', printable, every link with its charts", async () => {
    const report = await h
      .client()
      .get("/indicators/report?month=2026-12&lang=en", { bearer: h.tokens.auditor });
    expect(report.status).toBe(200);
    expect(report.text).toContain("Monthly indicators report — 2026-12");
    expect(report.text.match(/<section class="link-section">/g)).toHaveLength(3);
    expect(
      (await h.client().get("/indicators/report?month=2026-12", { bearer: h.tokens.operatorX })).status,
    ).toBe(403);
    expect(
      (await h.client().get("/indicators/report?month=2026-13", { bearer: h.tokens.agency })).status,
    ).toBe(400);
  });
});
