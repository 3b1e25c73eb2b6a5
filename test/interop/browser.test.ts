/**
 * The pages in a real browser: Debian's Chromium (scripts/install-system-deps.sh), driven by
 * playwright-core, against the built `mailcharter serve` on the lab's loopback. Each role logs in;
 * the public list, a domain's report and its diff, the agency's matrix, an operator refused another
 * organisation's page (404), logout. Screenshots (1366×768) are saved under test-results/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/accounts/accounts.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";
import { goodMx, reportOf } from "../support/audit-fixture.js";
import { browserServeAddress } from "./lab/ports.js";

const { address, port } = browserServeAddress;
const base = `https://${address}:${port}`;
const password = "a browser test password, long enough";
const shots = join(process.cwd(), "test-results", "browser");
const ids = { orgX: 0, orgY: 0, domainX: 0, domainY: 0, x1: 0, x2: 0 };

let child: ChildProcess | null = null;
let browser: BrowserContext | null = null;
let profile = "";

async function seed(db: string): Promise<void> {
  const store = await openStore(db, { create: true });
  try {
    const registry = await Registry.open(store);
    await registry.add({
      name: "Xmail SA",
      contact: "contact@x.example",
      adhesionDate: "2026-01-15",
      domains: [
        { domain: "x.example", mx: ["mx.x.example"] },
        { domain: "mail.x.example", mx: ["mx.x.example"] },
      ],
    });
    await registry.add({
      name: "Ytélécom",
      contact: "contact@y.example",
      adhesionDate: "2026-10-01",
      domains: [{ domain: "y.example", mx: ["mx.y.example"] }],
    });
    const entries = await registry.entries();
    const x = entries.find((e) => e.signatory.name === "Xmail SA");
    const y = entries.find((e) => e.signatory.name === "Ytélécom");
    ids.orgX = x?.id ?? 0;
    ids.orgY = y?.id ?? 0;
    ids.domainX = x?.domains.find((d) => d.domain === "x.example")?.id ?? 0;
    ids.domainY = y?.domains[0]?.id ?? 0;
    const accounts = new Accounts(store, registry, () => new Date());
    await accounts.add({ email: "keeper@agency.example", role: "agency", password });
    await accounts.add({ email: "auditor@agency.example", role: "auditor", password });
    await accounts.add({
      email: "postmaster@x.example",
      role: "operator",
      organisation: "Xmail SA",
      password,
    });
    const history = await AuditHistory.open(store);
    const save = async (
      domain: string,
      key: string,
      finishedAt: string,
      statuses = {},
      endpoints = [goodMx()],
    ) =>
      (
        await history.save(
          { jobKey: key, domain, trigger: "schedule", requestedBy: "scheduler" },
          reportOf(domain, { finishedAt, statuses, endpoints }),
          { now: Date.parse(finishedAt) },
        )
      ).runId;
    ids.x1 = await save("x.example", "x1", "2026-11-29T06:00:00.000Z");
    ids.x2 = await save(
      "x.example",
      "x2",
      "2026-11-30T06:00:00.000Z",
      { "mx.starttls": "fail", "mx.tls-versions": "warn" },
      [goodMx(), goodMx("mx2.x.example", "192.0.2.26")],
    );
    await save("mail.x.example", "m1", "2026-11-30T06:05:00.000Z");
    await save("y.example", "y1", "2026-11-30T07:00:00.000Z", { "mx.dane": "error" });
  } finally {
    await store.close();
  }
}

function serve(db: string, dataDir: string): Promise<ChildProcess> {
  const proc = spawn(
    "node",
    [
      "dist/cli/main.js",
      "serve",
      "--db",
      db,
      "--data-dir",
      dataDir,
      "--listen",
      `${address}:${port}`,
      "--http-listen",
      `${address}:80`,
      "--no-scheduler",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (/scheduler:/.test(out) && /data directory/.test(out)) {
        clearTimeout(timer);
        setTimeout(() => resolve(proc), 200);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${out}`));
    });
  });
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mailcharter-browser-"));
  const db = join(dataDir, "service.sqlite");
  await seed(db);
  child = await serve(db, dataDir);
  mkdirSync(shots, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), "mailcharter-chromium-"));
  // A fresh profile in a temporary directory: nothing from another run, no network beyond loopback.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    ignoreHTTPSErrors: true, // the server's certificate is self-signed, generated in its data directory
    viewport: { width: 1366, height: 768 },
    timeout: 30_000,
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    child.removeAllListeners("exit");
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A clean start for each role: no cookie left by the previous test, one page in the given language. */
async function session(
  lang: "fr" | "en" = "fr",
): Promise<{ context: { close(): Promise<void> }; page: Page }> {
  const context = browser as BrowserContext;
  await context.clearCookies();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${base}/?lang=${lang}`);
  return { context: { close: () => page.close() }, page };
}

async function login(page: Page, email: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel(/Adresse électronique|E-mail address/).fill(email);
  await page.getByLabel(/Mot de passe|Password/).fill(password);
  await page.getByRole("button", { name: /Se connecter|Log in/ }).click();
  await page.waitForURL(`${base}/`);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });

describe("the pages in Chromium", () => {
  it("the public list: signatories, domains, latest verdicts and the signed list", async () => {
    const { context, page } = await session("fr");
    await page.goto(`${base}/`);
    expect(await page.locator("h1").textContent()).toBe("Signataires de la charte");
    const table = page.locator("table.signatories");
    expect(await table.locator("tbody tr").count()).toBe(3);
    expect(await table.textContent()).toMatch(/x\.example[\s\S]*non conforme/);
    expect(await page.locator('a[href="/published-list.json.sig"]').count()).toBe(1);
    // Not logged in: a domain page sends the visitor to the login form.
    await page.goto(`${base}/domains/${ids.domainX}`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.goto(`${base}/`);
    await shot(page, "01-public-list");
    await context.close();
  });

  it("an operator: dashboard, its domain's report and the diff, another organisation's page 404, logout", async () => {
    const { context, page } = await session("fr");
    await login(page, "postmaster@x.example");
    await page.getByRole("link", { name: "Mon organisation" }).click();
    await page.waitForURL(`${base}/organisations/${ids.orgX}`);
    expect(await page.locator("h1").textContent()).toContain("Xmail SA");
    expect(await page.locator("table.art44").textContent()).toMatch(/Ytélécom[\s\S]*2027-01-01/);
    await shot(page, "02-operator-dashboard");

    await page.getByRole("link", { name: "x.example", exact: true }).click();
    await page.waitForURL(`${base}/domains/${ids.domainX}`);
    expect(await page.locator(".verdict").first().textContent()).toContain("non conforme à la charte");
    await shot(page, "03-domain-report");
    await page.locator("section[aria-labelledby=history]").scrollIntoViewIfNeeded();
    await shot(page, "04-domain-history");

    await page.getByRole("button", { name: "Comparer les deux audits choisis" }).click();
    await page.waitForURL(/\/diff\?/);
    expect(new URL(page.url()).searchParams.get("from")).toBe(String(ids.x1));
    expect(await page.locator("table.diff").first().textContent()).toMatch(
      /mx\.starttls[\s\S]*conforme[\s\S]*non conforme/,
    );
    expect(await page.locator("body").textContent()).toContain("mx2.x.example");
    await shot(page, "05-diff");

    const refused = await page.goto(`${base}/domains/${ids.domainY}`);
    expect(refused?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toContain("404");
    await shot(page, "06-operator-refused");
    const matrix = await page.goto(`${base}/matrix`);
    expect(matrix?.status()).toBe(403);

    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Déconnexion" }).click();
    await page.waitForURL(/\/login\?ended=logout/);
    expect(await page.locator("[role=alert]").textContent()).toContain("Vous êtes déconnecté.");
    await page.goto(`${base}/organisations/${ids.orgX}`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });

  it("the agency: the matrix in English, drill-down to a domain, audit on demand with its progress page", async () => {
    const { context, page } = await session("en");
    await login(page, "keeper@agency.example");
    await page.getByRole("link", { name: "Compliance matrix" }).click();
    await page.waitForURL(`${base}/matrix`);
    const failing = page.locator("td.bg.fail a").first();
    expect(await failing.getAttribute("href")).toBe(`/domains/${ids.domainX}#m-x.example-mx.starttls`);
    expect(await page.locator("td.bg.pass").count()).toBeGreaterThan(10);
    await shot(page, "07-agency-matrix");
    await failing.click();
    await page.waitForURL(`${base}/domains/${ids.domainX}#m-x.example-mx.starttls`);
    await shot(page, "08-drill-down");
    await page.getByRole("button", { name: "Audit now" }).click();
    await page.waitForURL(/\/audits\/\d+$/);
    // With script the page follows the run's event stream (and reloads when it ends, which may be at
    // once here: the lab's audit of x.example fails fast); the meta refresh is the <noscript> fallback.
    if ((await page.locator("[data-events]").count()) === 1)
      expect(await page.locator("head noscript").innerHTML()).toContain('http-equiv="refresh"');
    expect(await page.locator("[role=status]").textContent()).toMatch(
      /Queued|Running|Discovering|Probing|Storing|Finished|Failed/,
    );
    await shot(page, "09-audit-progress");
    await context.close();
  });

  it("an auditor reads the matrix and a report, and is offered no change", async () => {
    const { context, page } = await session("en");
    await login(page, "auditor@agency.example");
    await page.goto(`${base}/domains/${ids.domainY}`);
    expect(await page.locator("h1").textContent()).toContain("y.example");
    expect(await page.getByRole("button", { name: "Audit now" }).count()).toBe(0);
    expect(await page.locator("#hours").count()).toBe(0);
    await shot(page, "10-auditor-domain");
    await context.close();
  });
});
