/**
 * The interop lab: real Postfix, Dovecot, nginx and Knot DNS from Debian, started on 127.0.10.x with
 * the standard ports, with certificates from a test CA made at start. `startLab` returns a handle whose
 * `stop` ends every server, also after a failure (callers use try/finally or vitest's teardown).
 * Needs root (ports below 1024) and the Debian packages installed by `.ci/run`.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { daysFromNow, type Issued, issue, rootCa, selfSigned } from "../../support/pki.js";
import { writeDkimKeys } from "./dkim-lab.js";
import { eximZoneLines, startEximLab } from "./exim-lab.js";
import { mailLoopZoneLines } from "./mail-loop-lab.js";
import { outboundZoneLines } from "./outbound-lab.js";
import { incidentAddresses, incidentE2eAddresses } from "./ports.js";
import { postfixBaseMaster } from "./postfix-instance.js";
import { dnsAddress, type Scenario, scenarios, zone } from "./scenarios.js";

const run = promisify(execFile);

/** The "good" scenario accepts exactly these TLS 1.2 suites (plus OpenSSL's three TLS 1.3 suites). */
export const strongCiphers =
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256";

export interface Lab {
  readonly dir: string;
  readonly rootCaFile: string;
  /** `--resolver` value for the lab's DNS server. */
  readonly resolver: string;
  /** A validating resolver (sets the AD bit for the signed lab zone). */
  readonly validatingResolver: string;
  readonly scenarios: readonly Scenario[];
  stop(): Promise<void>;
}

interface ScenarioFiles {
  readonly scenario: Scenario;
  /** Certificate file as served: leaf then the intermediates the scenario sends. */
  readonly certFile: string;
  readonly keyFile: string;
}

async function certificatesFor(
  scenario: Scenario,
  root: Issued,
  intermediate: Issued,
): Promise<{ leaf: Issued; chain: Issued[] }> {
  // The mail host, the webmail found by its conventional name, and the MTA-STS policy host.
  const names = [
    scenario.host,
    `webmail.${scenario.name}.${zone}`,
    `mta-sts.${scenario.name}.${zone}`,
    `autoconfig.${scenario.name}.${zone}`,
  ];
  switch (scenario.name) {
    case "expired":
      return {
        leaf: await issue(intermediate, scenario.host, {
          dnsNames: names,
          notBefore: daysFromNow(-100),
          notAfter: daysFromNow(-10),
        }),
        chain: [intermediate],
      };
    case "wronghost":
      return {
        leaf: await issue(intermediate, "other.example.test", { dnsNames: ["other.example.test"] }),
        chain: [intermediate],
      };
    case "nochain":
      return { leaf: await issue(intermediate, scenario.host, { dnsNames: names }), chain: [] };
    case "selfsigned":
      return { leaf: await selfSigned(scenario.host, names), chain: [] };
    default:
      void root;
      return { leaf: await issue(intermediate, scenario.host, { dnsNames: names }), chain: [intermediate] };
  }
}

const scenarioAddress = (name: string) => scenarios.find((s) => s.name === name)?.address ?? "127.0.10.1";

/** Territory for the lab (`--geo-file`): every scenario in France but the legacy one, in Germany. */
export const labGeo = `127.0.10.0/24,FR\n${scenarioAddress("legacy")}/32,DE\n`;

/** A webmail login page: form posting over HTTPS (relative action), session cookie with every flag. */
const loginPage = `<html><body><form action="/login" method="post"><input name="user"><input type="password" name="pass"></form></body></html>`;

/** Thunderbird autoconfig: TLS by default, except for the scenario without any TLS discipline. */
function autoconfigXml(scenario: Scenario): string {
  const [imapPort, smtpPort, socket] = scenario.starttls ? [993, 465, "SSL"] : [143, 587, "plain"];
  const host = `mail.${scenario.name}.${zone}`;
  return `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="${scenario.name}.${zone}"><domain>${scenario.name}.${zone}</domain><incomingServer type="imap"><hostname>${host}</hostname><port>${imapPort}</port><socketType>${socket}</socketType><authentication>password-cleartext</authentication></incomingServer><outgoingServer type="smtp"><hostname>${host}</hostname><port>${smtpPort}</port><socketType>${socket}</socketType><authentication>password-cleartext</authentication></outgoingServer></emailProvider></clientConfig>`;
}

