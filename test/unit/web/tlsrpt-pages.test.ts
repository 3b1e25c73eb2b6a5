/**
 * The TLS-RPT reports received, on the pages (/indicators/tlsrpt and a report's page): reports from
 * senders that are not signatories (the real Google and Microsoft samples) posted to /tlsrpt appear
 * under their receiving organisation; an operator sees only those about its own domains (another's
 * report is "not found", and of a report covering both, only its own policy); the agency and
 * auditors see all, the domains of no signatory included. The HTML is read with parse5, as a browser
 * would: a report's hostile fields are text, never markup.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DefaultTreeAdapterMap, parse } from "parse5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt", name), "utf8"),
  ) as Record<string, unknown> & { policies: { policy: Record<string, unknown> }[] };

let store: Store;
let h: Harness;
const ids: Record<string, number> = {};

const hostileName = 'Evil <script>alert("name")</script> & Co';
const hostileContact = '"><img src=x onerror=alert(1)>';
const hostileInfo = "</td></tr></table><script>alert(2)</script>";

function withDomain(name: string, domain: string, reportId: string) {
  const report = fixture(name);
  for (const p of report.policies) p.policy["policy-domain"] = domain;
  report["report-id"] = reportId;
  return report;
}

async function post(report: unknown): Promise<void> {
  const answer = await h.server.app.inject({
    method: "POST",
    url: "/tlsrpt",
    headers: { "content-type": "application/tlsrpt+json" },
    payload: JSON.stringify(report),
  });
  expect(answer.statusCode, answer.body).toBe(201);
}

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  h.clock.now = new Date("2026-12-02T12:00:00Z");
  await post(withDomain("google-sts.json", "x.example", "google-x"));
  await post(withDomain("microsoft-no-zone.json", "y.example", "microsoft-y"));
  await post(withDomain("google-sts.json", "nobody.example", "google-nobody"));
  const hostile = withDomain("microsoft-no-zone.json", "x.example", "evil-x");
  hostile["organization-name"] = hostileName;
  hostile["contact-info"] = hostileContact;
  (hostile.policies[0] as unknown as { "failure-details": Record<string, unknown>[] })["failure-details"] = [
    {
      "result-type": "certificate-expired",
      "failed-session-count": 3,
      "additional-information": hostileInfo,
    },
  ];
  await post(hostile);
  const both = withDomain("google-sts.json", "x.example", "multi-xy");
  both["organization-name"] = "Multi Sender";
  both.policies.push({
    ...(JSON.parse(JSON.stringify(both.policies[0])) as { policy: Record<string, unknown> }),
  });
  (both.policies[1] as { policy: Record<string, unknown> }).policy["policy-domain"] = "y.example";
  await post(both);
  for (const r of (await h.ctx.tlsrpt?.list()) ?? []) ids[r.reportId] = r.id;
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const get = (url: string, token: string) =>
  h.server.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });

function elements(node: Node, out: Element[] = []): Element[] {
  if ("tagName" in node) out.push(node);
  if ("childNodes" in node) for (const child of node.childNodes) elements(child, out);
  if ("content" in node && node.content) elements(node.content, out);
  return out;
}
const textOf = (node: Node): string =>
  "value" in node && node.nodeName === "#text"
    ? node.value
    : "childNodes" in node
      ? node.childNodes.map(textOf).join("")
      : "";
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;

function dom(body: string) {
  const all = elements(parse(body));
  return {
    all,
    sections: all.filter((e) => e.tagName === "section"),
    reportRows: (id: number) =>
      all.filter((e) => e.tagName === "tr" && attr(e, "data-report") === String(id)),
    field: (name: string) => all.find((e) => attr(e, "data-field") === name),
  };
}

/** No element or attribute a report could have smuggled in. */
function expectInert(body: string) {
  const { all } = dom(body);
  expect(all.filter((e) => e.tagName === "script" || e.tagName === "img")).toEqual([]);
  expect(all.flatMap((e) => e.attrs.filter((a) => a.name.startsWith("on")))).toEqual([]);
}

