/**
 * The IMAP door against real servers: report mails sent through a real Postfix, delivered by Dovecot's
 * LDA into a real Dovecot mailbox, read by `mailcharter indicators fetch` over IMAPS. The good ones (Google's
 * gzip part, Microsoft's with an HTML alternative and a part named report.bin) are stored and moved to
 * the processed folder; the malformed one (a broken gzip) and a plain mail are set aside with their
 * reason as a keyword, without stopping the others; a second run finds nothing, and a report sent again
 * is a duplicate.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportDocument } from "../../src/indicators/tlsrpt/import-document.js";
import { importDocumentSchema } from "../../src/indicators/tlsrpt/import-document.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { openStore } from "../../src/store/database.js";
import { issue, rootCa } from "../support/pki.js";
import { type DovecotMailbox, startDovecotMailbox } from "./lab/dovecot-mailbox.js";
import { tlsrptAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "tlsrpt");
const fixture = (name: string) => readFileSync(join(fixtures, name));
const user = "tlsrpt@tlsrpt.lab.test";
const dir = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-imap-"));
const db = join(dir, "indicators.sqlite");
let postfix: PostfixInstance | null = null;
let dovecot: DovecotMailbox | undefined;

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

async function send(raw: Buffer): Promise<void> {
  const transport = nodemailer.createTransport({
    host: tlsrptAddresses.postfix,
    port: 25,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 10_000,
    socketTimeout: 10_000,
  });
  await transport.sendMail({ envelope: { from: "reporter@sender.lab.test", to: [user] }, raw });
  transport.close();
}

async function mailbox(): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: tlsrptAddresses.dovecot,
    port: 993,
    secure: true,
    auth: { user, pass: "lab-only" },
    logger: false,
    tls: { ca: readFileSync(join(dir, "ca.pem"), "utf8") },
    connectionTimeout: 10_000,
  });
  await client.connect();
  return client;
}

async function count(folder: string): Promise<number> {
  const client = await mailbox();
  try {
    const status = await client.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  } catch {
    return 0;
  } finally {
    await client.logout();
  }
}

async function waitFor(condition: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\n${postfix?.log().slice(-2000)}`);
}

beforeAll(async () => {
  const ca = await rootCa("tlsrpt mailbox CA");
  const cert = await issue(ca, "imap.tlsrpt.lab.test", {
    dnsNames: ["imap.tlsrpt.lab.test"],
    ipAddresses: [tlsrptAddresses.dovecot],
  });
  writeFileSync(join(dir, "ca.pem"), ca.pem);
  dovecot = await startDovecotMailbox({
    dir,
    instance: "mc-tlsrpt",
    address: tlsrptAddresses.dovecot,
    password: "lab-only",
    certPem: cert.pem,
    keyPem: cert.keyPem,
  });
  postfix = await startPostfix({
    name: "tlsrpt",
    address: tlsrptAddresses.postfix,
    hostname: "mx.tlsrpt.lab.test",
    // Delivery by Dovecot's LDA (dovecot-core), run as the mailbox's owner.
    master: dovecot.ldaService,
    main: {
      mydestination: "",
      virtual_mailbox_domains: "tlsrpt.lab.test",
      virtual_transport: "dovecot",
      dovecot_destination_recipient_limit: "1",
      smtpd_tls_security_level: "none",
    },
  });
  await waitFor(async () => {
    try {
      await (await mailbox()).logout();
      return true;
    } catch {
      return false;
    }
  }, "Dovecot's IMAPS");
}, 120_000);

afterAll(async () => {
  await postfix?.stop();
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const fetchArgs = () => [
  "indicators",
  "fetch",
  "--imap",
  `imaps://${encodeURIComponent(user)}@${tlsrptAddresses.dovecot}/INBOX`,
  "--password-file",
  join(dir, "password"),
  "--ca-file",
  join(dir, "ca.pem"),
  "--db",
  db,
  "--json",
];

describe("TLS-RPT by mail, through Postfix into Dovecot, read over IMAPS", () => {
  it("stores the good reports, sets the malformed ones aside with their reason, moves every mail", async () => {
    writeFileSync(join(dir, "password"), "lab-only\n");
    const plain = Buffer.from(
      `From: someone@sender.lab.test\r\nTo: ${user}\r\nSubject: hello\r\nMessage-ID: <plain@sender.lab.test>\r\n\r\nNot a report.\r\n`,
    );
    // The broken one among the good ones: it must not stop them.
    await send(fixture("google.eml"));
    await send(fixture("malformed-gzip.eml"));
    await send(fixture("microsoft-html.eml"));
    await send(plain);
    await waitFor(async () => (await count("INBOX")) === 4, "4 mails in INBOX");

    const run = await cli(fetchArgs());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const doc: ImportDocument = importDocumentSchema.parse(JSON.parse(run.stdout));
    // Postfix delivers in its own order: the mailbox's order is not the sending order.
    const seen = doc.results
      .map((r) => [r.status, r.organization ?? "", r.error?.code ?? ""].join(" "))
      .sort();
    expect(seen).toEqual([
      "accepted Google Inc. ",
      "accepted Microsoft Corporation ",
      "rejected  bad_gzip",
      "rejected  no_report_in_mail",
    ]);
    expect(doc.results[0]?.file).toMatch(/^imaps:\/\/127\.0\.12\.10:993\/INBOX;UID=\d+$/);
    expect(await count("INBOX")).toBe(0);
    expect(await count("TLSRPT-processed")).toBe(2);
    expect(await count("TLSRPT-set-aside")).toBe(2);

    // The set-aside mails carry their reason.
    const client = await mailbox();
    try {
      const lock = await client.getMailboxLock("TLSRPT-set-aside");
      try {
        const flags: string[][] = [];
        for await (const m of client.fetch("1:*", { flags: true })) flags.push([...(m.flags ?? [])]);
        expect(flags.flat()).toEqual(
          expect.arrayContaining(["$TLSRPT-bad_gzip", "$TLSRPT-no_report_in_mail"]),
        );
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }

    // The stored mail is the one Dovecot held: bytes kept, report normalised.
    const store = await openStore(db);
    try {
      const reports = await TlsRptStore.open(store);
      expect(await reports.count()).toBe(2);
      const figures = await reports.dailyPolicyFigures("2026-11-30", "2026-11-30");
      expect(figures.map((f) => [f.organization, f.successful, f.failed])).toEqual([
        ["Google Inc.", 1204, 0],
        ["Microsoft Corporation", 87, 3],
      ]);
    } finally {
      await store.close();
    }

    // Nothing left: a second run reads no mail. The same report mailed again is a duplicate.
    const empty = await cli(fetchArgs());
    expect(empty.code).toBe(0);
    expect(importDocumentSchema.parse(JSON.parse(empty.stdout)).results).toEqual([]);
    await send(fixture("google.eml"));
    await waitFor(async () => (await count("INBOX")) === 1, "the resent mail");
    const again = await cli(fetchArgs());
    expect(again.code).toBe(0);
    expect(importDocumentSchema.parse(JSON.parse(again.stdout)).results.map((r) => r.status)).toEqual([
      "duplicate",
    ]);
    expect(await count("TLSRPT-processed")).toBe(3);
  });

  it("a wrong password is a clear error naming the mailbox, exit 2", async () => {
    writeFileSync(join(dir, "wrong"), "nope\n");
    const args = fetchArgs();
    args[args.indexOf("--password-file") + 1] = join(dir, "wrong");
    // Dovecot's static passdb takes the one password; any other is refused.
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^mailcharter: --imap imaps:\/\/127\.0\.12\.10:993: cannot log in/);
  });
});