/** SHA-256 of a certificate's SubjectPublicKeyInfo: the data of a "3 1 1" TLSA record. */
const spkiSha256 = (pem: string) =>
  createHash("sha256")
    .update(new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");

function zoneFile(tlsa: ReadonlyMap<string, string>): string {
  const lines = [
    `$ORIGIN ${zone}.`,
    "$TTL 300",
    `@ SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 300`,
    `@ NS ns.${zone}.`,
    `ns A ${dnsAddress}`,
  ];
  for (const s of scenarios) {
    const host = `mail.${s.name}.${zone}.`;
    lines.push(
      `mail.${s.name} A ${s.address}`,
      `webmail.${s.name} A ${s.address}`,
      `autoconfig.${s.name} A ${s.address}`,
      `${s.name} MX 10 ${host}`,
    );
    // RFC 6186 / RFC 8314 service records for the access services the scenario has.
    lines.push(
      `_submissions._tcp.${s.name} SRV 0 1 465 ${host}`,
      `_submission._tcp.${s.name} SRV 0 1 587 ${host}`,
    );
    if (s.dovecot) {
      lines.push(`_imaps._tcp.${s.name} SRV 0 1 993 ${host}`, `_imap._tcp.${s.name} SRV 0 1 143 ${host}`);
      lines.push(`_pop3s._tcp.${s.name} SRV 0 1 995 ${host}`, `_pop3._tcp.${s.name} SRV 0 1 110 ${host}`);
    }
  }
  // The good domain publishes every policy record (SPF, DMARC, TLS-RPT, MTA-STS).
  lines.push(
    `good TXT "v=spf1 mx -all"`,
    `_dmarc.good TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.${zone}"`,
    `_smtp._tls.good TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.${zone}"`,
    `_mta-sts.good TXT "v=STSv1; id=20261129;"`,
    `mta-sts.good A ${scenarioAddress("good")}`,
  );
  // DANE (RFC 7672): the good MX publishes its key; the expired one publishes a key it does not use.
  for (const [name, data] of tlsa) lines.push(`_25._tcp.mail.${name} TLSA 3 1 1 ${data}`);
  // The domain served with the generated hardened configurations (test/interop/hardened.test.ts).
  const hardened = `mail.hardened.${zone}.`;
  lines.push(`hardened MX 10 ${hardened}`, `mail.hardened A 127.0.10.80`, `webmail.hardened A 127.0.10.80`);
  for (const [label, port] of [
    ["_submissions", 465],
    ["_submission", 587],
    ["_imaps", 993],
    ["_imap", 143],
    ["_pop3s", 995],
    ["_pop3", 110],
  ] as const) {
    lines.push(`${label}._tcp.hardened SRV 0 1 ${port} ${hardened}`);
  }
  // The receiving signatory of the delivery proof (test/interop/delivery.test.ts).
  lines.push(`peer MX 10 mx.peer.${zone}.`, `mx.peer A 127.0.10.71`);
  // Exim (GnuTLS): its MX domains and the Exim delivery proof's receiver (test/interop/lab/exim-lab.ts).
  lines.push(...eximZoneLines());
  // The monitoring proof's MX hosts (test/interop/incidents.test.ts).
  for (const [name, address] of Object.entries(incidentAddresses))
    lines.push(`${name} MX 10 mx.${name}.${zone}.`, `mx.${name} A ${address}`);
  // The incident notice end to end's watched MX (test/interop/incident-e2e.test.ts).
  lines.push(`e2e MX 10 mx.e2e.${zone}.`, `mx.e2e A ${incidentE2eAddresses.mx}`);
  // The outbound STARTTLS test's variant domains and their MX (test/interop/lab/outbound-lab.ts).
  lines.push(...outboundZoneLines());
  // The TLS-RPT mail loop's domains, MX and rua (test/interop/lab/mail-loop-lab.ts).
  lines.push(...mailLoopZoneLines());
  // A domain with one good and one bad MX.
  lines.push(`mixed MX 10 mail.good.${zone}.`, `mixed MX 20 mail.expired.${zone}.`);
  return `${lines.join("\n")}\n`;
}

function knotConfig(dir: string): string {
  return `server:
    rundir: "${dir}"
    listen: ${dnsAddress}@53
database:
    storage: "${dir}/db"
    kasp-db: "${dir}/keys"
policy:
  - id: lab
    algorithm: ecdsap256sha256
    single-type-signing: on
log:
  - target: "${dir}/knot.log"
    any: info
zone:
  - domain: ${zone}
    storage: "${dir}"
    file: "${zone}.zone"
    zonefile-load: whole
    journal-content: changes
    dnssec-signing: on
    dnssec-policy: lab
`;
}

function postfixMain(dir: string, good: ScenarioFiles): string {
  return `compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
mail_owner = postfix
myhostname = mail.good.${zone}
mydomain = ${zone}
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = ${dir}/maillog
# Postfix refuses log files outside these prefixes, and fails silently when it cannot log.
maillog_file_prefixes = ${dir}
smtpd_tls_cert_file = ${good.certFile}
smtpd_tls_key_file = ${good.keyFile}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_banner = $myhostname ESMTP mailcharter-lab
`;
}

const smtpdLine = (addr: string, port: number, options: readonly string[]) =>
  `${addr}:${port} inet n - n - - smtpd\n${options.map((o) => `  -o ${o}\n`).join("")}`;

function postfixMaster(files: readonly ScenarioFiles[]): string {
  const base = postfixBaseMaster;
  const services = files.flatMap(({ scenario, certFile, keyFile }) => {
    const cert = [
      `smtpd_tls_cert_file=${certFile}`,
      `smtpd_tls_key_file=${keyFile}`,
      `myhostname=${scenario.host}`,
    ];
    const level = scenario.starttls ? "may" : "none";
    const strong =
      scenario.name === "good"
        ? [
            "smtpd_tls_protocols=>=TLSv1.2",
            "smtpd_tls_mandatory_protocols=>=TLSv1.2",
            "smtpd_tls_ciphers=high",
            "smtpd_tls_mandatory_ciphers=high",
            `tls_high_cipherlist=${strongCiphers}`,
          ]
        : [];
    const legacy =
      scenario.maxVersion === "TLSv1"
        ? [
            "smtpd_tls_protocols=>=TLSv1,<=TLSv1",
            "smtpd_tls_mandatory_protocols=>=TLSv1,<=TLSv1",
            "smtpd_tls_ciphers=high",
            "smtpd_tls_mandatory_ciphers=high",
            "tls_high_cipherlist=AES128-SHA:AES256-SHA:@SECLEVEL=0",
          ]
        : [];
    return [
      smtpdLine(scenario.address, 25, [...cert, ...strong, ...legacy, `smtpd_tls_security_level=${level}`]),
      smtpdLine(scenario.address, 587, [
        ...cert,
        ...strong,
        ...legacy,
        `smtpd_tls_security_level=${scenario.starttls ? "encrypt" : "none"}`,
      ]),
      smtpdLine(scenario.address, 465, [
        ...cert,
        ...strong,
        ...legacy,
        "smtpd_tls_wrappermode=yes",
        "smtpd_tls_security_level=encrypt",
      ]),
    ];
  });
  return base + services.join("");
}

/** What every lab Dovecot instance shares: paths, static users (no mail is ever read), stats socket. */
export function dovecotCommon(dir: string, instance: string): string {
  return `base_dir = ${dir}/run
instance_name = ${instance}
protocols = imap pop3
listen = *
log_path = ${dir}/dovecot.log
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = static
  args = password=lab-only
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/mail/%u
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
}

/** Listeners of one protocol: plaintext/STARTTLS port, and the implicit-TLS port when `tls`. */
function dovecotListeners(service: "imap" | "pop3", addresses: string, tls: boolean): string {
  const [plain, secure] = service === "imap" ? [143, 993] : [110, 995];
  const implicit = tls ? `    address = ${addresses}\n    port = ${secure}\n    ssl = yes` : "    port = 0";
  return `service ${service}-login {
  inet_listener ${service} {
    address = ${addresses}
    port = ${plain}
  }
  inet_listener ${service}s {
${implicit}
  }
}
`;
}

function dovecotConfig(dir: string, files: readonly ScenarioFiles[]): string {
  const served = files.filter((f) => f.scenario.dovecot);
  const good = served.find((f) => f.scenario.name === "good") ?? served[0];
  if (!good) throw new Error("lab: no Dovecot scenario");
  const addresses = served.map((f) => f.scenario.address).join(" ");
  const locals = served
    .map(
      (f) =>
        `local ${f.scenario.address} {\n  ssl_cert = <${f.certFile}\n  ssl_key = <${f.keyFile}\n${
          f.scenario.plainLogin ? "  disable_plaintext_auth = no\n" : ""
        }}\n`,
    )
    .join("");
  return `${dovecotCommon(dir, "mclab")}ssl = yes
ssl_cert = <${good.certFile}
ssl_key = <${good.keyFile}
ssl_min_protocol = TLSv1.2
ssl_cipher_list = ${strongCiphers}
ssl_dh = <${dir}/dh.pem
disable_plaintext_auth = yes
${dovecotListeners("imap", addresses, true)}${dovecotListeners("pop3", addresses, true)}${locals}`;
}

function nginxConfig(dir: string, files: readonly ScenarioFiles[]): string {
  const servers = files.map(({ scenario, certFile, keyFile }) => {
    const legacy = scenario.maxVersion === "TLSv1";
    return `  server {
    listen ${scenario.address}:443 ssl;
    server_name ${scenario.host};
    ssl_certificate ${certFile};
    ssl_certificate_key ${keyFile};
    ssl_protocols ${legacy ? "TLSv1" : "TLSv1.2 TLSv1.3"};
    ssl_ciphers ${legacy ? "AES128-SHA:AES256-SHA:@SECLEVEL=0" : scenario.name === "good" ? strongCiphers : "HIGH:!aNULL:!kRSA"};
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header X-Frame-Options DENY always;
    location = /mail/config-v1.1.xml {
      default_type application/xml;
      return 200 '${autoconfigXml(scenario)}';
    }
    location = /.well-known/mta-sts.txt {
      default_type text/plain;
      return 200 "version: STSv1\\nmode: enforce\\nmx: mail.${scenario.name}.${zone}\\nmax_age: 86400\\n";
    }
    location / {
      default_type text/html;
      add_header Set-Cookie "SID=lab${scenario.name}; Path=/; Secure; HttpOnly; SameSite=Lax" always;
      add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
      add_header X-Frame-Options DENY always;
      return 200 '${loginPage}';
    }
  }
  server {
    listen ${scenario.address}:80;
    server_name ${scenario.host};
${
  scenario.starttls
    ? `    return 301 https://$host$request_uri;`
    : `    # No TLS discipline at all: the webmail login is served over plain HTTP.
    location / { default_type text/html; add_header Set-Cookie "SID=plain; Path=/" always; return 200 '${loginPage}'; }`
}
  }
`;
  });
  return `daemon on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${servers.join("")}}
`;
}

/**
 * Starts a command that daemonizes. Its output goes to a file, never to a pipe: a daemon that keeps
 * the pipe open would make us wait for it forever (docs/lab-notes.md, note 7). Resolves when the command exits.
 */
async function daemon(logFile: string, command: string, args: readonly string[]): Promise<void> {
  const fd = openSync(logFile, "a");
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, [...args], { stdio: ["ignore", fd, fd] });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.once("error", reject);
      child.once("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0) {
      throw new Error(
        `lab: ${command} ${args.join(" ")} exited with ${code}: ${readFileSync(logFile, "utf8").slice(-2000)}`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

const validatingAddress = "127.0.10.54";

/** The lab zone's key-signing key, once Knot has signed the zone. */
async function waitForDnskey(): Promise<string> {
  for (let i = 0; i < 50; i++) {
    try {
      const { stdout } = await run("kdig", [`@${dnsAddress}`, zone, "DNSKEY", "+short"], { timeout: 5000 });
      const ksk = stdout.split("\n").find((l) => l.startsWith("257 "));
      if (ksk) return ksk.trim();
    } catch {
      // not yet answering
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("lab: Knot did not publish a DNSKEY for the zone");
}

function unboundConfig(dir: string): string {
  return `server:
  interface: ${validatingAddress}
  port: 53
  do-daemonize: yes
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  logfile: "${dir}/unbound.log"
  use-syslog: no
  access-control: 127.0.0.0/8 allow
  # Only loopback: Unbound can reach Knot and nothing else.
  outgoing-interface: ${validatingAddress}
  do-not-query-localhost: no
  local-zone: "test." nodefault
  module-config: "validator iterator"
  trust-anchor-file: "${dir}/lab.key"
  val-permissive-mode: no
  cache-max-ttl: 1
remote-control:
  control-enable: no
stub-zone:
  name: "${zone}"
  stub-addr: ${dnsAddress}
`;
}

async function quietly(command: string, args: readonly string[]): Promise<void> {
  // Stopping a server that did not start is not an error; output is not kept.
  await new Promise<void>((resolve) => {
    const child = spawn(command, [...args], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", () => resolve());
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitForPort(address: string, port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import("node:net");
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until)
      throw new Error(`lab: nothing listens on ${address}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startLab(): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-lab-"));
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(stops.map((s) => s()));
    stops.length = 0;
    if (!process.env.MAILCHARTER_LAB_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const root = await rootCa("mailcharter lab root");
    const intermediate = await issue(root, "mailcharter lab intermediate", {
      ca: true,
      notAfter: daysFromNow(1800),
    });
    const rootCaFile = join(dir, "root-ca.pem");
    writeFileSync(rootCaFile, root.pem);
    const files: ScenarioFiles[] = [];
    const tlsa = new Map<string, string>();
    for (const scenario of scenarios) {
      const { leaf, chain } = await certificatesFor(scenario, root, intermediate);
      if (scenario.name === "good") tlsa.set("good", spkiSha256(leaf.pem));
      if (scenario.name === "expired") tlsa.set("expired", spkiSha256(root.pem));
      const certFile = join(dir, `${scenario.name}.crt`);
      const keyFile = join(dir, `${scenario.name}.key`);
      writeFileSync(certFile, [leaf.pem, ...chain.map((c) => c.pem)].join("\n"));
      writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });
      files.push({ scenario, certFile, keyFile });
    }
    const good = files[0];
    if (!good) throw new Error("lab: no scenario");

    // DNS: Knot serving lab.test.
    const dnsDir = join(dir, "knot");
    mkdirSync(join(dnsDir, "db"), { recursive: true });
    // DKIM keys for test/interop/dkim-verify.test.ts (test/interop/lab/dkim-lab.ts).
    const dkimLines = writeDkimKeys(join(dir, "dkim"));
    writeFileSync(join(dnsDir, `${zone}.zone`), `${zoneFile(tlsa)}${dkimLines.join("\n")}\n`);
    writeFileSync(join(dnsDir, "knot.conf"), knotConfig(dnsDir));
    await daemon(join(dir, "start.log"), "knotd", ["-c", join(dnsDir, "knot.conf"), "-d"]);
    stops.push(() => quietly("knotc", ["-c", join(dnsDir, "knot.conf"), "stop"]));

    // A validating resolver (Unbound) in front of Knot, trusting the lab zone's key: the AD bit.
    const unboundDir = join(dir, "unbound");
    mkdirSync(unboundDir, { recursive: true });
    const dnskey = await waitForDnskey();
    writeFileSync(join(unboundDir, "lab.key"), `${zone}. IN DNSKEY ${dnskey}\n`);
    writeFileSync(join(unboundDir, "unbound.conf"), unboundConfig(unboundDir));
    await daemon(join(dir, "start.log"), "unbound", ["-c", join(unboundDir, "unbound.conf")]);
    stops.push(() => quietly("kill", [readFileSync(join(unboundDir, "unbound.pid"), "utf8").trim()]));

    // Postfix: one instance, one smtpd service per scenario address and port.
    const postfixDir = join(dir, "postfix");
    mkdirSync(join(postfixDir, "data"), { recursive: true });
    mkdirSync(join(postfixDir, "spool"), { recursive: true });
    await run("chown", ["postfix", join(postfixDir, "data")]);
    writeFileSync(join(postfixDir, "main.cf"), postfixMain(postfixDir, good));
    writeFileSync(join(postfixDir, "master.cf"), postfixMaster(files));
    await daemon(join(dir, "start.log"), "postfix", ["-c", postfixDir, "start"]);
    stops.push(() => quietly("postfix", ["-c", postfixDir, "stop"]));

    // Dovecot: IMAP and POP3 with per-address certificates.
    const dovecotDir = join(dir, "dovecot");
    mkdirSync(join(dovecotDir, "mail"), { recursive: true });
    // RFC 7919 ffdhe2048: a named group, so no slow parameter generation.
    await run("openssl", [
      "genpkey",
      "-genparam",
      "-algorithm",
      "DH",
      "-pkeyopt",
      "group:ffdhe2048",
      "-out",
      join(dovecotDir, "dh.pem"),
    ]);
    const plainOnly = files.filter((f) => f.scenario.dovecot && !f.scenario.starttls);
    const dovecotFiles = files.filter((f) => f.scenario.dovecot && f.scenario.starttls);
    writeFileSync(join(dovecotDir, "dovecot.conf"), dovecotConfig(dovecotDir, dovecotFiles));
    await daemon(join(dir, "start.log"), "dovecot", ["-c", join(dovecotDir, "dovecot.conf")]);
    stops.push(() => quietly("dovecot", ["-c", join(dovecotDir, "dovecot.conf"), "stop"]));
    // A second Dovecot without TLS for the no-STARTTLS scenario (ssl cannot differ per listener).
    if (plainOnly.length > 0) {
      const plainDir = join(dir, "dovecot-plain");
      mkdirSync(join(plainDir, "mail"), { recursive: true });
      writeFileSync(join(plainDir, "dovecot.conf"), dovecotPlainConfig(plainDir, plainOnly));
      await daemon(join(dir, "start.log"), "dovecot", ["-c", join(plainDir, "dovecot.conf")]);
      stops.push(() => quietly("dovecot", ["-c", join(plainDir, "dovecot.conf"), "stop"]));
    }

    // nginx: HTTPS on 443 and a redirect on 80 per scenario.
    const nginxDir = join(dir, "nginx");
    mkdirSync(join(nginxDir, "tmp"), { recursive: true });
    writeFileSync(join(nginxDir, "nginx.conf"), nginxConfig(nginxDir, files));
    await daemon(join(dir, "start.log"), "nginx", ["-c", join(nginxDir, "nginx.conf"), "-p", nginxDir]);
    stops.push(() => quietly("nginx", ["-c", join(nginxDir, "nginx.conf"), "-p", nginxDir, "-s", "stop"]));

    // Exim, unpacked beside Postfix (test/interop/lab/exim-lab.ts).
    stops.push(...(await startEximLab(dir, intermediate)));

    for (const f of files) {
      await waitForPort(f.scenario.address, 25, 15_000);
      await waitForPort(f.scenario.address, 443, 15_000);
      if (f.scenario.dovecot) await waitForPort(f.scenario.address, 143, 15_000);
    }
    return {
      dir,
      rootCaFile,
      resolver: `${dnsAddress}:53`,
      validatingResolver: `${validatingAddress}:53`,
      scenarios,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Dovecot for addresses without any TLS: IMAP 143 and POP3 110 in plaintext only. */
function dovecotPlainConfig(dir: string, files: readonly ScenarioFiles[]): string {
  const addresses = files.map((f) => f.scenario.address).join(" ");
  return `${dovecotCommon(dir, "mclab-plain")}ssl = no
disable_plaintext_auth = no
${dovecotListeners("imap", addresses, false)}${dovecotListeners("pop3", addresses, false)}`;
}