describe("the list of reports received", () => {
  it("the agency: every receiver, non-signatory senders and the domains of no signatory included", async () => {
    const page = await get("/indicators/tlsrpt?lang=en", h.tokens.agency);
    expect(page.statusCode, page.body).toBe(200);
    const d = dom(page.body);
    const headings = d.sections.map((s) => textOf(s.childNodes.find((c) => c.nodeName === "h2") as Node));
    expect(headings).toEqual(["X Mail", "Y Télécom", "Domains of no signatory"]);
    const google = d.reportRows(ids["google-x"] as number);
    expect(google).toHaveLength(1);
    const cells = (google[0] as Element).childNodes.map(textOf);
    expect(cells).toEqual([
      "Google Inc.",
      "smtp-tls-reporting@google.com",
      "2026-11-30T00:00:00Z — 2026-11-30T23:59:59Z",
      "x.example",
      "sts",
      "1204",
      "0",
      "—",
      "0",
    ]);
    const link = elements(google[0] as Element).find((e) => e.tagName === "a");
    expect(attr(link as Element, "href")).toBe(`/indicators/tlsrpt/${ids["google-x"]}?lang=en`);
    // Microsoft's dates without a zone: normalised, and the warning counted.
    const microsoft = (d.reportRows(ids["microsoft-y"] as number)[0] as Element).childNodes.map(textOf);
    expect(microsoft.slice(0, 2)).toEqual(["Microsoft Corporation", "tlsrpt-noreply@microsoft.com"]);
    expect(microsoft[7]).toBe("sts-policy-fetch-error 3");
    expect(Number(microsoft[8])).toBeGreaterThan(0);
    expect(d.reportRows(ids["google-nobody"] as number)).toHaveLength(1);
    // A report with policies to both X and Y is listed under each, with the policy of each.
    const multi = d.reportRows(ids["multi-xy"] as number).map((r) => r.childNodes.map(textOf)[3]);
    expect(multi).toEqual(["x.example", "y.example"]);
  });

  it("a hostile sender's fields are text: no script, no image, no handler", async () => {
    const page = await get("/indicators/tlsrpt?lang=en", h.tokens.agency);
    expectInert(page.body);
    const row = dom(page.body).reportRows(ids["evil-x"] as number)[0] as Element;
    const cells = row.childNodes.map(textOf);
    expect(cells[0]).toBe(hostileName);
    expect(cells[1]).toBe(hostileContact);
    expect(cells[7]).toBe("certificate-expired 3");
  });

  it("an operator: the reports about its own domains only; an auditor all", async () => {
    const x = await get("/indicators/tlsrpt?lang=en", h.tokens.operatorX);
    expect(x.statusCode).toBe(200);
    const d = dom(x.body);
    expect(d.sections).toHaveLength(1);
    expect(d.reportRows(ids["google-x"] as number)).toHaveLength(1);
    expect(d.reportRows(ids["microsoft-y"] as number)).toHaveLength(0);
    expect(d.reportRows(ids["google-nobody"] as number)).toHaveLength(0);
    expect(d.reportRows(ids["multi-xy"] as number).map((r) => r.childNodes.map(textOf)[3])).toEqual([
      "x.example",
    ]);
    expect(x.body).not.toContain("Microsoft Corporation");
    const y = await get("/indicators/tlsrpt?lang=en", h.tokens.operatorY);
    expect(dom(y.body).reportRows(ids["microsoft-y"] as number)).toHaveLength(1);
    expect(y.body).not.toContain("Google Inc.</a>");
    const auditor = await get("/indicators/tlsrpt?lang=en", h.tokens.auditor);
    expect(dom(auditor.body).sections).toHaveLength(3);
  });

  it("a period without reports says so; the page is in French by default; the indicators page links here", async () => {
    const empty = await get("/indicators/tlsrpt?from=2026-10-01&to=2026-10-31&lang=en", h.tokens.agency);
    expect(empty.body).toContain("No TLS-RPT report received in the period.");
    const fr = await get("/indicators/tlsrpt", h.tokens.agency);
    expect(fr.body).toContain("Rapports TLS-RPT reçus (RFC 8460)");
    const bad = await get("/indicators/tlsrpt?from=2026-12-02&to=2026-12-01", h.tokens.agency);
    expect(bad.statusCode).toBe(400);
    const indicators = await get("/indicators?lang=en", h.tokens.operatorX);
    const links = elements(parse(indicators.body)).filter((e) => e.tagName === "a");
    expect(links.map((a) => attr(a, "href"))).toContain(
      "/indicators/tlsrpt?from=2026-11-03&to=2026-12-02&lang=en",
    );
  });
});

describe("a report's page", () => {
  it("the normalised report, its failure details and the warnings recorded on receipt", async () => {
    const page = await get(`/indicators/tlsrpt/${ids["microsoft-y"]}?lang=en`, h.tokens.operatorY);
    expect(page.statusCode, page.body).toBe(200);
    const d = dom(page.body);
    expect(textOf(d.field("organization-name") as Element)).toBe("Microsoft Corporation");
    expect(textOf(d.field("report-id") as Element)).toBe("microsoft-y");
    const warnings = d.all.find(
      (e) => e.tagName === "table" && attr(e, "class")?.includes("tlsrpt-warnings"),
    );
    expect(textOf(warnings as Element)).toContain("date-without-zone");
    const json = d.all.find((e) => e.tagName === "pre" && attr(e, "class") === "tlsrpt-json") as Element;
    const normalised = JSON.parse(textOf(json)) as { "date-range": { "start-datetime": string } };
    expect(normalised["date-range"]["start-datetime"]).toBe("2026-11-30T00:00:00Z");
    const failures = d.all.find(
      (e) => e.tagName === "table" && attr(e, "class")?.includes("tlsrpt-failures"),
    );
    expect(textOf(failures as Element)).toContain("sts-policy-fetch-error");
  });

  it("a hostile report's page is inert, its fields shown as sent", async () => {
    const page = await get(`/indicators/tlsrpt/${ids["evil-x"]}?lang=en`, h.tokens.agency);
    expect(page.statusCode).toBe(200);
    expectInert(page.body);
    const d = dom(page.body);
    expect(textOf(d.field("organization-name") as Element)).toBe(hostileName);
    expect(textOf(d.field("contact-info") as Element)).toBe(hostileContact);
    expect(page.body).not.toContain(hostileInfo);
    expect(textOf(d.all.find((e) => e.tagName === "main") ?? (d.all[0] as Element))).toContain(hostileInfo);
  });

  it("another organisation's report is not found to an operator; of a shared one, only its own policy", async () => {
    expect((await get(`/indicators/tlsrpt/${ids["microsoft-y"]}`, h.tokens.operatorX)).statusCode).toBe(404);
    expect((await get(`/indicators/tlsrpt/${ids["google-nobody"]}`, h.tokens.operatorX)).statusCode).toBe(
      404,
    );
    expect((await get("/indicators/tlsrpt/999999", h.tokens.agency)).statusCode).toBe(404);
    const shared = await get(`/indicators/tlsrpt/${ids["multi-xy"]}?lang=en`, h.tokens.operatorX);
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toContain("Policies of other organisations not shown: 1.");
    expect(shared.body).not.toContain("y.example");
    const agency = await get(`/indicators/tlsrpt/${ids["multi-xy"]}?lang=en`, h.tokens.agency);
    expect(agency.body).toContain("y.example");
    expect(agency.body).not.toContain("not shown");
  });
});
