/** indicators.json: defaults, files relative to it, secrets by file (mode 600), clear errors. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeIndicators } from "../../../src/jobs/indicator-service.js";
import { loadIndicatorsConfig, readIndicatorsConfig } from "../../../src/jobs/indicators-config.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicators-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "pw"), "s3cret\n", { mode: 0o600 });
writeFileSync(join(dir, "open-pw"), "s3cret\n", { mode: 0o644 });
writeFileSync(join(dir, "empty-pw"), "\n", { mode: 0o600 });
writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
writeFileSync(join(dir, "not-ca.pem"), "hello\n");

const load = (config: unknown) => loadIndicatorsConfig(JSON.stringify(config), "indicators.json", dir);
const mailbox = (extra: Record<string, unknown> = {}) => ({
  name: "reports",
  url: "imaps://tlsrpt%40agency.example@imap.agency.example/INBOX",
  passwordFile: "pw",
  ...extra,
});

describe("indicators.json", () => {
  it("reads mailboxes and generation with their defaults; secrets stay secret", () => {
    const config = load({
      mailboxes: [mailbox({ caFile: "ca.pem" }), mailbox({ name: "second", everySeconds: 60 })],
      generate: { organisations: [{ name: "Alpha", dkimSelector: "mc1" }, { name: "Beta" }] },
    });
    const [first, second] = config.mailboxes;
    expect(first).toMatchObject({
      name: "reports",
      location: {
        secure: true,
        host: "imap.agency.example",
        port: 993,
        user: "tlsrpt@agency.example",
        mailbox: "INBOX",
      },
      processed: "TLSRPT-processed",
      setAside: "TLSRPT-set-aside",
      everyMs: 300_000,
    });
    expect(first?.ca).toMatch(/BEGIN CERTIFICATE/);
    expect(first?.password.reveal().toString()).toBe("s3cret");
    expect(JSON.stringify(first)).not.toContain("s3cret");
    expect(second?.everyMs).toBe(60_000);
    expect(config.generate).toEqual({
      afterMs: 3_600_000,
      catchUpDays: 7,
      checkEveryMs: 600_000,
      dkimSelector: "mailcharter",
      organisations: [
        { name: "Alpha", dkimSelector: "mc1" },
        { name: "Beta", dkimSelector: "mailcharter" },
      ],
    });
    expect(describeIndicators(config)).toBe(
      "2 report mailbox(es) read every 60 s; TLS-RPT of Alpha, Beta generated 60 min after each UTC day (catch-up 7 days)",
    );
    expect(load({ generate: {} }).generate?.organisations).toBeNull();
    expect(describeIndicators(load({}))).toBe("none configured");
  });

  it("a missing file is no scheduled work, unless it was named", () => {
    expect(readIndicatorsConfig(join(dir, "none.json"))).toMatchObject({ mailboxes: [], generate: null });
    expect(() => readIndicatorsConfig(join(dir, "none.json"), true)).toThrow(/none\.json: ENOENT/);
  });

  it("bad input is a clear error naming the file and the field", () => {
    const error = (config: unknown) => {
      try {
        load(config);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    expect(() => loadIndicatorsConfig("{", "indicators.json", dir)).toThrow(/^indicators\.json: not JSON/);
    expect(error({ mailbox: [] })).toMatch(/^indicators\.json: \(top\): Unrecognized key/);
    expect(error({ fetchEverySeconds: 1 })).toMatch(/fetchEverySeconds/);
    expect(error({ mailboxes: [mailbox({ url: "https://imap.example/" })] })).toMatch(
      /^indicators\.json: mailboxes\.0\.url: https:\/\/imap\.example\/: the scheme is imaps:\/\//,
    );
    expect(error({ mailboxes: [mailbox({ url: "imaps://u:pw@imap.example/" })] })).toMatch(
      /put the password in --password-file/,
    );
    expect(error({ mailboxes: [mailbox({ passwordFile: "open-pw" })] })).toMatch(
      /readable by others: chmod 600/,
    );
    expect(error({ mailboxes: [mailbox({ passwordFile: "missing" })] })).toMatch(/missing: ENOENT/);
    expect(error({ mailboxes: [mailbox({ passwordFile: "empty-pw" })] })).toMatch(
      /password file of mailbox reports is empty/,
    );
    expect(error({ mailboxes: [mailbox({ caFile: "not-ca.pem" })] })).toMatch(/holds no PEM certificate/);
    expect(error({ mailboxes: [mailbox(), mailbox()] })).toMatch(
      /mailboxes\.1\.name: reports is named twice/,
    );
    expect(error({ mailboxes: [mailbox({ processed: "INBOX" })] })).toMatch(/must differ/);
    expect(error({ mailboxes: [mailbox({ name: "a b" })] })).toMatch(/mailboxes\.0\.name/);
    expect(error({ generate: { organisations: [] } })).toMatch(/generate\.organisations/);
    expect(error({ generate: { catchUpDays: 0 } })).toMatch(/generate\.catchUpDays/);
  });
});
