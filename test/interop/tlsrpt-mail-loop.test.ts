/**
 * The TLS-RPT loop by mail, every part real (RFC 8460 §3, §5.3.1): organisation A's Postfix delivers
 * mail to B's domain (found by its MX in the lab zone) with a verified certificate; its log is
 * ingested for A. A's service, on its daily schedule (not the CLI), generates the previous day's
 * report, finds B's rua `mailto:` in B's TLSRPT record, and sends the DKIM-signed report mail with TLS
 * required through A's Postfix, which delivers it to B's Postfix MX with a verified certificate, which
 * hands it to B's Dovecot. B's service, on its schedule, reads the mailbox over IMAPS, stores the
 * report once and moves the mail. Running everything again (A's day forgotten and regenerated, the
 * mail put back in B's inbox) stores and sends nothing twice.
 */
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { reportIdFor } from "../../src/indicators/tlsrpt/generate.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { serveIndicators } from "../../src/jobs/indicator-service.js";
import { fetchKey, generateKey, IndicatorTasks } from "../../src/jobs/indicator-tasks.js";
import { readIndicatorsConfig } from "../../src/jobs/indicators-config.js";
import { newHolder } from "../../src/monitor/holder.js";
import type { Clock } from "../../src/net/clock.js";
import { parseResolverAddress, systemResolver } from "../../src/net/resolver.js";
import { openStore } from "../../src/store/database.js";
import { type RunningService, startService } from "../../src/web/service.js";
import { cli } from "../support/cli.js";
import { verifyDkim } from "../support/dkim-verify.js";
import { issue, rootCa } from "../support/pki.js";
import { type DovecotMailbox, startDovecotMailbox } from "./lab/dovecot-mailbox.js";
import { mailLoop } from "./lab/mail-loop-lab.js";
import { mailLoopAddresses as at } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const lab = inject("lab");
const work = mkdtempSync(join(tmpdir(), "mailcharter-mail-loop-"));
const alphaDir = join(work, "alpha");
const betaDir = join(work, "beta");
const mailDir = join(work, "dovecot");
const alphaDb = join(alphaDir, "alpha.sqlite");
const betaDb = join(betaDir, "beta.sqlite");
const password = "lab-only-mailbox";
const recipients = ["ops", "noc", "postmaster"].map((u) => `${u}@${mailLoop.betaDomain}`);
const { privateKey: dkimPrivate, publicKey: dkimPublic } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
});

let alphaMta: PostfixInstance | undefined;
let betaMx: PostfixInstance | undefined;
let dovecot: DovecotMailbox | undefined;
const services: RunningService[] = [];
const logs: string[] = [];

