/**
 * The received TLS-RPT pages in Chromium (Debian's, through playwright-core), script disabled, against
 * the built `mailcharter serve` on 127.0.28.40: three reports are posted to POST /tlsrpt over HTTPS as
 * a sending MTA would — Microsoft's (plain JSON, 87 successful and 3 failed sessions,
 * sts-policy-fetch-error) and Google's (gzip, 1204 successful) about x.example, and the RFC 8460
 * Appendix B report about y.example (certificate-expired, starttls-not-supported, validation-failure);
 * Microsoft's again is a duplicate. The operator of X sees its two reports on /indicators/tlsrpt and
 * their details (Microsoft's zone-less dates and missing fields as warnings), in English and in
 * French, and nothing of Y's: the detail URL of Y's report answers the same 404 as an id that does
 * not exist. The agency sees both organisations' reports. No page logs an error or loads anything
 * from another origin. Screenshots under test-results/tlsrpt-browser/.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/accounts/accounts.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";
import { launchChromium } from "../support/chromium.js";
import { startServe, stopProcess } from "../support/serve-process.js";
import { tlsRptBrowserAddress } from "./lab/ports.js";

const { address, port } = tlsRptBrowserAddress;
const base = `https://${address}:${port}`;
const origin = new URL(base).origin; // without :443, the default port
const password = "a tlsrpt browser test password";
const shots = join(process.cwd(), "test-results", "tlsrpt-browser");
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", "tlsrpt", name), "utf8");

/**
 * The fixtures' reports, about the given domain and for yesterday (UTC), so that they fall in the
 * pages' default period (the 30 days up to today) whenever the test runs.
 */
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const about = (text: string, from: RegExp, domain: string, day: string) =>
  text.replaceAll(from, domain).replaceAll(day, yesterday);
const microsoftX = about(
  fixture("microsoft-no-zone.json"),
  /signataire-a\.example/g,
  "x.example",
  "2026-11-30",
);
const googleX = about(fixture("google-sts.json"), /signataire-a\.example/g, "x.example", "2026-11-30");
const rfcY = about(fixture("rfc8460-appendix-b.json"), /company-y\.example/g, "y.example", "2016-04-01");

let child: ChildProcess | null = null;
let context: BrowserContext | null = null;
let profile = "";
let work = "";
/** The stored ids of the reports, read from the agency's page (the POST answer does not give them). */
const ids = { microsoftX: 0, googleX: 0, rfcY: 0 };
/** Every URL the pages asked for, and every error they logged, with the URL of the page. */
const requested: string[] = [];
const errors: string[] = [];

async function seed(db: string): Promise<void> {
  const store = await openStore(db, { create: true });
  try {
    const registry = await Registry.open(store);
    await registry.add({
      name: "Xmail SA",
      contact: "contact@x.example",
      adhesionDate: "2026-01-15",
      domains: [{ domain: "x.example", mx: ["mx1.x.example"] }],
    });
    await registry.add({
      name: "Ytélécom",
      contact: "contact@y.example",
      adhesionDate: "2026-02-01",
      domains: [{ domain: "y.example", mx: ["mx1.mail.y.example"] }],
    });
    const accounts = new Accounts(store, registry, () => new Date());
    await accounts.add({ email: "keeper@agency.example", role: "agency", password });
    await accounts.add({
      email: "postmaster@x.example",
      role: "operator",
      organisation: "Xmail SA",
      password,
    });
  } finally {
    await store.close();
  }
}

/**
 * A sending MTA's POST /tlsrpt. The server's certificate is self-signed, generated in its data
 * directory: this client trusts that certificate only (pinned as its sole CA), for this request.
 */
function post(body: Buffer, type: string): Promise<{ status: number; answer: Record<string, unknown> }> {
  const ca = readFileSync(join(work, "tls-cert.pem"), "utf8");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        path: "/tlsrpt",
        method: "POST",
        headers: { "content-type": type, "content-length": String(body.length) },
        ca,
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, answer: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new Error(`POST /tlsrpt answered ${res.statusCode}: ${text}`));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-browser-"));
  const db = join(work, "service.sqlite");
  await seed(db);
  child = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
  mkdirSync(shots, { recursive: true });

  const posts = [
    await post(Buffer.from(microsoftX), "application/tlsrpt+json"),
    await post(gzipSync(Buffer.from(googleX)), "application/tlsrpt+gzip"),
    await post(Buffer.from(rfcY), "application/tlsrpt+json"),
  ];
  for (const p of posts) {
    expect(p.status, JSON.stringify(p.answer)).toBe(201);
    expect(p.answer.status).toBe("accepted");
  }
  // The same report again: a duplicate, not stored twice (the pages below show one row for it).
  const again = await post(Buffer.from(microsoftX), "application/tlsrpt+json");
  expect(again.status).toBe(200);
  expect(again.answer.status).toBe("duplicate");

  profile = mkdtempSync(join(tmpdir(), "mailcharter-chromium-"));
  // A fresh profile in a temporary directory: nothing from another run, no network beyond loopback.
  context = await launchChromium(profile, { javaScriptEnabled: false });
  context.on("request", (r) => requested.push(r.url()));
}, 90_000);

