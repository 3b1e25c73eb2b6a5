/**
 * The MTA-log indicators against a real Exim (charter art. 4.5), like log-proof.test.ts for Postfix:
 * Exim 4 (GnuTLS) on 127.0.22.1 sends to three real Postfix receivers — one offering STARTTLS with a
 * certificate Exim verifies, one offering no STARTTLS, one that answers some recipients 450 (Exim
 * defers) and one 550 (Exim bounces). Its real mainlog is then read by `indicators ingest-log
 * --format exim --json`, and every figure equals what happened, counted by other means: the
 * receivers' own logs (messages accepted, over TLS or not; recipients refused 450 or 550), Exim's
 * queue (`exim -bp`: the deferred recipients still there) and eximstats (Exim's own log analyser,
 * deliveries per destination host) — and what the test itself sent.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogSummary } from "../../src/indicators/log/summary.js";
import { logSummarySchema } from "../../src/indicators/log/summary-schema.js";
import { issue, rootCa } from "../support/pki.js";
import { type EximInstance, eximRoot, startExim } from "./lab/exim-instance.js";
import { submitMessage } from "./lab/exim-submit.js";
import { eximLogProofAddresses as at } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const run = promisify(execFile);
const domain = {
  tls: "tls.eximlog.lab.test",
  clear: "clear.eximlog.lab.test",
  failing: "fail.eximlog.lab.test",
};
const mx = { tls: `mx.${domain.tls}`, clear: `mx.${domain.clear}`, failing: `mx.${domain.failing}` };
const sent = {
  tls: ["a", "b", "c"].map((u) => `${u}@${domain.tls}`),
  clear: ["d", "e"].map((u) => `${u}@${domain.clear}`),
  deferred: ["busy", "later"].map((u) => `${u}@${domain.failing}`),
  bounced: [`nobody@${domain.failing}`],
};
const everyone = [...sent.tls, ...sent.clear, ...sent.deferred, ...sent.bounced];

let exim: EximInstance;
let receivers: { tls: PostfixInstance; clear: PostfixInstance; failing: PostfixInstance };
const work = mkdtempSync(join(tmpdir(), "mailcharter-exim-log-proof-"));

const eximConfig = `primary_hostname = mx.alpha.eximlog.lab.test
tls_advertise_hosts = :
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept hosts = 127.0.0.0/8
  deny message = relay not permitted

begin routers
peers:
  driver = manualroute
  domains = ${domain.tls} : ${domain.clear} : ${domain.failing}
  route_list = ${domain.tls} ${mx.tls} byname ; ${domain.clear} ${mx.clear} byname ; ${domain.failing} ${mx.failing} byname
  transport = remote_smtp
  no_more

begin transports
remote_smtp:
  driver = smtp
  interface = ${at.sender}
  connect_timeout = 5s
  tls_verify_certificates = system
  tls_verify_hosts = ${mx.tls}
  hosts_require_tls = ${mx.tls}

begin retry
# The deferred recipients are tried again after a minute at the earliest.
* * F,1h,1m
`;

const receiverMain = (name: keyof typeof domain) => ({
  mydestination: domain[name],
  local_recipient_maps: "",
  local_transport: "discard:",
});

/** Exim's line for a recipient: delivered (=>), deferred (==) or bounced (**). */
const outcomeLine = (to: string) => new RegExp(`^.* (=>|==|\\*\\*) ${to.replace(/\./g, "\\.")} `, "m");

