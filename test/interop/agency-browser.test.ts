/**
 * The agency's management pages in Chromium (Debian's, through playwright-core) against the built
 * `mailcharter serve` on 127.0.11.2: the agency records an adhesion through the form, adds a domain,
 * records a withdrawal notice and creates an operator account; that operator logs in with the
 * password shown once and sees only its organisation; its audit on demand shows live progress over
 * server-sent events with script, and reloads itself (meta refresh) without. The audits ask a DNS
 * server that never answers (a UDP socket of this test), so a run stays in progress long enough to be
 * watched. Screenshots under test-results/agency/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/accounts/accounts.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";
import { agencyAddresses } from "./lab/ports.js";

const address = agencyAddresses.browser;
const base = `https://${address}:443`;
const password = "an agency browser test password";
const shots = join(process.cwd(), "test-results", "agency");
const today = new Date().toISOString().slice(0, 10);

let child: ChildProcess | null = null;
let dns: Socket | null = null;
const contexts: BrowserContext[] = [];
const profiles: string[] = [];
let operatorPassword = "";

async function seed(db: string): Promise<void> {
  const store = await openStore(db, { create: true });
  try {
    const registry = await Registry.open(store);
    await registry.add({
      name: "Xmail SA",
      contact: "contact@x.example",
      adhesionDate: "2026-01-15",
      domains: [{ domain: "x.example", mx: ["mx.x.example"] }],
    });
    const accounts = new Accounts(store, registry, () => new Date());
    await accounts.add({ email: "keeper@agency.example", role: "agency", password });
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
      `${address}:443`,
      "--no-scheduler",
      "--resolver",
      `${address}:5353`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    proc.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (/scheduler:/.test(out) && /data directory/.test(out)) {
        clearTimeout(timer);
        setTimeout(() => resolve(proc), 200);
      }
    });
    proc.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${out}`));
    });
  });
}

async function browser(javaScriptEnabled: boolean): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), "mailcharter-chromium-"));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    javaScriptEnabled,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
    ],
    ignoreHTTPSErrors: true,
    viewport: { width: 1366, height: 900 },
    timeout: 30_000,
  });
  contexts.push(context);
  return context;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mailcharter-agency-"));
  const db = join(dataDir, "service.sqlite");
  await seed(db);
  // A DNS server that never answers: the audits wait on it (each step has its own timeout).
  dns = createSocket("udp4");
  await new Promise<void>((ok) => dns?.bind(5353, address, () => ok()));
  child = await serve(db, dataDir);
  mkdirSync(shots, { recursive: true });
}, 90_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  if (child && child.exitCode === null) {
    child.removeAllListeners("exit");
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  dns?.close();
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
}, 60_000);

async function login(page: Page, email: string, secret: string): Promise<void> {
  await page.goto(`${base}/login?lang=en`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(secret);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/`);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

describe("the agency's pages in Chromium", () => {
  it("adhesion through the form, a domain added, a withdrawal notice, an operator account", async () => {
    const context = await browser(true);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await login(page, "keeper@agency.example", password);
    await page.getByRole("link", { name: "Registry and accounts" }).click();
    await page.waitForURL(`${base}/agency/organisations`);
    await page.getByRole("link", { name: "New adhesion" }).first().click();
    // A refused form first: the message sits under the field.
    await page.getByRole("button", { name: "Record the adhesion" }).click();
    await expect.poll(() => page.locator("#adh-name-error").textContent()).toBe("This field is required.");
    await page.getByLabel("Organisation name").fill("Zmail");
    await page.getByLabel("Contact").fill("noc@z.example");
    expect(await page.getByLabel("Adhesion date").inputValue()).toBe(today);
    await page.getByLabel("Domains and MX patterns").fill("z.example: mx.z.example");
    await shot(page, "adhesion-form");
    await page.getByRole("button", { name: "Record the adhesion" }).click();
    await page.waitForURL(/\/agency\/organisations\/\d+\?done=adhesionRecorded/);
    expect(await page.locator("p.notice.ok").textContent()).toContain("Adhesion recorded");

    await page.locator("#dom-domain").fill("z2.example");
    await page.locator("#dom-mx").fill("mx.z2.example, *.mail.z2.example");
    await page.getByRole("button", { name: "Add a domain" }).click();
    await page.waitForURL(/done=domainAdded/);
    expect(await page.locator("table.domains").textContent()).toContain("mx.z2.example, *.mail.z2.example");

    await page.getByLabel("Date of the written notice").fill(today);
    await page.getByRole("button", { name: "Record the notice" }).click();
    await page.waitForURL(/done=noticeSaved/);
    expect(
      await page
        .locator("#org-withdrawal ~ p.notice, section[aria-labelledby=org-withdrawal] p.notice")
        .first()
        .textContent(),
    ).toMatch(new RegExp(`Notice received on ${today} · withdrawal effective on \\d{4}-\\d{2}-\\d{2}`));
    await shot(page, "organisation-managed");
    const published = await page.request.get(`${base}/published-list.json`);
    expect(await published.text()).toMatch(/"domain": ?"z2\.example"/);

    await page.goto(`${base}/agency/accounts?lang=en`);
    await page.getByLabel("E-mail address").fill("noc@z.example");
    await page.getByLabel("Role").selectOption("operator");
    await page.locator("#acc-organisation").selectOption({ label: "Zmail" });
    await page.getByRole("button", { name: "Create an account" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Account created");
    operatorPassword = ((await page.locator("#secret").textContent()) ?? "").trim();
    expect(operatorPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await shot(page, "account-created");
    await page.goto(`${base}/agency/accounts?lang=en`);
    expect(await page.locator("table.accounts").textContent()).toMatch(
      /noc@z\.example\s*operator\s*Zmail\s*never/,
    );
    await page.close();
  }, 90_000);

  it("that operator logs in and sees only its organisation; its audit shows live progress", async () => {
    const context = await browser(true);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await login(page, "noc@z.example", operatorPassword);
    await page.getByRole("link", { name: "My organisation" }).click();
    await page.waitForURL(/\/organisations\/\d+$/);
    const domains = await page.locator("table.domains tbody").textContent();
    expect(domains).toContain("z.example");
    expect(domains).toContain("z2.example");
    expect(domains).not.toContain("x.example\n");
    const home = await page.request.get(`${base}/api/v1/organisations`);
    expect((await home.json()).organisations.map((o: { name: string }) => o.name)).toEqual(["Zmail"]);
    expect((await page.request.get(`${base}/agency/organisations`)).status()).toBe(403);
    const others = await page.request.get(`${base}/organisations/1`);
    expect(others.status()).toBe(404);

    await page.locator("form[action$='/audit'] button").first().click();
    await page.waitForURL(/\/audits\/\d+$/);
    // The script opened the event stream and follows the run.
    await page.locator('[data-events][data-live="on"]').waitFor();
    expect(await page.locator(".run-hint").textContent()).toContain("Following live");
    await expect
      .poll(() => page.locator(".run-label").textContent(), { timeout: 15_000 })
      .toMatch(/Discovering the servers|Probing the endpoints|Running|Queued/);
    const progressUrl = page.url();
    await shot(page, "audit-live");
    await page.close();

    // Without script: the same page reloads itself (the meta refresh inside <noscript>).
    const plain = await browser(false);
    const p2 = await plain.newPage();
    p2.setDefaultTimeout(15_000);
    await login(p2, "noc@z.example", operatorPassword);
    let loads = 0;
    p2.on("load", () => {
      loads++;
    });
    await p2.goto(progressUrl);
    const active = /data-events=/.test(await p2.content());
    expect(await p2.locator("[data-live]").count()).toBe(0);
    if (active) await expect.poll(() => loads, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await shot(p2, "audit-no-script");
    await p2.close();
  }, 90_000);
});
