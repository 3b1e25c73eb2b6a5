import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hardenedConfigs } from "../../../src/policy/hardened.js";

describe("hardened configurations", () => {
  it("match their golden files", () => {
    const files = hardenedConfigs({
      hostname: "mail.example.org",
      certFile: "/etc/ssl/mail/fullchain.pem",
      keyFile: "/etc/ssl/mail/privkey.pem",
    });
    const text = Object.entries(files)
      .map(([name, body]) => `### ${name}\n${body}`)
      .join("\n");
    const file = join(import.meta.dirname, "..", "..", "fixtures", "golden", "hardened.txt");
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, "utf8"));
    // The port 25 service must stay opportunistic (RFC 3207 §4), submission must require TLS.
    expect(files["postfix/main.cf"]).toMatch(/^smtpd_tls_security_level = may$/m);
    expect(files["postfix/master.cf"]).toMatch(/smtpd_tls_security_level=encrypt/);
  });
});
