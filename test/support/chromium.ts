/**
 * Debian's Chromium (/usr/bin/chromium) through playwright-core, as every browser test starts it: a
 * fresh profile directory, headless, no network of its own (no component updates, sync or background
 * requests), the service's self-signed certificate accepted.
 */
import { type BrowserContext, chromium } from "playwright-core";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(
  profile: string,
  options: { readonly javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    args: chromiumArgs,
    ignoreHTTPSErrors: true,
    viewport: { width: 1366, height: 900 },
    timeout: 30_000,
  });
}
