/**
 * TLS-RPT out from real logs: a real Postfix (the sender) delivers to a receiver that offers STARTTLS
 * with a certificate it verifies, and to one that offers no STARTTLS; its log is ingested with
 * `indicators ingest-log`, `tlsrpt generate` builds one report per recipient domain whose figures equal
 * the deliveries, and each report is received by the other side's `serve` on POST /tlsrpt and is valid.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDocumentSchema } from "../../src/indicators/tlsrpt/generate-document.js";
import { tlsRptReportSchema } from "../../src/indicators/tlsrpt/report-schema.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { openStore } from "../../src/store/database.js";
import { issue, rootCa } from "../support/pki.js";
import { tlsrptAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-out-"));
const db = join(dir, "alpha.sqlite");
const other = join(dir, "other");
const out = join(dir, "reports");
let sender: PostfixInstance | null = null;
let tlsReceiver: PostfixInstance | null = null;
let clearReceiver: PostfixInstance | null = null;
let otherServe: ChildProcess | null = null;

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

async function waitFor(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}:\n${sender?.log().slice(-3000)}`);
}

function startServe(): Promise<ChildProcess> {
  mkdirSync(other, { recursive: true });
  const proc = spawn(
    "node",
    [
      "dist/cli/main.js",
      "serve",
      "--db",
      join(other, "s.sqlite"),
      "--data-dir",
      other,
      "--listen",
      `${tlsrptAddresses.otherServe}:443`,
      "--no-scheduler",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${text}`)), 30_000);
    const failed = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${text}`));
    };
    const ready = (chunk: Buffer) => {
      text += chunk.toString();
      if (!(/no account yet|scheduler/.test(text) && /data directory/.test(text))) return;
      proc.off("exit", failed);
      clearTimeout(timer);
      setTimeout(() => resolve(proc), 100);
    };
    proc.stdout?.on("data", ready);
    proc.stderr?.on("data", () => {});
    proc.once("exit", failed);
  });
}

function post(body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: tlsrptAddresses.otherServe,
        port: 443,
        path: "/tlsrpt",
        method: "POST",
        headers: { "content-type": "application/tlsrpt+gzip", "content-length": String(body.length) },
        ca: readFileSync(join(other, "tls-cert.pem"), "utf8"),
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  const ca = await rootCa("tlsrpt out CA");
  const cert = await issue(ca, "mx.peer.tlsrpt.lab.test", { dnsNames: ["mx.peer.tlsrpt.lab.test"] });
  const receiver = {
    mydestination: "peer.tlsrpt.lab.test clear.tlsrpt.lab.test",
    local_recipient_maps: "",
    local_transport: "discard:",
  };
  tlsReceiver = await startPostfix({
    name: "tlsrpt-rtls",
    address: tlsrptAddresses.receiverTls,
    hostname: "mx.peer.tlsrpt.lab.test",
    main: { ...receiver, smtpd_tls_security_level: "may" },
  });
  writeFileSync(join(tlsReceiver.dir, "cert.pem"), cert.pem);
  writeFileSync(join(tlsReceiver.dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  await tlsReceiver.postconf({
    smtpd_tls_cert_file: join(tlsReceiver.dir, "cert.pem"),
    smtpd_tls_key_file: join(tlsReceiver.dir, "key.pem"),
  });
  clearReceiver = await startPostfix({
    name: "tlsrpt-rclear",
    address: tlsrptAddresses.receiverClear,
    hostname: "mx.clear.tlsrpt.lab.test",
    main: { ...receiver, smtpd_tls_security_level: "none" },
  });
  sender = await startPostfix({
    name: "tlsrpt-sender",
    address: tlsrptAddresses.sender,
    hostname: "mx.alpha.tlsrpt.lab.test",
    main: { mydestination: "", smtp_tls_security_level: "may", smtp_host_lookup: "native" },
  });
  writeFileSync(join(sender.dir, "ca.pem"), ca.pem);
  writeFileSync(
    join(sender.dir, "transport"),
    `peer.tlsrpt.lab.test smtp:[${tlsrptAddresses.receiverTls}]:25\nclear.tlsrpt.lab.test smtp:[${tlsrptAddresses.receiverClear}]:25\n`,
  );
  writeFileSync(
    join(sender.dir, "tls_policy"),
    `[${tlsrptAddresses.receiverTls}]:25 verify match=mx.peer.tlsrpt.lab.test\n`,
  );
  await sender.postconf({
    smtp_tls_CAfile: join(sender.dir, "ca.pem"),
    transport_maps: `texthash:${join(sender.dir, "transport")}`,
    smtp_tls_policy_maps: `texthash:${join(sender.dir, "tls_policy")}`,
  });
  mkdirSync(out);
}, 120_000);

afterAll(async () => {
  if (otherServe && otherServe.exitCode === null) {
    const proc = otherServe;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  }
  await sender?.stop();
  await tlsReceiver?.stop();
  await clearReceiver?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("TLS-RPT out from a real Postfix's log", () => {
  it("reports per recipient domain equal the deliveries, and the other side's POST /tlsrpt takes them", async () => {
    const transport = nodemailer.createTransport({
      host: tlsrptAddresses.sender,
      port: 25,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 10_000,
    });
    const recipients = [
      "a@peer.tlsrpt.lab.test",
      "b@peer.tlsrpt.lab.test",
      "c@peer.tlsrpt.lab.test",
      "d@clear.tlsrpt.lab.test",
      "e@clear.tlsrpt.lab.test",
    ];
    for (const to of recipients)
      await transport.sendMail({
        from: "postmaster@alpha.tlsrpt.lab.test",
        to,
        subject: "tlsrpt out",
        text: "hello",
      });
    transport.close();
    await waitFor("5 deliveries", () => (sender?.log().match(/status=sent/g) ?? []).length >= 5);
    const day = new Date().toISOString().slice(0, 10);

    const add = await cli([
      "registry",
      "add",
      "--db",
      db,
      "--name",
      "Alpha",
      "--contact",
      "tlsrpt@alpha.tlsrpt.lab.test",
      "--adhesion",
      "2026-01-01",
      "--domain",
      "alpha.tlsrpt.lab.test=mx.alpha.tlsrpt.lab.test",
    ]);
    expect(add.code, add.stderr).toBe(0);
    const ingest = await cli([
      "indicators",
      "ingest-log",
      "--db",
      db,
      "--format",
      "postfix",
      "--org",
      "Alpha",
      join(sender?.dir ?? "", "maillog"),
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const generated = await cli([
      "tlsrpt",
      "generate",
      "--db",
      db,
      "--org",
      "Alpha",
      "--date",
      day,
      "--out",
      out,
      "--no-send",
      "--json",
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    const doc = generateDocumentSchema.parse(JSON.parse(generated.stdout));
    expect(doc.reports.map((r) => [r.policyDomain, r.successful, r.failed])).toEqual([
      ["clear.tlsrpt.lab.test", 0, 2],
      ["peer.tlsrpt.lab.test", 3, 0],
    ]);

    otherServe = await startServe();
    for (const file of readdirSync(out).sort()) {
      expect(file).toMatch(/^alpha\.tlsrpt\.lab\.test!(clear|peer)\.tlsrpt\.lab\.test!\d+!\d+\.json\.gz$/);
      const answer = await post(readFileSync(join(out, file)));
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      expect(answer.body).toMatchObject({ status: "accepted", organization: "Alpha" });
    }
    const store = await openStore(join(other, "s.sqlite"));
    try {
      const reports = await TlsRptStore.open(store);
      const figures = await reports.dailyPolicyFigures(day, day);
      expect(figures.map((f) => [f.policyDomain, f.policyType, f.successful, f.failed, f.failures])).toEqual([
        ["clear.tlsrpt.lab.test", "no-policy-found", 0, 2, { "starttls-not-supported": 2 }],
        ["peer.tlsrpt.lab.test", "no-policy-found", 3, 0, {}],
      ]);
      for (const row of await reports.list())
        expect(tlsRptReportSchema.safeParse((await reports.get(row.id))?.report).success).toBe(true);
    } finally {
      await store.close();
    }
  });
});
