/**
 * An incident's notices end to end, every part real: the built `mailcharter serve` (its scheduler on a
 * 2 s tick, a 2 s confirming pause) watches a real Postfix MX (mx.e2e in the lab zone, 127.0.19.10) of
 * a registered signatory; its notices go through a real Postfix relay that requires TLS into a real
 * Dovecot mailbox read back over IMAPS, and to an HTTPS webhook receiver (the signatory's own, a
 * per-organisation webhook) that verifies every Standard Webhooks signature.
 *
 * 1. the MX is audited compliant on schedule: no incident, no notice;
 * 2. its STARTTLS turned off (postfix reload), the domain due: the cycle's audit suspects, the
 *    confirming audit after the pause confirms, one incident opens; "incident-opened" arrives in the
 *    organisation's and the agency's mailboxes (French then English, Received over TLS by the relay)
 *    and once at the webhook, signed; a forged signature is refused by the receiver;
 * 3. the operator acknowledges it through the API (a second time: 409): "incident-acknowledged";
 * 4. STARTTLS back on, the domain due: the audit resolves it with its time to restore;
 *    "incident-resolved" arrives.
 * Counted exactly at the end: three notices, two mails each, one POST each, every outbox row sent
 * once, nothing left to send; a second webhook, of an organisation the registry does not have, got
 * nothing and serve said why at start.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifySignature } from "../../src/notify/webhook-signature.js";
import { openStore } from "../../src/store/database.js";
import { issue, rootCa } from "../support/pki.js";
import { WebClient } from "../support/web-client.js";
import { type DovecotMailbox, startDovecotMailbox } from "./lab/dovecot-mailbox.js";
import { labGeo } from "./lab/lab.js";
import { incidentE2eAddresses as at } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const lab = inject("lab");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-incident-e2e-"));
const db = join(dir, "service.sqlite");
const domain = "e2e.lab.test";
const mxHost = `mx.${domain}`;
const organisation = "E2E Mail";
const contact = `noc@${domain}`;
const agency = `cert@agency.${domain}`;
const operator = { email: `ops@${domain}`, password: "an operator password for the e2e lab" };
const imapPassword = "lab-only";
const webhookSecret = Buffer.from("the e2e organisation's webhook secret");
const endpoint = `${mxHost} [${at.mx}]:25`;

let mx: PostfixInstance | undefined;
let relay: PostfixInstance | undefined;
let dovecot: DovecotMailbox | undefined;
let hook: Server | undefined;
let serve: ChildProcess | undefined;
let serveOutput = "";
let ca = "";

interface Received {
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly body: Buffer;
  readonly verification: string;
  readonly status: number;
}
/** Every POST the receiver got, in order. */
const posts: Received[] = [];

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}\n` +
      `serve:\n${serveOutput.slice(-3000)}\nrelay:\n${relay?.log().slice(-1500)}`,
  );
}

/** Every message of a mailbox's INBOX, parsed, with its raw bytes. */
async function inbox(user: string): Promise<{ raw: string; mail: ParsedMail }[]> {
  const client = new ImapFlow({
    host: at.dovecot,
    port: 993,
    secure: true,
    auth: { user, pass: imapPassword },
    logger: false,
    tls: { ca, servername: `imap.${domain}` },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  await client.connect();
  try {
    const status = await client.status("INBOX", { messages: true });
    if (status === false || !status.messages) return [];
    const lock = await client.getMailboxLock("INBOX");
    try {
      const out: { raw: string; mail: ParsedMail }[] = [];
      for await (const m of client.fetch("1:*", { source: true }))
        if (m.source) out.push({ raw: m.source.toString("utf8"), mail: await simpleParser(m.source) });
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** Waits until both mailboxes hold `count` messages; returns the last one of each. */
async function lastMails(count: number, what: string) {
  return waitFor(async () => {
    const [org, ag] = [await inbox(contact), await inbox(agency)];
    if (org.length > count || ag.length > count)
      throw new Error(`more than ${count} messages: ${org.length} and ${ag.length}`);
    return org.length === count && ag.length === count ? { org: org.at(-1), agency: ag.at(-1) } : null;
  }, what);
}

/** One SMTP exchange without TLS: what the relay answers to MAIL FROM before STARTTLS. */
function plainMailFrom(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: at.relay, port: 25, timeout: 10_000 });
    const steps = ["EHLO plain.lab.test\r\n", "MAIL FROM:<x@plain.lab.test>\r\n"];
    let buffer = "";
    let replies = 0;
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      // A reply is complete when its last line is "NNN text" (no dash after the code).
      if (!buffer.endsWith("\r\n")) return;
      const last = buffer.split("\r\n").at(-2) ?? "";
      if (!/^\d{3} /.test(last)) return;
      buffer = "";
      replies++;
      if (replies === 3) {
        socket.removeAllListeners("data");
        socket.end("QUIT\r\n");
        resolve(last);
        return;
      }
      socket.write(steps[replies - 1] as string);
    });
    socket.on("timeout", () => socket.destroy(new Error("no answer from the relay")));
    socket.on("error", reject);
  });
}

async function makeDue(): Promise<void> {
  const store = await openStore(db);
  try {
    await store.db
      .updateTable("monitor_schedule")
      .set({ next_due_at: null })
      .where("domain", "=", domain)
      .execute();
  } finally {
    await store.close();
  }
}

async function audits() {
  const store = await openStore(db);
  try {
    return await store.db
      .selectFrom("audit_runs")
      .select(["id", "trigger", "status", "verdict", "job_key", "started_at", "finished_at"])
      .where("domain", "=", domain)
      .orderBy("id")
      .execute();
  } finally {
    await store.close();
  }
}

async function measure(runId: number, id: string): Promise<string | undefined> {
  const store = await openStore(db);
  try {
    return (
      await store.db
        .selectFrom("audit_measures")
        .select("status")
        .where("run_id", "=", runId)
        .where("measure_id", "=", id)
        .executeTakeFirst()
    )?.status;
  } finally {
    await store.close();
  }
}

interface ApiIncident {
  id: number;
  state: string;
  kind: string;
  domain: string;
  organisation: string;
  audience: string;
  endpoint: string;
  firstRunId: number;
  confirmRunId: number;
  resolveRunId: number | null;
  firstObservedAt: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  timeToRestoreMs: number | null;
}

let api: WebClient;
let csrf = "";
const incidents = async () =>
  (await api.get("/api/v1/incidents")).json<{ incidents: ApiIncident[] }>().incidents;

const validPosts = () => posts.filter((p) => p.verification === "valid" && p.path === "/mailcharter");
const payloadOf = (p: Received | undefined) =>
  JSON.parse(String(p?.body)) as {
    type: string;
    data: { kind: string; incidentId: number; organisation: string; summary: { fr: string; en: string } };
  };

beforeAll(async () => {
  const authority = await rootCa("incident e2e CA");
  ca = authority.pem;
  const cert = (name: string, ipAddresses: string[] = []) =>
    issue(authority, name, { dnsNames: [name], ipAddresses });
  const [mxCert, relayCert, imapCert, hookCert] = await Promise.all([
    cert(mxHost),
    cert(`relay.${domain}`),
    cert(`imap.${domain}`),
    cert(`hook.${domain}`, [at.webhook]),
  ]);
  writeFileSync(join(dir, "ca.pem"), ca);
  writeFileSync(join(dir, "geo.csv"), `${labGeo}127.0.19.0/24,FR\n`);
  const files = (name: string, c: { pem: string; keyPem: string }) => {
    writeFileSync(join(dir, `${name}.pem`), c.pem);
    writeFileSync(join(dir, `${name}-key.pem`), c.keyPem, { mode: 0o600 });
    return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  };
  const mxFiles = files("mx", mxCert);
  const relayFiles = files("relay", relayCert);

  mx = await startPostfix({
    name: "e2e-mx",
    address: at.mx,
    hostname: mxHost,
    main: {
      mydestination: "",
      smtpd_tls_security_level: "may",
      smtpd_tls_cert_file: mxFiles.cert,
      smtpd_tls_key_file: mxFiles.key,
    },
  });
  dovecot = await startDovecotMailbox({
    dir,
    instance: "mc-incident-e2e",
    address: at.dovecot,
    password: imapPassword,
    certPem: imapCert.pem,
    keyPem: imapCert.keyPem,
  });
  // The relay requires TLS of its clients (smtpd_tls_security_level = encrypt, RFC 3207 §4).
  relay = await startPostfix({
    name: "e2e-relay",
    address: at.relay,
    hostname: `relay.${domain}`,
    master: dovecot.ldaService,
    main: {
      mydestination: "",
      virtual_mailbox_domains: `${domain}, agency.${domain}`,
      virtual_transport: "dovecot",
      dovecot_destination_recipient_limit: "1",
      smtpd_tls_security_level: "encrypt",
      smtpd_tls_cert_file: relayFiles.cert,
      smtpd_tls_key_file: relayFiles.key,
      smtpd_tls_received_header: "yes",
    },
  });

  hook = createServer({ cert: hookCert.pem, key: hookCert.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = req.headers as Record<string, string | undefined>;
      const verification = verifySignature(webhookSecret, headers, body, new Date(), 300);
      const status = verification === "valid" ? 204 : 401;
      posts.push({ path: req.url ?? "", headers, body, verification, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => hook?.listen(8443, at.webhook, resolve));

  writeFileSync(join(dir, "hook-secret"), webhookSecret, { mode: 0o600 });
  writeFileSync(
    join(dir, "notify.json"),
    JSON.stringify({
      publicUrl: `https://${at.serve}/`,
      language: "both",
      agency: { email: agency },
      email: {
        relay: {
          host: at.relay,
          port: 25,
          caFile: "ca.pem",
          servername: `relay.${domain}`,
          heloName: "mailcharter.lab.test",
        },
        from: `mailcharter <noreply@agency.${domain}>`,
      },
      webhooks: [
        {
          name: "e2e-soc",
          url: `https://${at.webhook}:8443/mailcharter`,
          secretFile: "hook-secret",
          organisations: [organisation],
          caFile: "ca.pem",
        },
        // An organisation's webhook naming no registered organisation: sent nothing, and said.
        {
          name: "ghost-soc",
          url: `https://${at.webhook}:8443/ghost`,
          secretFile: "hook-secret",
          organisations: ["No Such Mail"],
          caFile: "ca.pem",
        },
      ],
      allowPrivate: true,
    }),
  );
  writeFileSync(join(dir, "operator-password"), `${operator.password}\n`, { mode: 0o600 });
  const added = await cli([
    "registry",
    "add",
    "--db",
    db,
    "--name",
    organisation,
    "--contact",
    contact,
    "--adhesion",
    "2026-01-01",
    "--domain",
    `${domain}=${mxHost}`,
  ]);
  expect(added.code, added.stderr).toBe(0);
  const user = await cli([
    "user",
    "add",
    "--email",
    operator.email,
    "--role",
    "operator",
    "--org",
    organisation,
    "--password-file",
    join(dir, "operator-password"),
    "--db",
    db,
  ]);
  expect(user.code, user.stderr).toBe(0);
  await waitFor(async () => (await inbox(contact)).length === 0, "Dovecot's IMAPS", 20_000);

  serve = spawn(
    "node",
    [
      "dist/cli/main.js",
      "serve",
      "--db",
      db,
      "--data-dir",
      dir,
      "--listen",
      `${at.serve}:443`,
      "--resolver",
      lab.validatingResolver,
      "--allow-private",
      "--ca-file",
      lab.rootCaFile,
      "--ca-file",
      join(dir, "ca.pem"),
      "--geo-file",
      join(dir, "geo.csv"),
      "--ehlo-name",
      "probe.lab.test",
      "--confirm-pause",
      "2",
      "--scheduler-tick",
      "2",
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  serve.stdout?.on("data", (c: Buffer) => {
    serveOutput += c.toString();
  });
  serve.stderr?.on("data", (c: Buffer) => {
    serveOutput += c.toString();
  });
  await waitFor(async () => {
    if (serve?.exitCode !== null) throw new Error(`serve exited ${serve?.exitCode}`);
    return /scheduler: running/.test(serveOutput);
  }, "serve to start");
  api = new WebClient(`https://${at.serve}/`, readFileSync(join(dir, "tls-cert.pem"), "utf8"));
  const login = await api.login(operator.email, operator.password);
  expect(login.status, login.text.slice(0, 300)).toBe(303);
  csrf = (await api.get("/api/v1/me")).json<{ csrfToken: string }>().csrfToken;
}, 120_000);

