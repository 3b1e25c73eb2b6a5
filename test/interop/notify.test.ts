/**
 * Notifications against real servers: a real Postfix relay offering STARTTLS (certificate from a test
 * CA, verified with the CA file) delivers through Dovecot's LDA into a real Dovecot mailbox read back
 * over IMAPS (imapflow):
 * 1. `mailcharter notify test` arrives, with its French and English texts;
 * 2. a relay that does not offer STARTTLS gets nothing (no MAIL FROM in its log, nothing in the
 *    mailbox) and the delivery log says why;
 * 3. a webhook receiver on loopback verifies the signature of every attempt, answers 500 then 200: the
 *    notice is retried after the backoff and logged sent, with the same webhook-id;
 * 4. an outgoing TLS-RPT report mail arrives DKIM-signed (verified here with node:crypto against the
 *    DKIM-Signature it carries) in the RFC 8460 shape, and our own TLS-RPT mail door reads it back.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportMail } from "../../src/indicators/tlsrpt/mail-report.js";
import { readNotifyConfig } from "../../src/notify/config.js";
import { deliverDue } from "../../src/notify/deliver.js";
import { listDeliveries } from "../../src/notify/delivery-log.js";
import { enqueueNotice, enqueueOutgoing } from "../../src/notify/outbox.js";
import { verifySignature } from "../../src/notify/webhook-signature.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";
import { verifyDkim } from "../support/dkim-verify.js";
import { issue, rootCa } from "../support/pki.js";
import { type DovecotMailbox, startDovecotMailbox } from "./lab/dovecot-mailbox.js";
import { notifyAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-notify-"));
const db = join(dir, "service.sqlite");
const domain = "notify.lab.test";
const password = "lab-only";
let relay: PostfixInstance | null = null;
let plainRelay: PostfixInstance | null = null;
let dovecot: DovecotMailbox | undefined;
let store: Store;
const webhookSecret = Buffer.from("a shared secret for the lab webhook");
const { privateKey: dkimPrivate, publicKey: dkimPublic } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
});

interface Received {
  readonly headers: Record<string, string | undefined>;
  readonly body: Buffer;
  readonly verification: string;
}
const received: Received[] = [];
const answers: number[] = [];
let webhook: Server;

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

async function mailbox(user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: notifyAddresses.dovecot,
    port: 993,
    secure: true,
    auth: { user, pass: password },
    logger: false,
    tls: { ca: readFileSync(join(dir, "ca.pem"), "utf8"), servername: "imap.notify.lab.test" },
    connectionTimeout: 10_000,
  });
  await client.connect();
  return client;
}

/** Every message of the user's INBOX, as raw bytes. */
async function messages(user: string): Promise<Buffer[]> {
  const client = await mailbox(user);
  try {
    const status = await client.status("INBOX", { messages: true });
    if (!status || !status.messages) return [];
    const lock = await client.getMailboxLock("INBOX");
    try {
      const out: Buffer[] = [];
      for await (const m of client.fetch("1:*", { source: true })) if (m.source) out.push(m.source);
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function waitFor<T>(probe: () => Promise<T | null>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe().catch(() => null);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}\n${relay?.log().slice(-2000)}`);
}

function writeConfig(name: string, relayAddress: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      publicUrl: "https://mailcharter.lab.test/",
      agency: { email: `agency@${domain}` },
      email: {
        relay: {
          host: relayAddress,
          port: 25,
          caFile: "ca.pem",
          // The relay is reached by address; its certificate names it.
          servername:
            relayAddress === notifyAddresses.relay ? "relay.notify.lab.test" : "plain.notify.lab.test",
          heloName: "mailcharter.lab.test",
        },
        from: `mailcharter <noreply@${domain}>`,
        dkim: [{ domain: "sender.lab.test", selector: "mc1", privateKeyFile: "dkim.pem" }],
      },
      webhooks: [
        { name: "lab", url: `http://${notifyAddresses.webhook}:8080/hook`, secretFile: "hook-secret" },
      ],
      retry: { maxAttempts: 4, firstDelaySeconds: 2, maxDelaySeconds: 10 },
      allowPrivate: true,
    }),
  );
  return path;
}