afterAll(async () => {
  await context?.close();
  if (child) await stopProcess(child);
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

/**
 * A clean start for one account: no cookie left by the previous test, logged in through the form in
 * the given language. The page's console errors and uncaught errors are recorded, except Chromium's
 * "Failed to load resource … 404" for the paths the test expects to be refused.
 */
async function session(email: string, lang: "fr" | "en", refused: readonly string[] = []): Promise<Page> {
  const ctx = context as BrowserContext;
  await ctx.clearCookies();
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const where = m.location().url;
    const path = where ? new URL(where).pathname : "";
    // Chromium asks for /favicon.ico by itself (no page names it) and logs its 404.
    if (/status of 404/.test(m.text()) && (path === "/favicon.ico" || refused.includes(path))) return;
    errors.push(`${page.url()}: ${m.text()} (${where})`);
  });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  await page.goto(`${base}/login?lang=${lang}`);
  await page.getByLabel(lang === "en" ? "E-mail address" : "Adresse électronique").fill(email);
  await page.getByLabel(lang === "en" ? "Password" : "Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: lang === "en" ? "Log in" : "Se connecter" }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

/** The row of a report in the listing, by its stored id (the first row of its policies). */
const row = (page: Page, id: number) => page.locator(`tr[data-report="${id}"]`).first();

/** The cells of a report's row: sender, contact, range, domain, type, successful, failed, failure types, warnings. */
async function cells(page: Page, id: number): Promise<string[]> {
  return (await row(page, id).locator("th, td").allTextContents()).map((s) => s.trim());
}

/** Every resource the page's document names (stylesheets, images, frames…) is of the service's origin. */
async function sameOriginOnly(page: Page): Promise<void> {
  const refs = await page
    .locator("link[href], script[src], img[src], iframe[src], source[src], object[data], form[action]")
    .evaluateAll((els) =>
      els.map(
        (e) =>
          e.getAttribute("href") ??
          e.getAttribute("src") ??
          e.getAttribute("data") ??
          e.getAttribute("action") ??
          "",
      ),
    )
    .catch(() => null);
  // evaluateAll runs in the page's isolated world, which works with script disabled; null: it did not.
  expect(refs).not.toBeNull();
  for (const ref of refs ?? []) expect(new URL(ref, page.url()).origin, ref).toBe(origin);
}

describe("the received TLS-RPT pages in Chromium (no script)", () => {
  it("the agency sees the reports about both organisations' domains", async () => {
    const page = await session("keeper@agency.example", "en");
    await page.goto(`${base}/indicators/tlsrpt?lang=en`);
    expect(await page.locator("h1").textContent()).toBe("TLS-RPT reports received (RFC 8460)");
    expect(await page.locator("section.tlsrpt-receiver h2").allTextContents()).toEqual([
      "Xmail SA",
      "Ytélécom",
    ]);
    const x = page.locator("section.tlsrpt-receiver").nth(0);
    const y = page.locator("section.tlsrpt-receiver").nth(1);
    const idOf = async (section: typeof x, sender: string) =>
      Number(
        await section
          .locator("tr", { has: page.getByRole("link", { name: sender }) })
          .getAttribute("data-report"),
      );
    ids.microsoftX = await idOf(x, "Microsoft Corporation");
    ids.googleX = await idOf(x, "Google Inc.");
    ids.rfcY = await idOf(y, "Company-X");
    expect(new Set(Object.values(ids)).size).toBe(3);
    for (const id of Object.values(ids)) expect(id).toBeGreaterThan(0);
    expect(await x.locator("tbody tr").count()).toBe(2); // the duplicate was not stored again
    expect(await y.locator("tbody tr").count()).toBe(1);

    const ry = await cells(page, ids.rfcY);
    expect(ry.slice(0, 2)).toEqual(["Company-X", "sts-reporting@company-x.example"]);
    expect(ry.slice(3, 7)).toEqual(["y.example", "sts", "5326", "303"]);
    expect(ry[7]).toMatch(/certificate-expired 100/);
    expect(ry[7]).toMatch(/starttls-not-supported 200/);
    expect(ry[7]).toMatch(/validation-failure 3/);
    await shot(page, "01-agency-list");

    await page.getByRole("link", { name: "Company-X" }).click();
    await page.waitForURL(`${base}/indicators/tlsrpt/${ids.rfcY}?lang=en`);
    expect(await page.locator("h1").textContent()).toBe("TLS-RPT report — Company-X");
    expect(await page.locator("section.tlsrpt-policy h2").allTextContents()).toEqual(["y.example (sts)"]);
    expect(await page.locator('[data-figure="successful"]').textContent()).toBe("5326");
    expect(await page.locator('[data-figure="failed"]').textContent()).toBe("303");
    const failures = page.locator("table.tlsrpt-failures tbody tr");
    expect(await failures.locator("th").allTextContents()).toEqual([
      "certificate-expired",
      "starttls-not-supported",
      "validation-failure",
    ]);
    expect(await failures.nth(1).locator("td").first().textContent()).toBe("200");
    await sameOriginOnly(page);
    await shot(page, "02-agency-report-y");
    await page.close();
  }, 90_000);

  it("the operator of X, in English: its own reports only, their details; Y's report is not found", async () => {
    const refusedY = `/indicators/tlsrpt/${ids.rfcY}`;
    const unknown = "/indicators/tlsrpt/999999";
    const page = await session("postmaster@x.example", "en", [refusedY, unknown]);
    await page.getByRole("link", { name: "Indicators" }).click();
    await page.getByRole("link", { name: "TLS-RPT reports received" }).click();
    await page.waitForURL(/\/indicators\/tlsrpt\?/);
    expect(await page.locator("h1").textContent()).toBe("TLS-RPT reports received (RFC 8460)");
    expect(await page.locator("section.tlsrpt-receiver h2").allTextContents()).toEqual(["Xmail SA"]);
    expect(await page.locator("tr[data-report]").count()).toBe(2);
    expect(await row(page, ids.rfcY).count()).toBe(0);
    const body = (await page.locator("main, body").first().textContent()) ?? "";
    for (const hidden of ["y.example", "Company-X", "Ytélécom", "5326", "certificate-expired"])
      expect(body).not.toContain(hidden);

    const ms = await cells(page, ids.microsoftX);
    expect(ms.slice(0, 2)).toEqual(["Microsoft Corporation", "tlsrpt-noreply@microsoft.com"]);
    // Microsoft's dates carry no time zone: they are read as UTC (RFC 8460 §4.4 asks for RFC 3339).
    expect(ms[2]).toBe(`${yesterday}T00:00:00Z — ${yesterday}T23:59:59Z`);
    expect(ms.slice(3, 8)).toEqual(["x.example", "sts", "87", "3", "sts-policy-fetch-error 3"]);
    const msWarnings = ms[8];
    const google = await cells(page, ids.googleX);
    expect(google.slice(0, 2)).toEqual(["Google Inc.", "smtp-tls-reporting@google.com"]);
    expect(google.slice(3)).toEqual(["x.example", "sts", "1204", "0", "—", "0"]);
    await sameOriginOnly(page);
    await shot(page, "03-operator-list-en");

    await page.getByRole("link", { name: "Microsoft Corporation" }).click();
    await page.waitForURL(`${base}/indicators/tlsrpt/${ids.microsoftX}?lang=en`);
    expect(await page.locator("h1").textContent()).toBe("TLS-RPT report — Microsoft Corporation");
    expect(await page.locator('[data-field="report-id"]').textContent()).toBe("134089344000000000+x.example");
    expect(await page.locator("section.tlsrpt-policy h2").allTextContents()).toEqual(["x.example (sts)"]);
    const facts = page.locator("section.tlsrpt-policy dl.tlsrpt-facts");
    expect(await facts.textContent()).toMatch(/Receiving organisation\s*Xmail SA/);
    expect(await page.locator('[data-figure="successful"]').textContent()).toBe("87");
    expect(await page.locator('[data-figure="failed"]').textContent()).toBe("3");
    const failures = page.locator("table.tlsrpt-failures tbody tr");
    expect(await failures.count()).toBe(1);
    expect(await failures.locator("th").textContent()).toBe("sts-policy-fetch-error");
    expect(await failures.locator("td").first().textContent()).toBe("3");
    expect(await page.locator("body").textContent()).toMatch(/Received through\s*HTTPS \(POST \/tlsrpt\)/);
    expect(await page.locator("body").textContent()).not.toMatch(/Policies of other organisations/);
    // The departures from RFC 8460 recorded on receipt, as many as the listing counted.
    const warnings = page.locator("table.tlsrpt-warnings tbody tr");
    expect(String(await warnings.count())).toBe(msWarnings);
    expect(msWarnings).toBe("4");
    // Dates without a time zone, and failure details without sending-mta-ip/receiving-mx-hostname.
    expect(await warnings.locator("th").allTextContents()).toEqual([
      "date-without-zone",
      "date-without-zone",
      "field-missing",
      "field-missing",
    ]);
    await sameOriginOnly(page);
    await shot(page, "04-operator-report-microsoft-en");

    // Google's report, posted gzip-compressed: read whole, no failure.
    await page.getByRole("link", { name: "All reports received" }).click();
    await page.getByRole("link", { name: "Google Inc." }).click();
    await page.waitForURL(`${base}/indicators/tlsrpt/${ids.googleX}?lang=en`);
    expect(await page.locator('[data-figure="successful"]').textContent()).toBe("1204");
    expect(await page.locator('[data-figure="failed"]').textContent()).toBe("0");
    expect(await page.locator("section.tlsrpt-policy").textContent()).toContain("No failure details.");
    expect(await page.locator("section.tlsrpt-policy pre").textContent()).toContain("mx: mx2.x.example");

    // Y's report by its id: the same "not found" as an id that does not exist — no IDOR, no oracle.
    const refused = await page.goto(`${base}${refusedY}?lang=en`);
    expect(refused?.status()).toBe(404);
    const refusedH1 = await page.locator("h1").textContent();
    expect(refusedH1).toContain("404");
    const refusedBody = (await page.locator("body").textContent()) ?? "";
    for (const hidden of ["y.example", "Company-X", "Ytélécom", "5326", "certificate-expired"])
      expect(refusedBody).not.toContain(hidden);
    await shot(page, "05-operator-report-y-refused");
    const none = await page.goto(`${base}${unknown}?lang=en`);
    expect(none?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe(refusedH1);
    expect(((await page.locator("body").textContent()) ?? "").replaceAll("999999", String(ids.rfcY))).toBe(
      refusedBody,
    );
    await page.close();
  }, 90_000);

  it("the operator of X, in French: the same figures, the texts in French", async () => {
    const page = await session("postmaster@x.example", "fr", [`/indicators/tlsrpt/${ids.rfcY}`]);
    await page.goto(`${base}/indicators/tlsrpt?lang=fr`);
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Rapports TLS-RPT reçus (RFC 8460)");
    const head = page.locator("table.tlsrpt-reports thead th");
    expect(await head.allTextContents()).toEqual([
      "Expéditeur du rapport",
      "Contact",
      "Période couverte",
      "Domaine de politique",
      "Type de politique",
      "Sessions réussies",
      "Sessions en échec",
      "Types d'échec",
      "Avertissements",
    ]);
    expect(await page.locator("tr[data-report]").count()).toBe(2);
    expect(await row(page, ids.rfcY).count()).toBe(0);
    expect((await cells(page, ids.microsoftX)).slice(5, 8)).toEqual(["87", "3", "sts-policy-fetch-error 3"]);
    await sameOriginOnly(page);
    await shot(page, "06-operator-list-fr");

    await page.getByRole("link", { name: "Microsoft Corporation" }).click();
    await page.waitForURL(`${base}/indicators/tlsrpt/${ids.microsoftX}?lang=fr`);
    expect(await page.locator("h1").textContent()).toBe("Rapport TLS-RPT — Microsoft Corporation");
    expect(await page.locator("section.tlsrpt-policy dl.tlsrpt-facts").textContent()).toMatch(
      /Organisation destinataire\s*Xmail SA/,
    );
    expect(await page.locator("table.tlsrpt-failures caption").textContent()).toBe("Détails des échecs");
    expect(await page.locator("table.tlsrpt-failures tbody th").textContent()).toBe("sts-policy-fetch-error");
    expect(await page.locator("body").textContent()).toMatch(/Reçu par\s*HTTPS \(POST \/tlsrpt\)/);
    expect(await page.locator("table.tlsrpt-warnings thead th").allTextContents()).toEqual([
      "Code",
      "Emplacement",
      "Détail",
    ]);
    await sameOriginOnly(page);
    await shot(page, "07-operator-report-microsoft-fr");

    await page.getByRole("link", { name: "Tous les rapports reçus" }).click();
    await page.getByRole("link", { name: "Google Inc." }).click();
    await page.waitForURL(`${base}/indicators/tlsrpt/${ids.googleX}?lang=fr`);
    expect(await page.locator("section.tlsrpt-policy").textContent()).toContain("Aucun détail d'échec.");
    expect(await page.locator("body").textContent()).toContain(
      "Aucun écart à la RFC 8460 relevé à la réception.",
    );
    expect(await page.locator('[data-figure="successful"]').textContent()).toBe("1204");

    const refused = await page.goto(`${base}/indicators/tlsrpt/${ids.rfcY}`);
    expect(refused?.status()).toBe(404);
    expect(await page.locator("body").textContent()).toContain("Page introuvable.");
    await page.close();
  }, 90_000);

  it("no page logged an error, and every request went to the service's own origin", () => {
    expect(errors).toEqual([]);
    expect(requested.length).toBeGreaterThan(10);
    const foreign = requested.filter((u) => new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
  });
});