/** A's service lives one day ahead: today's real deliveries are its "previous day", due now. */
const tomorrow: Clock = { now: () => Date.now() + 86_400_000 };

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await probe().catch(() => null);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out waiting for ${what}\nservices:\n${logs.join("\n")}\nA:\n${alphaMta?.log().slice(-3000)}\nB:\n${betaMx?.log().slice(-3000)}`,
  );
}

/** Hands one message to A's Postfix over SMTP (it relays for loopback clients). */
function submit(recipient: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: at.alphaMta, port: 25 });
    const script = [
      "EHLO client.alpha.loop.lab.test",
      `MAIL FROM:<sender@${mailLoop.alphaDomain}>`,
      `RCPT TO:<${recipient}>`,
      "DATA",
      `From: sender@${mailLoop.alphaDomain}\r\nTo: ${recipient}\r\nSubject: loop\r\n\r\nhello ${recipient}\r\n.`,
      "QUIT",
    ];
    let step = 0;
    let buffer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP timeout")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      while (buffer.includes("\r\n")) {
        const end = buffer.indexOf("\r\n");
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^\d{3}-/.test(line)) continue;
        if (/^[45]/.test(line)) {
          socket.destroy();
          reject(new Error(`A refused ${recipient}: ${line}`));
          return;
        }
        const next = script[step++];
        if (next === undefined) {
          socket.end();
          resolve();
          return;
        }
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
  });
}

async function mailbox(): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: at.betaImap,
    port: 993,
    secure: true,
    auth: { user: mailLoop.rua, pass: password },
    logger: false,
    tls: { ca: readFileSync(join(work, "ca.pem"), "utf8") },
    connectionTimeout: 10_000,
    socketTimeout: 10_000,
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

/** The messages of a folder, as stored by Dovecot. */
async function messages(folder: string): Promise<string[]> {
  const client = await mailbox();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const found: string[] = [];
      for await (const m of client.fetch("1:*", { source: true }))
        found.push(m.source?.toString("latin1") ?? "");
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function startAlpha(): Promise<RunningService> {
  const service = await startService({
    db: alphaDb,
    dataDir: alphaDir,
    listen: { host: at.alphaServe, port: 0 },
    httpListen: null,
    tls: null,
    scheduler: true,
    logger: false,
    indicators: serveIndicators({
      config: readIndicatorsConfig(join(alphaDir, "indicators.json"), true),
      db: alphaDb,
      resolver: systemResolver(parseResolverAddress(lab.resolver)),
      schedule: true,
      holder: newHolder(),
      clock: tomorrow,
      log: (line) => logs.push(`A: ${line}`),
      onError: (error) => logs.push(`A error: ${String(error)}`),
    }),
  });
  services.push(service);
  return service;
}

async function startBeta(): Promise<RunningService> {
  const service = await startService({
    db: betaDb,
    dataDir: betaDir,
    listen: { host: at.betaServe, port: 0 },
    httpListen: null,
    tls: null,
    scheduler: true,
    logger: false,
    indicators: serveIndicators({
      config: readIndicatorsConfig(join(betaDir, "indicators.json"), true),
      db: betaDb,
      resolver: systemResolver(parseResolverAddress(lab.resolver)),
      schedule: true,
      holder: newHolder(),
      log: (line) => logs.push(`B: ${line}`),
      onError: (error) => logs.push(`B error: ${String(error)}`),
    }),
  });
  services.push(service);
  return service;
}

async function stop(service: RunningService): Promise<void> {
  services.splice(services.indexOf(service), 1);
  await service.close();
}

const readStore = async <T>(
  db: string,
  read: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
) => {
  const store = await openStore(db);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
};

beforeAll(async () => {
  // Dovecot's LDA runs as nobody and reads its configuration below this directory.
  chmodSync(work, 0o755);
  mkdirSync(alphaDir, { recursive: true });
  mkdirSync(betaDir, { recursive: true });
  mkdirSync(mailDir, { recursive: true });
  const ca = await rootCa("mail loop CA");
  writeFileSync(join(work, "ca.pem"), ca.pem);
  const imapCert = await issue(ca, "imap.beta.loop.lab.test", {
    dnsNames: ["imap.beta.loop.lab.test"],
    ipAddresses: [at.betaImap],
  });
  dovecot = await startDovecotMailbox({
    dir: mailDir,
    instance: "mc-mail-loop",
    address: at.betaImap,
    password,
    certPem: imapCert.pem,
    keyPem: imapCert.keyPem,
  });

  // B's MX: STARTTLS with a certificate for its MX name; mail for B's domain goes to Dovecot.
  const betaCert = await issue(ca, mailLoop.betaMx, { dnsNames: [mailLoop.betaMx] });
  betaMx = await startPostfix({
    name: "loop-beta",
    address: at.betaMx,
    hostname: mailLoop.betaMx,
    master: dovecot.ldaService,
    main: {
      mydestination: "",
      virtual_mailbox_domains: mailLoop.betaDomain,
      virtual_transport: "dovecot",
      dovecot_destination_recipient_limit: "1",
      smtpd_tls_security_level: "may",
    },
  });
  writeFileSync(join(betaMx.dir, "cert.pem"), betaCert.pem);
  writeFileSync(join(betaMx.dir, "key.pem"), betaCert.keyPem, { mode: 0o600 });
  await betaMx.postconf({
    smtpd_tls_cert_file: join(betaMx.dir, "cert.pem"),
    smtpd_tls_key_file: join(betaMx.dir, "key.pem"),
  });

  // A's MTA: finds B's MX in the lab DNS and requires a verified certificate for it; it is also the
  // relay A's service submits through (STARTTLS, its own certificate).
  const alphaCert = await issue(ca, mailLoop.alphaMx, { dnsNames: [mailLoop.alphaMx] });
  alphaMta = await startPostfix({
    name: "loop-alpha",
    address: at.alphaMta,
    hostname: mailLoop.alphaMx,
    resolver: lab.resolver.replace(/:53$/, ""),
    main: {
      mydestination: "",
      smtp_tls_security_level: "verify",
      smtp_bind_address: at.alphaMta,
      smtpd_tls_security_level: "may",
      smtp_connection_cache_on_demand: "no",
    },
  });
  writeFileSync(join(alphaMta.dir, "ca.pem"), ca.pem);
  writeFileSync(join(alphaMta.dir, "cert.pem"), alphaCert.pem);
  writeFileSync(join(alphaMta.dir, "key.pem"), alphaCert.keyPem, { mode: 0o600 });
  await alphaMta.postconf({
    smtp_tls_CAfile: join(alphaMta.dir, "ca.pem"),
    smtpd_tls_cert_file: join(alphaMta.dir, "cert.pem"),
    smtpd_tls_key_file: join(alphaMta.dir, "key.pem"),
  });

  // A's service: the relay and the DKIM key (notify.json), the daily generation (indicators.json).
  writeFileSync(join(alphaDir, "dkim.pem"), dkimPrivate.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
  });
  writeFileSync(join(alphaDir, "relay-ca.pem"), ca.pem);
  writeFileSync(
    join(alphaDir, "notify.json"),
    JSON.stringify({
      email: {
        relay: { host: at.alphaMta, port: 25, caFile: "relay-ca.pem", servername: mailLoop.alphaMx },
        from: `TLS reports <tlsrpt-noreply@${mailLoop.alphaDomain}>`,
        dkim: [{ domain: mailLoop.alphaDomain, selector: "mc2026", privateKeyFile: "dkim.pem" }],
      },
    }),
  );
  writeFileSync(
    join(alphaDir, "indicators.json"),
    JSON.stringify({
      generate: {
        afterMinutes: 0,
        catchUpDays: 3,
        checkEverySeconds: 5,
        organisations: [{ name: "Alpha", dkimSelector: "mc2026" }],
      },
    }),
  );
  // B's service: its report mailbox, read every 5 s.
  writeFileSync(join(betaDir, "imap-password"), `${password}\n`, { mode: 0o600 });
  writeFileSync(join(betaDir, "imap-ca.pem"), ca.pem);
  writeFileSync(
    join(betaDir, "indicators.json"),
    JSON.stringify({
      fetchEverySeconds: 5,
      mailboxes: [
        {
          name: "reports",
          url: `imaps://${encodeURIComponent(mailLoop.rua)}@${at.betaImap}/INBOX`,
          passwordFile: "imap-password",
          caFile: "imap-ca.pem",
        },
      ],
    }),
  );
  await waitFor("Dovecot's IMAPS", async () => {
    await (await mailbox()).logout();
    return true;
  });
}, 120_000);

