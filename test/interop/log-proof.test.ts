/**
 * The MTA-log indicators against real Postfix (charter art. 4.5): Postfix A (signatory "Alpha")
 * sends to Postfix B ("Peer") — first with B offering STARTTLS (verified TLS, A's policy requires it),
 * then with B no longer offering it (A defers), then with A's policy gone (A sends in clear). Both
 * logs are ingested; the figures equal what Postfix itself did, counted from its queue and from B's
 * own record of the messages it accepted. The real lines are also checked against the shapes the
 * parsers rely on (docs/mta-logs.md).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePostfixMessage } from "../../src/indicators/log/postfix-events.js";
import { parseSyslogLine } from "../../src/indicators/log/syslog-line.js";
import { YearInference } from "../../src/indicators/log/timestamp.js";
import { openStore } from "../../src/store/database.js";
import { cli } from "../support/cli.js";
import { issue, rootCa } from "../support/pki.js";
import { logProofAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const run = promisify(execFile);
const N = { verified: 4, deferred: 3, clear: 2 } as const;

let a: PostfixInstance;
let b: PostfixInstance;
let work: string;

const hosts = `127.0.0.1 localhost\n${logProofAddresses.sender} mx.alpha.lab.test\n${logProofAddresses.receiver} mx.peer.lab.test\n`;

/** Hands one message to A over SMTP (A relays for loopback clients). */
function submit(recipient: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: a.address, port: 25 });
    const script = [
      "EHLO client.lab.test",
      "MAIL FROM:<sender@alpha.lab.test>",
      `RCPT TO:<${recipient}>`,
      "DATA",
      `Subject: log proof\r\n\r\nhello ${recipient}\r\n.`,
      "QUIT",
    ];
    let buffer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP submission timed out")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      for (let m = /^(\d{3}) .*\r?\n/m.exec(buffer); m; m = /^(\d{3}) .*\r?\n/m.exec(buffer)) {
        buffer = buffer.slice(m.index + m[0].length);
        if (Number(m[1]) >= 400) return socket.destroy(new Error(`submission refused: ${m[0]}`));
        const next = script.shift();
        if (next === undefined) return socket.end();
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}\nA:\n${a.log().slice(-3000)}\nB:\n${b.log().slice(-2000)}`);
}

const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length;

/** Postfix's own view of its queue: the messages still there (postqueue -j, one JSON per line). */
async function queued(
  instance: PostfixInstance,
): Promise<{ queue_name: string; recipients: { delay_reason?: string }[] }[]> {
  const { stdout } = await run("postqueue", ["-c", instance.dir, "-j"]);
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mailcharter-log-proof-"));
  const ca = await rootCa("log proof CA");
  const cert = await issue(ca, "mx.peer.lab.test", { dnsNames: ["mx.peer.lab.test"] });
  b = await startPostfix({
    name: "logpeer",
    address: logProofAddresses.receiver,
    hostname: "mx.peer.lab.test",
    hosts,
    main: {
      mydestination: "peer.lab.test",
      local_recipient_maps: "",
      local_transport: "discard:",
      smtpd_tls_security_level: "may",
      smtp_host_lookup: "native",
    },
  });
  writeFileSync(join(b.dir, "cert.pem"), cert.pem);
  writeFileSync(join(b.dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  await b.postconf({
    smtpd_tls_cert_file: join(b.dir, "cert.pem"),
    smtpd_tls_key_file: join(b.dir, "key.pem"),
  });
  a = await startPostfix({
    name: "logalpha",
    address: logProofAddresses.sender,
    hostname: "mx.alpha.lab.test",
    hosts,
    main: {
      mydestination: "",
      smtp_host_lookup: "native",
      smtp_dns_support_level: "disabled",
      smtp_tls_security_level: "may",
      // One connection per message, so B's sessions are A's deliveries one for one.
      smtp_connection_cache_on_demand: "no",
      smtp_bind_address: logProofAddresses.sender,
    },
  });
  writeFileSync(join(a.dir, "ca.pem"), ca.pem);
  writeFileSync(join(a.dir, "transport"), "peer.lab.test smtp:[mx.peer.lab.test]:25\n");
  // Charter art. 4.4 toward Peer: a verified certificate for its MX name (the transport's next hop).
  writeFileSync(join(a.dir, "tls_policy"), "[mx.peer.lab.test]:25 secure match=mx.peer.lab.test\n");
  await a.postconf({
    smtp_tls_CAfile: join(a.dir, "ca.pem"),
    transport_maps: `texthash:${join(a.dir, "transport")}`,
    smtp_tls_policy_maps: `texthash:${join(a.dir, "tls_policy")}`,
  });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("MTA logs of two real Postfix instances", () => {
  it("exchange: verified, then deferred when B stops offering STARTTLS, then in clear without the policy", async () => {
    for (let i = 0; i < N.verified; i++) await submit(`v${i}@peer.lab.test`);
    await until(
      "the verified deliveries",
      () => count(a.log(), /to=<v\d@peer\.lab\.test>.*status=sent/) === N.verified,
    );
    await b.postconf({ smtpd_tls_security_level: "none" });
    for (let i = 0; i < N.deferred; i++) await submit(`d${i}@peer.lab.test`);
    await until(
      "the deferrals",
      () => count(a.log(), /to=<d\d@peer\.lab\.test>.*status=deferred/) === N.deferred,
    );
    await a.postconf({ smtp_tls_policy_maps: "" });
    for (let i = 0; i < N.clear; i++) await submit(`c${i}@peer.lab.test`);
    await until(
      "the deliveries in clear",
      () => count(a.log(), /to=<c\d@peer\.lab\.test>.*status=sent/) === N.clear,
    );
    // B's sessions are summarised at disconnect: wait for all of them.
    await until(
      "B's sessions",
      () => count(b.log(), /postfix\/smtpd\[\d+\]: disconnect from/) >= N.verified + N.deferred + N.clear,
    );
    // Postfix's own results: the deferred messages are in A's queue, with the reason; B accepted the others.
    const queue = await queued(a);
    expect(queue.filter((m) => m.queue_name === "deferred" || m.queue_name === "active")).toHaveLength(
      N.deferred,
    );
    for (const m of queue)
      expect(m.recipients[0]?.delay_reason ?? "").toMatch(/TLS is required, but was not offered/);
    expect(count(b.log(), /postfix\/smtpd\[\d+\]: [0-9A-Z]+: client=/)).toBe(N.verified + N.clear);
  });

  it("every TLS and delivery line of the real logs has the shape the parsers read", () => {
    // RECORD_LOG_FIXTURES=1 keeps these real logs as the unit tests' fixtures (test/unit/indicators).
    if (process.env.RECORD_LOG_FIXTURES === "1")
      for (const [instance, name] of [
        [a, "lab-postfix-sender.txt"],
        [b, "lab-postfix-receiver.txt"],
      ] as const)
        writeFileSync(join(import.meta.dirname, "..", "fixtures", "logs", name), instance.log());
    const years = new YearInference(new Date());
    let tls = 0;
    let deliveries = 0;
    for (const line of `${a.log()}${b.log()}`.split("\n").filter((l) => l !== "")) {
      const frame = parseSyslogLine(line, years);
      expect(frame, line).not.toBeNull();
      if (!frame) continue;
      const event = parsePostfixMessage(frame.service, frame.text);
      if (/TLS connection established/.test(line)) {
        expect(event.kind, line).toBe("tls");
        tls++;
      }
      if (/ to=<.*status=/.test(line) && frame.service === "smtp") {
        expect(event.kind, line).toBe("delivery");
        deliveries++;
      }
    }
    // A's verified deliveries (A logs "Verified … to"), B's Anonymous ones ("… from").
    expect(tls).toBe(2 * N.verified);
    expect(deliveries).toBe(N.verified + N.deferred + N.clear);
  });

  it("both logs ingested: the figures equal the deliveries exactly, per link", async () => {
    const db = join(work, "registry.sqlite");
    for (const [name, domain] of [
      ["Alpha", "alpha.lab.test=mx.alpha.lab.test"],
      ["Peer", "peer.lab.test=mx.peer.lab.test"],
    ] as const)
      expect(
        (
          await cli(
            "registry",
            "add",
            "--db",
            db,
            "--name",
            name,
            "--contact",
            `pm@${name.toLowerCase()}.lab.test`,
            "--adhesion",
            "2026-01-01",
            "--domain",
            domain,
          )
        ).code,
      ).toBe(0);
    const aLog = join(a.dir, "maillog");
    const bLog = join(b.dir, "maillog");
    const sender = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      aLog,
    );
    expect(sender.code, sender.err).toBe(0);
    expect(JSON.parse(sender.out)).toMatchObject({
      schema: "mailcharter/indicators-log/1",
      unparsed: 0,
      tls: { outbound: { verified: N.verified, trusted: 0, untrusted: 0, anonymous: 0, none: N.clear } },
      deliveries: { sent: N.verified + N.clear, deferred: N.deferred, bounced: 0 },
    });
    const receiver = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Peer",
      "--db",
      db,
      "--json",
      bLog,
    );
    expect(receiver.code, receiver.err).toBe(0);
    expect(JSON.parse(receiver.out)).toMatchObject({
      unparsed: 0,
      // A's client presents no certificate: B sees Anonymous TLS; the deferred attempts and the
      // messages in clear are sessions without TLS.
      tls: {
        inbound: { verified: 0, trusted: 0, untrusted: 0, anonymous: N.verified, none: N.deferred + N.clear },
      },
      deliveries: { sent: 0, deferred: 0, bounced: 0 },
    });
    const store = await openStore(db);
    try {
      const figures = await store.db
        .selectFrom("link_figures")
        .innerJoin("organisations as s", "s.id", "link_figures.sender_org_id")
        .innerJoin("organisations as r", "r.id", "link_figures.receiver_org_id")
        .select(["s.name as sender", "r.name as receiver", "source", "metric", "value", "count"])
        .where("metric", "in", ["class", "failure", "outcome"])
        .execute();
      const of = (source: string, metric: string) =>
        Object.fromEntries(
          figures
            .filter(
              (f) =>
                f.sender === "Alpha" && f.receiver === "Peer" && f.source === source && f.metric === metric,
            )
            .map((f) => [f.value, f.count]),
        );
      expect(of("sender-log", "outcome")).toEqual({ sent: N.verified + N.clear, deferred: N.deferred });
      expect(of("sender-log", "class")).toEqual({ verified: N.verified, none: N.clear + N.deferred });
      expect(of("sender-log", "failure")).toEqual({ "starttls-not-supported": N.deferred });
      expect(of("receiver-log", "class")).toEqual({ anonymous: N.verified, none: N.deferred + N.clear });
      // Ingesting again reads nothing new (at most a late housekeeping line) and adds no delivery.
      const again = await cli(
        "indicators",
        "ingest-log",
        "--format",
        "postfix",
        "--org",
        "Alpha",
        "--db",
        db,
        "--json",
        aLog,
      );
      expect(JSON.parse(again.out).deliveries).toEqual({ sent: 0, deferred: 0, bounced: 0 });
    } finally {
      await store.close();
    }
  });
});