async function waitFor(test: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}:\n${exim.mainlog().slice(-3000)}${exim.paniclog()}`);
}

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern, "gm")) ?? []).length;

beforeAll(async () => {
  const ca = await rootCa("exim log proof CA");
  const cert = await issue(ca, mx.tls, { dnsNames: [mx.tls] });
  const tls = await startPostfix({
    name: "eximlog-tls",
    address: at.tls,
    hostname: mx.tls,
    main: { ...receiverMain("tls"), smtpd_tls_security_level: "may" },
  });
  writeFileSync(join(tls.dir, "cert.pem"), cert.pem);
  writeFileSync(join(tls.dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  await tls.postconf({
    smtpd_tls_cert_file: join(tls.dir, "cert.pem"),
    smtpd_tls_key_file: join(tls.dir, "key.pem"),
  });
  const clear = await startPostfix({
    name: "eximlog-clear",
    address: at.clear,
    hostname: mx.clear,
    main: { ...receiverMain("clear"), smtpd_tls_security_level: "none" },
  });
  const failing = await startPostfix({
    name: "eximlog-failing",
    address: at.failing,
    hostname: mx.failing,
    main: { ...receiverMain("failing"), smtpd_tls_security_level: "none" },
  });
  writeFileSync(
    join(failing.dir, "access"),
    [
      ...sent.deferred.map((r) => `${r} 450 4.2.1 mailbox busy, try again later`),
      ...sent.bounced.map((r) => `${r} 550 5.1.1 no such user here`),
    ].join("\n"),
  );
  await failing.postconf({
    smtpd_recipient_restrictions: `check_recipient_access texthash:${join(failing.dir, "access")}, permit_mynetworks, reject`,
  });
  receivers = { tls, clear, failing };
  const caFile = join(work, "ca.pem");
  writeFileSync(caFile, ca.pem);
  exim = await startExim({
    name: "eximlog",
    address: at.sender,
    ports: [25],
    systemTrust: caFile,
    hosts: `127.0.0.1 localhost\n${at.tls} ${mx.tls}\n${at.clear} ${mx.clear}\n${at.failing} ${mx.failing}\n`,
    config: () => eximConfig,
  });
}, 180_000);

afterAll(async () => {
  await exim?.stop();
  await receivers?.tls.stop();
  await receivers?.clear.stop();
  await receivers?.failing.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("indicators from a real Exim's mainlog", () => {
  it("the figures equal what Exim did, by the receivers' logs, Exim's queue and eximstats", async () => {
    for (const to of everyone) {
      await submitMessage({
        address: at.sender,
        localAddress: at.client,
        from: "sender@alpha.eximlog.lab.test",
        to,
      });
      await waitFor(() => outcomeLine(to).test(exim.mainlog()), `Exim's outcome for ${to}`);
    }
    // Exim goes on writing (the bounce of the bounced message): the proof reads one copy of it.
    const mainlogFile = join(work, "mainlog");
    copyFileSync(join(exim.dir, "log", "mainlog"), mainlogFile);
    const mainlog = readFileSync(mainlogFile, "utf8");

    // What Exim logged, line by line, has the shapes the parser reads (docs/mta-logs.md).
    for (const to of sent.tls)
      expect(mainlog).toMatch(
        new RegExp(
          `=> ${to.replace(/\./g, "\\.")} R=peers T=remote_smtp H=${mx.tls.replace(/\./g, "\\.")} \\[${at.tls.replace(/\./g, "\\.")}\\](?::25)? X=TLS1\\.[23]:\\S+ CV=yes`,
        ),
      );

    const ingest = await cli([
      "indicators",
      "ingest-log",
      "--format",
      "exim",
      "--json",
      "--db",
      join(work, "ingest.sqlite"),
      mainlogFile,
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const summary: LogSummary = logSummarySchema.parse(JSON.parse(ingest.stdout)) as LogSummary;

    // The receivers' own record.
    const tlsLog = receivers.tls.log();
    const clearLog = receivers.clear.log();
    const failingLog = receivers.failing.log();
    const accepted = (log: string) => count(log, /postfix\/cleanup\[\d+\]: \w+: message-id=/);
    const tlsSessions = count(
      tlsLog,
      new RegExp(
        `postfix/smtpd\\[\\d+\\]: \\w+ TLS connection established from \\S*\\[${at.sender.replace(/\./g, "\\.")}\\]`,
      ),
    );
    const refused = (code: string) =>
      count(failingLog, new RegExp(`NOQUEUE: reject: RCPT from \\S+: ${code} `));
    expect(accepted(tlsLog)).toBe(sent.tls.length);
    expect(tlsSessions).toBe(sent.tls.length);
    expect(accepted(clearLog)).toBe(sent.clear.length);
    expect(count(clearLog, /TLS connection established/)).toBe(0);
    expect(accepted(failingLog)).toBe(0);

    // eximstats: deliveries per destination host.
    const stats = (
      await run("perl", [
        join(eximRoot, "usr/sbin/eximstats"),
        "-nr",
        "-nt",
        "-ne",
        "-h0",
        "-txt",
        mainlogFile,
      ])
    ).stdout;
    const delivered = (host: string) => {
      const row = new RegExp(
        `^\\s+(\\d+)\\s+(\\d+)\\s+\\S+\\s+\\S+\\s+${host.replace(/\./g, "\\.")}$`,
        "m",
      ).exec(stats.split("Top 50 host destinations by message count")[1] ?? "");
      return row ? Number(row[2]) : 0;
    };

    // Exim's queue: the deferred recipients wait there; the others are gone (delivered or bounced).
    const queue = await exim.queue();

    expect(summary).toEqual({
      schema: "mailcharter/indicators-log/1",
      lines: count(mainlog, /\n/),
      unparsed: 0,
      tls: {
        outbound: {
          verified: tlsSessions,
          trusted: 0,
          untrusted: 0,
          anonymous: 0,
          none: accepted(clearLog),
        },
        // Every submission came in over plain SMTP from the test's client (127.0.22.10).
        inbound: { verified: 0, trusted: 0, untrusted: 0, anonymous: 0, none: everyone.length },
      },
      deliveries: {
        sent: delivered(mx.tls) + delivered(mx.clear),
        // Every attempt Exim deferred is one the receiver refused with a 450 (and the other way round).
        deferred: refused("450"),
        bounced: refused("550"),
      },
    });
    expect(summary.deliveries).toMatchObject({
      sent: sent.tls.length + sent.clear.length,
      bounced: sent.bounced.length,
    });
    expect(summary.deliveries.deferred).toBeGreaterThanOrEqual(sent.deferred.length);
    for (const to of sent.deferred) expect(queue).toContain(to);
    for (const to of [...sent.tls, ...sent.clear, ...sent.bounced]) expect(queue).not.toContain(to);
  });
});