beforeAll(async () => {
  const ca = await rootCa("notify lab CA");
  const relayCert = await issue(ca, "relay.notify.lab.test", {
    dnsNames: ["relay.notify.lab.test"],
  });
  const imapCert = await issue(ca, "imap.notify.lab.test", {
    dnsNames: ["imap.notify.lab.test"],
  });
  writeFileSync(join(dir, "ca.pem"), ca.pem);
  writeFileSync(join(dir, "relay.pem"), relayCert.pem);
  writeFileSync(join(dir, "relay-key.pem"), relayCert.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, "dkim.pem"), dkimPrivate.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(join(dir, "hook-secret"), webhookSecret, { mode: 0o600 });
  dovecot = await startDovecotMailbox({
    dir,
    instance: "mc-notify",
    address: notifyAddresses.dovecot,
    password,
    certPem: imapCert.pem,
    keyPem: imapCert.keyPem,
  });
  const lda = dovecot.ldaService;
  const delivery = {
    mydestination: "",
    virtual_mailbox_domains: domain,
    virtual_transport: "dovecot",
    dovecot_destination_recipient_limit: "1",
  };
  relay = await startPostfix({
    name: "notify-relay",
    address: notifyAddresses.relay,
    hostname: "relay.notify.lab.test",
    master: lda,
    main: {
      ...delivery,
      smtpd_tls_security_level: "may",
      smtpd_tls_cert_file: join(dir, "relay.pem"),
      smtpd_tls_key_file: join(dir, "relay-key.pem"),
      smtpd_tls_received_header: "yes",
    },
  });
  plainRelay = await startPostfix({
    name: "notify-plain",
    address: notifyAddresses.plainRelay,
    hostname: "plain.notify.lab.test",
    master: lda,
    main: { ...delivery, smtpd_tls_security_level: "none" },
  });
  webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = req.headers as Record<string, string | undefined>;
      const verification = verifySignature(webhookSecret, headers, body, new Date(), 300);
      received.push({ headers, body, verification });
      const status = verification === "valid" ? (answers.shift() ?? 200) : 401;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try later");
    });
  });
  await new Promise<void>((resolve) => webhook.listen(8080, notifyAddresses.webhook, resolve));
  await waitFor(async () => {
    await (await mailbox(`probe@${domain}`)).logout();
    return true;
  }, "Dovecot's IMAPS");
  // The registry file the CLI opens (created, migrated).
  store = await openStore(db, { create: true });
  await migrate(store.db as never, store.engine);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await new Promise((r) => webhook?.close(r));
  await relay?.stop();
  await plainRelay?.stop();
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("notifications through real servers", () => {
  it("1. notify test: the e-mail goes through the relay with STARTTLS and arrives, in French and English", async () => {
    const config = writeConfig("notify.json", notifyAddresses.relay);
    const run = await cli([
      "notify",
      "test",
      "--channel",
      "email",
      "--to",
      `ops@${domain}`,
      "--config",
      config,
      "--db",
      db,
      "--json",
    ]);
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out.schema).toBe("mailcharter/notify-test/1");
    expect(out.results).toEqual([
      expect.objectContaining({ channel: "email", destination: `ops@${domain}`, status: "ok", code: null }),
    ]);
    expect(run.code).toBe(0);
    const [raw] = await waitFor(async () => {
      const m = await messages(`ops@${domain}`);
      return m.length > 0 ? m : null;
    }, "the test notice in the mailbox");
    const mail = await simpleParser(raw as Buffer);
    expect(mail.subject).toBe("[mailcharter] Notification d'essai / Test notice");
    expect(mail.text).toContain("Notification d'essai : essai des canaux de notification de mailcharter");
    expect(mail.text).toContain("Test notice: test of mailcharter's notification channels");
    expect(mail.text).toContain("il n'y a rien à faire");
    expect(mail.text).toContain("there is nothing to do");
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    // The relay's Received line says the submission was over TLS.
    expect(String(raw)).toMatch(/\(using TLSv1\.[23] with cipher/);
  }, 60_000);

  it("2. a relay that does not offer STARTTLS is sent nothing, and the delivery log says why", async () => {
    const config = writeConfig("notify-plain.json", notifyAddresses.plainRelay);
    const run = await cli([
      "notify",
      "test",
      "--channel",
      "email",
      "--to",
      `plain@${domain}`,
      "--config",
      config,
      "--db",
      db,
      "--json",
    ]);
    const out = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    expect(out.results[0]).toMatchObject({ channel: "email", status: "error", code: "starttls-unavailable" });
    expect(out.results[0].detail).toMatch(/STARTTLS/);
    const log = await listDeliveries(store.db, { limit: 10, offset: 0 });
    expect(log[0]).toMatchObject({
      destination: `plain@${domain}`,
      result: "failed",
      errorCode: "starttls-unavailable",
    });
    expect(log[0]?.error).toMatch(/nothing was sent/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(plainRelay?.log()).not.toMatch(/from=</);
    expect(await messages(`plain@${domain}`)).toEqual([]);
  }, 60_000);

  it("3. the webhook receiver verifies every signature; a 500 is retried after the backoff", async () => {
    const config = readNotifyConfig(writeConfig("notify-hook.json", notifyAddresses.relay));
    const hooked = { ...config, email: null };
    answers.push(500);
    received.length = 0;
    await enqueueNotice(store.db, {
      kind: "incident-opened",
      dedupKey: "incident:42:opened",
      incidentId: 42,
      organisationId: null,
      organisation: "Lab",
      domain: "lab.test",
      audiences: ["agency"],
      summary: {
        fr: "STARTTLS n'est plus proposé par mx.lab.test",
        en: "mx.lab.test no longer offers STARTTLS",
      },
      links: { incident: "/incidents/42" },
      occurredAt: new Date().toISOString(),
    });
    const ctx = { db: store.db, config: hooked, registry: async () => [] };
    const first = await deliverDue(ctx, new Date());
    expect(first).toMatchObject({ attempted: 1, retrying: 1 });
    expect(received).toHaveLength(1);
    // Not before the backoff (2 s).
    expect((await deliverDue(ctx, new Date())).attempted).toBe(0);
    const second = await deliverDue(ctx, new Date(Date.now() + 2_500));
    expect(second).toMatchObject({ attempted: 1, sent: 1 });
    expect(received.map((r) => r.verification)).toEqual(["valid", "valid"]);
    expect(received[0]?.headers["webhook-id"]).toBe(received[1]?.headers["webhook-id"]);
    const payload = JSON.parse(String(received[1]?.body));
    expect(payload).toMatchObject({
      type: "mailcharter.incident-opened",
      data: { incidentId: 42, links: { incident: "https://mailcharter.lab.test/incidents/42" } },
    });
    const log = await listDeliveries(store.db, { limit: 2, offset: 0 });
    expect(log.map((l) => `${l.channel}:${l.result}:${l.errorCode ?? ""}`)).toEqual([
      "webhook:sent:",
      "webhook:retry:http-status",
    ]);
    expect(log[1]?.error).toContain("HTTP 500");
  }, 60_000);

  it("4. an outgoing TLS-RPT report mail is DKIM-signed and has the RFC 8460 shape", async () => {
    const config = readNotifyConfig(writeConfig("notify-tlsrpt.json", notifyAddresses.relay));
    const report = {
      "organization-name": "Sender Lab",
      "date-range": { "start-datetime": "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z" },
      "contact-info": "tlsrpt@sender.lab.test",
      "report-id": "2026-12-01T00:00:00Z_notify.lab.test",
      policies: [
        {
          policy: {
            "policy-type": "no-policy-found",
            "policy-string": [],
            "policy-domain": domain,
            "mx-host": [],
          },
          summary: { "total-successful-session-count": 12, "total-failure-session-count": 1 },
          "failure-details": [
            {
              "result-type": "starttls-not-supported",
              "sending-mta-ip": "127.0.15.9",
              "receiving-ip": "127.0.15.3",
              "receiving-mx-hostname": "plain.notify.lab.test",
              "failed-session-count": 1,
            },
          ],
        },
      ],
    };
    const gzip = gzipSync(JSON.stringify(report));
    await enqueueOutgoing(store.db, {
      channel: "email",
      destination: `mailto:tlsrpt@${domain}`,
      content: gzip,
      contentType: "application/tlsrpt+gzip",
      dedupKey: `tlsrpt:sender.lab.test:${domain}:2026-12-01`,
      dkim: { domain: "sender.lab.test", selector: "mc1" },
    });
    const pass = await deliverDue({
      db: store.db,
      config: { ...config, webhooks: [] },
      registry: async () => [],
    });
    expect(pass.results.map((r) => r.attempt.ok)).toEqual([true]);
    const [raw] = await waitFor(async () => {
      const m = await messages(`tlsrpt@${domain}`);
      return m.length > 0 ? m : null;
    }, "the TLS-RPT mail in the mailbox");
    const text = (raw as Buffer).toString("utf8");
    const dkim = verifyDkim(text, dkimPublic);
    expect(dkim.reason).toBe("valid");
    expect(dkim.tags).toMatchObject({ d: "sender.lab.test", s: "mc1", a: "rsa-sha256" });
    expect(dkim.tags.h?.toLowerCase().split(":")).toEqual(expect.arrayContaining(["from", "subject", "to"]));
    // The verifier can fail: one changed byte of the body breaks it.
    expect(verifyDkim(text.replace("aggregate TLS report", "aggregate TLS rep0rt"), dkimPublic).ok).toBe(
      false,
    );
    const mail = await simpleParser(raw as Buffer);
    expect(mail.subject).toBe(
      `Report Domain: ${domain} Submitter: sender.lab.test Report-ID: <${report["report-id"]}>`,
    );
    expect(mail.headers.get("tls-report-domain")).toBe(domain);
    expect(mail.headers.get("tls-report-submitter")).toBe("sender.lab.test");
    const type = mail.headers.get("content-type") as { value: string; params: Record<string, string> };
    expect(type.value).toBe("multipart/report");
    expect(type.params["report-type"]).toBe("tlsrpt");
    const attachment = mail.attachments[0];
    expect(attachment?.contentType).toBe("application/tlsrpt+gzip");
    expect(attachment?.filename).toBe(`sender.lab.test!${domain}!1796083200!1796169599.json.gz`);
    expect(JSON.parse(gunzipSync(attachment?.content as Buffer).toString())).toEqual(report);
    // Our own TLS-RPT mail door reads it back.
    const door = await parseReportMail(raw as Buffer);
    expect(door.outcome.kind).toBe("report");
  }, 60_000);
});