afterAll(async () => {
  if (process.env.MAILCHARTER_DEBUG) console.log(serveOutput.slice(-5000), relay?.log().slice(-3000));
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve?.once("exit", r));
    serve.kill("SIGTERM");
    await exited;
  }
  await new Promise((r) => (hook ? hook.close(r) : r(null)));
  await mx?.stop();
  await relay?.stop();
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("an incident's notices end to end: serve, a real MX, a relay requiring TLS, Dovecot, a webhook", () => {
  let opened: ApiIncident | undefined;

  it("1. the MX is audited compliant on schedule: no incident, nothing sent", async () => {
    const [first] = await waitFor(async () => {
      const runs = await audits();
      return runs.some((r) => r.status === "done") ? runs : null;
    }, "the first scheduled audit");
    expect(first).toMatchObject({ trigger: "schedule", status: "done", verdict: "compliant" });
    expect(await measure(Number(first?.id), "mx.starttls")).toBe("pass");
    expect(await incidents()).toEqual([]);
    // The relay refuses mail before STARTTLS: what reaches the mailbox came over TLS.
    expect(await plainMailFrom()).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first/);
  }, 120_000);

  it("2. STARTTLS off: suspected, confirmed after the pause, one incident; its notice by mail and webhook", async () => {
    const before = (await audits()).length;
    await mx?.postconf({ smtpd_tls_security_level: "none" });
    await makeDue();
    opened = await waitFor(async () => (await incidents())[0], "the incident to open", 90_000);
    expect(opened).toMatchObject({
      state: "open",
      kind: "starttls_missing",
      domain,
      organisation,
      audience: "all",
      endpoint,
    });
    // The cycle's audit saw it first; another audit, on demand after the pause, confirmed it.
    const runs = (await audits()).slice(before);
    const suspecting = runs.find((r) => r.id === opened?.firstRunId);
    const confirming = runs.find((r) => r.id === opened?.confirmRunId);
    expect(suspecting).toMatchObject({ trigger: "schedule", status: "done" });
    expect(confirming).toMatchObject({ trigger: "on_demand", status: "done" });
    expect(confirming?.job_key).toMatch(/^confirm:/);
    expect(Date.parse(confirming?.started_at ?? "")).toBeGreaterThanOrEqual(
      Date.parse(suspecting?.finished_at ?? "") + 2000,
    );
    expect(runs.map((r) => r.trigger)).toEqual(["schedule", "on_demand"]);

    const mails = await lastMails(1, "the incident-opened mails");
    for (const [who, m] of Object.entries(mails)) {
      const mail = m?.mail;
      expect(mail?.subject, who).toBe(`[mailcharter] Incident ouvert / Incident opened — ${domain}`);
      expect(mail?.text).toContain(
        `Incident ouvert : ${endpoint} (${domain}) : STARTTLS n'est plus annoncé.`,
      );
      expect(mail?.text).toContain(
        `Incident opened: ${endpoint} (${domain}): STARTTLS is no longer advertised.`,
      );
      expect(mail?.text).toContain(`Incident : https://${at.serve}/incidents/${opened?.id}`);
      expect(mail?.text).toContain(`Confirmed by audit #${opened?.confirmRunId}`);
      expect(mail?.headers.get("auto-submitted")).toBe("auto-generated");
      // Through the relay, with TLS: its Received line says so.
      expect(m?.raw).toMatch(
        /from mailcharter\.lab\.test [\s\S]*?\(using TLSv1\.[23] with cipher [\s\S]*?by relay\.e2e\.lab\.test \(Postfix\) with ESMTPS/,
      );
    }
    expect(mails.org?.mail.text).toContain(`en tant que contact de ${organisation}, organisation concernée`);
    expect(mails.agency?.mail.text).toContain("en tant qu'agence (Charte art. 4.6)");

    const [post] = await waitFor(async () => (validPosts().length >= 1 ? validPosts() : null), "the webhook");
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(payloadOf(post)).toMatchObject({
      type: "mailcharter.incident-opened",
      data: { kind: "incident-opened", incidentId: opened?.id, organisation },
    });
    // The receiver's check can fail: the same delivery with one byte changed, or another secret's
    // signature, is refused.
    const forged = await fetchForged(post as Received);
    expect(forged).toEqual([401, 401]);
    expect(posts.filter((p) => p.verification !== "valid").map((p) => p.verification)).toEqual([
      "bad-signature",
      "bad-signature",
    ]);
  }, 150_000);

  it("3. the operator acknowledges it through the API (once: then 409): incident-acknowledged is told", async () => {
    const id = opened?.id ?? -1;
    const ack = await api.fetch("POST", `/api/v1/incidents/${id}/acknowledge`, {
      headers: { "csrf-token": csrf },
    });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.json<{ incident: ApiIncident }>().incident).toMatchObject({
      state: "acknowledged",
      acknowledgedBy: operator.email,
    });
    const again = await api.fetch("POST", `/api/v1/incidents/${id}/acknowledge`, {
      headers: { "csrf-token": csrf },
    });
    expect(again.status).toBe(409);
    const mails = await lastMails(2, "the incident-acknowledged mails");
    for (const m of [mails.org, mails.agency]) {
      expect(m?.mail.subject).toBe(
        `[mailcharter] Incident pris en compte / Incident acknowledged — ${domain}`,
      );
      expect(m?.mail.text).toContain(`Pris en compte, en cours de traitement : ${endpoint}`);
      expect(m?.mail.text).toContain(`Acknowledged, being handled: ${endpoint}`);
      // Every signatory is told: who acknowledged stays the organisation's.
      expect(m?.raw).not.toContain(operator.email);
    }
    const hooked = await waitFor(async () => (validPosts().length >= 2 ? validPosts() : null), "the webhook");
    expect(payloadOf(hooked[1])).toMatchObject({
      type: "mailcharter.incident-acknowledged",
      data: { incidentId: id },
    });
  }, 90_000);

  it("4. STARTTLS back on: the next audit resolves it with its time to restore; incident-resolved is told", async () => {
    const id = opened?.id ?? -1;
    await mx?.postconf({ smtpd_tls_security_level: "may" });
    await makeDue();
    const resolved = await waitFor(
      async () => (await incidents()).find((i) => i.id === id && i.state === "resolved"),
      "the incident to be resolved",
      90_000,
    );
    const resolving = (await audits()).find((r) => r.id === resolved.resolveRunId);
    expect(resolving).toMatchObject({ trigger: "schedule", verdict: "compliant" });
    expect(resolved.timeToRestoreMs).toBe(
      Date.parse(resolved.resolvedAt ?? "") - Date.parse(resolved.firstObservedAt),
    );
    expect(resolved.timeToRestoreMs).toBeGreaterThan(2000);
    const minutes = Math.max(1, Math.round((resolved.timeToRestoreMs ?? 0) / 60_000));
    const mails = await lastMails(3, "the incident-resolved mails");
    for (const m of [mails.org, mails.agency]) {
      expect(m?.mail.subject).toBe(`[mailcharter] Incident résolu / Incident resolved — ${domain}`);
      expect(m?.mail.text).toContain(`Rétabli sur ${endpoint} (${domain}) : STARTTLS n'est plus annoncé.`);
      expect(m?.mail.text).toContain(`(audit #${resolved.resolveRunId}), après ${minutes} min.`);
      expect(m?.mail.text).toContain(`(audit #${resolved.resolveRunId}), after ${minutes} min.`);
    }
    const hooked = await waitFor(async () => (validPosts().length >= 3 ? validPosts() : null), "the webhook");
    expect(payloadOf(hooked[2])).toMatchObject({
      type: "mailcharter.incident-resolved",
      data: { incidentId: id },
    });
    console.log(
      `incident #${id}: opened ${Math.round((Date.parse(opened?.openedAt ?? "") - Date.parse(opened?.firstObservedAt ?? "")) / 1000)} s after the first bad observation, restored after ${Math.round((resolved.timeToRestoreMs ?? 0) / 1000)} s`,
    );
  }, 150_000);

  it("counted exactly: three notices, two mails and one POST each, every message sent once, none left", async () => {
    const store = await openStore(db);
    try {
      const notices = await store.db
        .selectFrom("notify_notices")
        .select(["kind", "dedup_key"])
        .orderBy("id")
        .execute();
      const id = opened?.id;
      expect(notices).toEqual([
        { kind: "incident-opened", dedup_key: `incident:${id}:opened:0` },
        { kind: "incident-acknowledged", dedup_key: `incident:${id}:acknowledged:0` },
        { kind: "incident-resolved", dedup_key: `incident:${id}:resolved:0` },
      ]);
      const outbox = await store.db
        .selectFrom("notify_outbox")
        .select(["channel", "destination", "state", "attempts"])
        .orderBy("id")
        .execute();
      expect(outbox).toHaveLength(9);
      expect(outbox.every((r) => r.state === "sent" && r.attempts === 1)).toBe(true);
      expect(
        outbox
          .filter((r) => r.channel === "email")
          .map((r) => r.destination)
          .sort(),
      ).toEqual([agency, agency, agency, contact, contact, contact]);
      const deliveries = await store.db.selectFrom("notify_deliveries").select("result").execute();
      expect(deliveries.map((d) => d.result)).toEqual(Array(9).fill("sent"));
    } finally {
      await store.close();
    }
    expect((await inbox(contact)).map((m) => m.mail.subject)).toEqual([
      `[mailcharter] Incident ouvert / Incident opened — ${domain}`,
      `[mailcharter] Incident pris en compte / Incident acknowledged — ${domain}`,
      `[mailcharter] Incident résolu / Incident resolved — ${domain}`,
    ]);
    expect(await inbox(agency)).toHaveLength(3);
    const valid = validPosts();
    expect(valid.map((p) => payloadOf(p).type)).toEqual([
      "mailcharter.incident-opened",
      "mailcharter.incident-acknowledged",
      "mailcharter.incident-resolved",
    ]);
    expect(new Set(valid.map((p) => p.headers["webhook-id"])).size).toBe(3);
    expect(posts).toHaveLength(5); // the three, and the two forgeries of step 2
    expect(posts.filter((p) => p.path !== "/mailcharter")).toEqual([]);
    // In serve's log (JSON: the quotes escaped).
    expect(serveOutput).toMatch(
      /webhook ghost-soc: organisation \\?"No Such Mail\\?" is not in the registry \(by its registry name\): it is sent nothing about it/,
    );
    expect(serveOutput).not.toContain("webhook e2e-soc:");
  });
});

/** The receiver given a delivery with one body byte changed, then signed with another secret. */
async function fetchForged(post: Received): Promise<number[]> {
  const { request } = await import("node:https");
  const { signHeaders } = await import("../../src/notify/webhook-signature.js");
  const send = (headers: Record<string, string>, body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: at.webhook,
          port: 8443,
          path: "/mailcharter",
          method: "POST",
          headers: { ...headers, "content-type": "application/json", "content-length": String(body.length) },
          ca,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end(body);
    });
  const signed = {
    "webhook-id": post.headers["webhook-id"] ?? "",
    "webhook-timestamp": post.headers["webhook-timestamp"] ?? "",
    "webhook-signature": post.headers["webhook-signature"] ?? "",
  };
  const tampered = Buffer.from(post.body);
  tampered[tampered.length - 2] = tampered[tampered.length - 2] === 0x30 ? 0x31 : 0x30;
  const other = signHeaders(
    Buffer.from("not the shared secret"),
    signed["webhook-id"],
    new Date(),
    post.body,
  );
  return [await send(signed, tampered), await send({ ...other }, post.body)];
}