afterAll(async () => {
  for (const service of [...services]) await service.close().catch(() => {});
  await alphaMta?.stop();
  await betaMx?.stop();
  await dovecot?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("TLS-RPT by mail between two services, on their schedules", () => {
  it("A's daily report reaches B's mailbox DKIM-signed over TLS, and B stores it once", async () => {
    // A's deliveries of the day to B's domain, by MX, each with B's certificate verified.
    for (const to of recipients) await submit(to);
    const alphaLog = await waitFor("A's three deliveries", async () => {
      const log = alphaMta?.log() ?? "";
      return (log.match(/status=sent/g) ?? []).length >= recipients.length ? log : null;
    });
    expect(
      alphaLog.match(/Verified TLS connection established to mx\.beta\.loop\.lab\.test\[127\.0\.21\.2\]:25/g)
        ?.length,
    ).toBe(recipients.length);
    const day = new Date().toISOString().slice(0, 10);

    const add = await cli(
      "registry",
      "add",
      "--db",
      alphaDb,
      "--name",
      "Alpha",
      "--contact",
      `tlsrpt@${mailLoop.alphaDomain}`,
      "--adhesion",
      "2026-01-01",
      "--domain",
      `${mailLoop.alphaDomain}=${mailLoop.alphaMx}`,
    );
    expect(add.code, add.err).toBe(0);
    const ingest = await cli(
      "indicators",
      "ingest-log",
      "--db",
      alphaDb,
      "--format",
      "postfix",
      "--org",
      "Alpha",
      join(alphaMta?.dir ?? "", "maillog"),
    );
    expect(ingest.code, ingest.err).toBe(0);

    const beta = await startBeta();
    expect(beta.indicators).toMatch(/1 report mailbox\(es\) read every 5 s/);
    const alpha = await startAlpha();
    expect(alpha.indicators).toMatch(/TLS-RPT of Alpha generated 0 min after each UTC day/);

    // A's schedule generated the day and its report went out through the outbox.
    const organisationId = await readStore(alphaDb, async (s) =>
      Number(
        (
          await s.db
            .selectFrom("organisations")
            .select("id")
            .where("name", "=", "Alpha")
            .executeTakeFirstOrThrow()
        ).id,
      ),
    );
    const sent = await waitFor("A's report mail sent", () =>
      readStore(alphaDb, async (s) => {
        const rows = await s.db.selectFrom("notify_outbox").selectAll().execute();
        return rows.length === 1 && rows[0]?.state === "sent" ? rows : null;
      }),
    );
    expect(sent.map((r) => [r.channel, r.destination, r.content_type])).toEqual([
      ["email", mailLoop.rua, "application/tlsrpt+gzip"],
    ]);
    const task = await readStore(alphaDb, async (s) =>
      (await IndicatorTasks.open(s)).get(generateKey(organisationId, day)),
    );
    expect(task).toMatchObject({ kind: "generate-tlsrpt", status: "done", attempts: 0 });
    expect(task?.detail).toMatchObject({
      sessions: recipients.length,
      reports: [{ policyDomain: mailLoop.betaDomain, rua: [`mailto:${mailLoop.rua}`] }],
    });

    // B's schedule read the mailbox, stored the report once and moved the mail.
    const reportId = reportIdFor("Alpha", day, mailLoop.betaDomain);
    const stored = await waitFor("B's stored report", () =>
      readStore(betaDb, async (s) => {
        const reports = await TlsRptStore.open(s);
        return (await reports.count()) > 0 ? reports.dailyPolicyFigures(day, day) : null;
      }),
    );
    expect(stored.map((f) => [f.organization, f.policyDomain, f.successful, f.failed])).toEqual([
      ["Alpha", mailLoop.betaDomain, recipients.length, 0],
    ]);
    const rows = await readStore(betaDb, async (s) => (await TlsRptStore.open(s)).list());
    expect(rows.map((r) => r.reportId)).toEqual([reportId]);
    await waitFor("the mail moved out of the inbox", async () => (await count("INBOX")) === 0);
    expect(await count("TLSRPT-processed")).toBe(1);

    // The mail as B received it: DKIM-signed by A's domain (verified against A's key), the RFC 8460
    // §5.3.1 shape, and both SMTP hops under TLS.
    const [mail] = await messages("TLSRPT-processed");
    const dkim = verifyDkim(mail ?? "", dkimPublic);
    expect(dkim.reason).toBe("valid");
    expect(dkim.tags).toMatchObject({ d: mailLoop.alphaDomain, s: "mc2026", a: "rsa-sha256" });
    expect(mail).toMatch(/^Subject: Report Domain: beta\.loop\.lab\.test Submitter: alpha\.loop\.lab\.test/m);
    expect(mail).toMatch(/^TLS-Report-Submitter: alpha\.loop\.lab\.test\r?$/m);
    expect(mail).toMatch(/report-type="tlsrpt"/);
    expect(mail).toMatch(/Content-Type: application\/tlsrpt\+gzip/);
    const relayed = alphaMta?.log() ?? "";
    expect(relayed).toMatch(/TLS connection established from [^\n]*TLSv1\.[23]/);
    expect(relayed).toMatch(
      /to=<tlsrpt@beta\.loop\.lab\.test>, relay=mx\.beta\.loop\.lab\.test\[127\.0\.21\.2\]:25,[^\n]*status=sent/,
    );
    expect(
      (relayed.match(/Verified TLS connection established to mx\.beta\.loop\.lab\.test/g) ?? []).length,
    ).toBe(recipients.length + 1);

    // Again: A forgets it generated the day (its schedule generates it anew) and B's mail is put back
    // in the inbox. Nothing is queued, sent or stored twice.
    await stop(alpha);
    await readStore(alphaDb, (s) => s.db.deleteFrom("indicator_tasks").execute());
    const fetchedBefore = await readStore(betaDb, async (s) =>
      (await IndicatorTasks.open(s)).get(fetchKey("reports")),
    );
    const client = await mailbox();
    try {
      const lock = await client.getMailboxLock("TLSRPT-processed");
      try {
        await client.messageCopy("1:*", "INBOX");
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    await startAlpha();
    await waitFor("A's day generated again", () =>
      readStore(alphaDb, async (s) =>
        (await IndicatorTasks.open(s))
          .get(generateKey(organisationId, day))
          .then((t) => t?.status === "done"),
      ),
    );
    const duplicate = await waitFor("B's next fetch of the mail put back", () =>
      readStore(betaDb, async (s) => {
        const t = await (await IndicatorTasks.open(s)).get(fetchKey("reports"));
        const detail = t?.detail as { duplicate?: number } | undefined;
        return t && t.updatedAt !== fetchedBefore?.updatedAt && detail?.duplicate === 1 ? t : null;
      }),
    );
    expect(duplicate.detail).toEqual({ accepted: 0, duplicate: 1, setAside: 0, left: 0 });
    expect(
      await readStore(alphaDb, (s) => s.db.selectFrom("notify_outbox").selectAll().execute()),
    ).toHaveLength(1);
    expect(await readStore(betaDb, async (s) => (await TlsRptStore.open(s)).count())).toBe(1);
    expect(await count("INBOX")).toBe(0);
    expect(await count("TLSRPT-processed")).toBe(2);
    // A's Postfix carried one report mail in all.
    expect((alphaMta?.log().match(/to=<tlsrpt@beta\.loop\.lab\.test>[^\n]*status=sent/g) ?? []).length).toBe(
      1,
    );
  });
});
