/**
 * The MTA log upload page in Chromium (Debian's, through playwright-core), script disabled, against
 * the built `mailcharter serve` on 127.0.23.2: an operator goes from the indicators to the upload
 * form, chooses the real Postfix log recorded by test/interop/log-proof.test.ts (plain, then
 * gzip-compressed), and the result page shows its figures (91 lines, 4 verified and 2 in-clear
 * deliveries, 3 deferred); a submit without a file shows the error under the file field. Screenshots
 * under test-results/log-upload/.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { logUploadBrowserAddress } from "./lab/ports.js";

const { address, port } = logUploadBrowserAddress;
const base = `https://${address}:${port}`;
const password = "a log upload browser test password";
const shots = join(process.cwd(), "test-results", "log-upload");
const fixture = join(import.meta.dirname, "..", "fixtures", "logs", "lab-postfix-sender.txt");

let child: ChildProcess | null = null;
let context: BrowserContext | null = null;
let profile = "";
let work = "";

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

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mailcharter-log-upload-"));
  const db = join(work, "service.sqlite");
  await seed(db);
  child = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
  mkdirSync(shots, { recursive: true });
  writeFileSync(join(work, "mail.log.1.gz"), gzipSync(readFileSync(fixture)));
  profile = mkdtempSync(join(tmpdir(), "mailcharter-chromium-"));
  context = await launchChromium(profile, { javaScriptEnabled: false });
}, 90_000);

afterAll(async () => {
  await context?.close();
  if (child) await stopProcess(child);
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

const cell = (page: Page, selector: string) => page.locator(selector).textContent();

async function upload(page: Page, file: string): Promise<void> {
  await page.goto(`${base}/indicators/logs`);
  await page.getByLabel("Log format").selectOption("postfix");
  await page.getByLabel("Log file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and read the log" }).click();
  await page.waitForURL(`${base}/indicators/logs/result`);
}

describe("the MTA log upload page in Chromium (no script)", () => {
  it("an operator uploads the real Postfix log, plain then gzip, and sees its figures", async () => {
    const page = await (context as BrowserContext).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/login?lang=en`);
    await page.getByLabel("E-mail address").fill("postmaster@x.example");
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("link", { name: "Indicators" }).click();
    await page.getByRole("link", { name: "Upload an MTA log" }).click();
    await page.waitForURL(`${base}/indicators/logs`);
    expect(await page.locator("form.manage").textContent()).toMatch(/at most 50 MiB/);
    expect(await page.getByLabel("Organisation").inputValue()).not.toBe("");
    await page.screenshot({ path: join(shots, "01-form.png") });

    // Submitted without a file: the form again, the reason under the file field.
    await page.getByRole("button", { name: "Upload and read the log" }).click();
    expect(await page.locator("#log-file-error").textContent()).toBe("Choose the log file.");
    expect(await page.getByLabel("Log file").getAttribute("aria-invalid")).toBe("true");
    await page.screenshot({ path: join(shots, "02-no-file.png") });

    await upload(page, fixture);
    expect(await page.locator("h1").textContent()).toBe("Log read");
    expect(await page.locator("main, body").first().textContent()).toContain(
      "lab-postfix-sender.txt: Postfix log of Xmail SA",
    );
    expect(await cell(page, '[data-figure="lines"]')).toBe("91");
    expect(await cell(page, '[data-figure="unparsed"]')).toBe("0");
    const outbound = page.locator("table.upload-classes tbody tr").first();
    expect(await outbound.locator('[data-class="verified"]').textContent()).toBe("4");
    expect(await outbound.locator('[data-class="none"]').textContent()).toBe("2");
    expect(await cell(page, '[data-delivery="sent"]')).toBe("6");
    expect(await cell(page, '[data-delivery="deferred"]')).toBe("3");
    expect(await cell(page, '[data-delivery="bounced"]')).toBe("0");
    await page.screenshot({ path: join(shots, "03-result.png"), fullPage: true });

    // Reloading the result page does not post again (Post/Redirect/Get).
    await page.reload();
    expect(await cell(page, '[data-figure="lines"]')).toBe("91");

    await page.getByRole("link", { name: "Upload another log" }).click();
    await upload(page, join(work, "mail.log.1.gz"));
    expect(await page.locator("body").textContent()).toMatch(
      /mail\.log\.1\.gz: Postfix log of Xmail SA, [\d.]+ KiB \(gzip/,
    );
    expect(await cell(page, '[data-figure="lines"]')).toBe("91");
    expect(await cell(page, '[data-delivery="sent"]')).toBe("6");
    await page.close();
  }, 90_000);
});
