/**
 * DKIM against another implementation: OpenDKIM (Debian's opendkim, miltertest and opendkim-tools),
 * with every key published in the lab's Knot (test/interop/lab/dkim-lab.ts) and fetched over DNS by
 * both sides.
 *
 *  - OpenDKIM signs → we verify: a TLS-RPT report mail is fed to the OpenDKIM milter (driven by
 *    miltertest, as an MTA would), in rsa-sha256 and ed25519-sha256, relaxed and simple; the signature
 *    it returns passes our verifier and names dkim.lab.test at ingestion; the same mail changed after
 *    signing fails.
 *  - we sign → OpenDKIM verifies: mails signed by nodemailer and by the test signer (rsa and ed25519,
 *    relaxed and simple, with l=) pass `opendkim-testmsg`, which reads /etc/resolv.conf: it is run in
 *    a private mount namespace where that file names the lab's DNS server, so nothing on the machine
 *    changes. A changed mail fails there too, so the check can fail.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyDkim } from "../../src/indicators/tlsrpt/dkim-verify.js";
import { ingestReport } from "../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { systemClock } from "../../src/net/clock.js";
import { parseResolverAddress, systemResolver } from "../../src/net/resolver.js";
import { openStore } from "../../src/store/database.js";
import { nodemailerSign, type TestKey, testSign } from "../support/dkim-sign.js";
import { dkimDomain } from "./lab/dkim-lab.js";
import { dkimAddresses } from "./lab/ports.js";

const run = promisify(execFile);
const lab = inject("lab");
const keys = join(lab.dir, "dkim");
const resolver = systemResolver(parseResolverAddress(lab.resolver));
const work = mkdtempSync(join(tmpdir(), "mailcharter-dkim-"));

/** The report mail of the corpus, as sent by dkim.lab.test, CRLF. */
const mail = readFileSync(new URL("../fixtures/tlsrpt/google.eml", import.meta.url), "latin1")
  .replace(/\r?\n/g, "\r\n")
  .replace("From: noreply-smtp-tls-reporting@google.com", `From: tlsrpt@${dkimDomain}`);
const split = mail.indexOf("\r\n\r\n");
const headerText = mail.slice(0, split);
const body = mail.slice(split + 4);
const headers = headerText
  .replace(/\r\n([ \t])/g, "$1")
  .split("\r\n")
  .map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, "")] as const;
  });

interface Milter {
  readonly name: string;
  readonly port: number;
  readonly algorithm: "rsa-sha256" | "ed25519-sha256";
  readonly canon: string;
  readonly selector: string;
}
const milters: Milter[] = (
  [
    { name: "rsa relaxed", algorithm: "rsa-sha256", canon: "relaxed/relaxed", selector: "od" },
    { name: "rsa simple", algorithm: "rsa-sha256", canon: "simple/simple", selector: "od" },
    { name: "ed25519 relaxed", algorithm: "ed25519-sha256", canon: "relaxed/simple", selector: "oded" },
  ] as const
).map((m, i) => ({ ...m, port: dkimAddresses.firstMilterPort + i }));
const children: ChildProcess[] = [];

const hex = (text: string) => Buffer.from(text, "latin1").toString("hex");

/** One message through a milter with miltertest; the DKIM-Signature value the milter adds. */
async function milterSign(milter: Milter): Promise<string> {
  const lua = [
    `local function s(h) return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end)) end`,
    `local conn = mt.connect("inet:${milter.port}@${dkimAddresses.milter}", 40, 0.25)`,
    `if conn == nil then error("no milter at ${milter.port}") end`,
    `mt.conninfo(conn, "localhost", "127.0.0.1")`,
    `mt.macro(conn, SMFIC_MAIL, "i", "DKIMTEST")`,
    `mt.mailfrom(conn, "tlsrpt@${dkimDomain}")`,
    `mt.rcptto(conn, "tlsrpt@signataire-a.example")`,
    ...headers.map(([name, value]) => `mt.header(conn, s("${hex(name)}"), s("${hex(value)}"))`),
    `mt.eoh(conn)`,
    `mt.bodystring(conn, s("${hex(body)}"))`,
    `mt.eom(conn)`,
    `local v = mt.getheader(conn, "DKIM-Signature", 0)`,
    `if v == nil then error("the milter added no DKIM-Signature") end`,
    `io.write(v)`,
    `mt.disconnect(conn)`,
  ].join("\n");
  const script = join(work, `${milter.port}.lua`);
  writeFileSync(script, lua);
  const { stdout } = await run("miltertest", ["-s", script], { timeout: 30_000 });
  return stdout;
}

/** The signed mail as the MTA would write it: the milter's field on top, LF folding made CRLF. */
const assemble = (value: string) =>
  Buffer.from(`DKIM-Signature:${value.replace(/\r?\n/g, "\r\n")}\r\n${mail}`, "latin1");

/** opendkim-testmsg in verify mode, with /etc/resolv.conf naming the lab's DNS in its own namespace. */
async function opendkimVerifies(message: Buffer): Promise<{ ok: boolean; output: string }> {
  const resolv = join(work, "resolv.conf");
  writeFileSync(resolv, `nameserver ${lab.resolver.replace(/:53$/, "")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      "unshare",
      ["-m", "sh", "-c", `mount --bind ${resolv} /etc/resolv.conf && exec opendkim-testmsg`],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && output.trim() === "", output });
    });
    child.stdin.end(message);
  });
}

/** A key the lab made and published (lab/dkim-lab.ts). */
function labKey(selector: string, kind: "rsa" | "ed25519"): TestKey {
  const privatePem = readFileSync(join(keys, `${selector}.pem`), "utf8");
  const record = readFileSync(join(keys, `${selector}.txt`), "utf8");
  return {
    kind,
    privatePem,
    privateKey: createPrivateKey(privatePem),
    record,
    p: record.replace(/^.*p=/, ""),
  };
}

beforeAll(async () => {
  for (const m of milters) {
    const conf = join(work, `opendkim-${m.port}.conf`);
    writeFileSync(
      conf,
      [
        "Mode s",
        `Domain ${dkimDomain}`,
        `Selector ${m.selector}`,
        `KeyFile ${join(keys, `${m.selector}.pem`)}`,
        `SignatureAlgorithm ${m.algorithm}`,
        `Canonicalization ${m.canon}`,
        // Over-signing: a From added in transit breaks the signature (RFC 6376 §8.15).
        "OversignHeaders From",
        `Socket inet:${m.port}@${dkimAddresses.milter}`,
        "RequireSafeKeys false",
        "Syslog no",
        `PidFile ${join(work, `opendkim-${m.port}.pid`)}`,
        "Background no",
        "",
      ].join("\n"),
    );
    const child = spawn("opendkim", ["-x", conf, "-f"], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.on("data", (c: Buffer) => process.stderr.write(`opendkim ${m.port}: ${c}`));
    children.push(child);
  }
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

describe("OpenDKIM signs, we verify", () => {
  for (const m of milters)
    it(`the milter's ${m.name} signature passes; the mail changed after signing fails`, async () => {
      const value = await milterSign(m);
      expect(value).toContain(`a=${m.algorithm}`);
      expect(value).toContain(`c=${m.canon}`);
      const signed = assemble(value);
      const v = await verifyDkim(signed, { resolver, clock: systemClock });
      expect(v.signatures.map((s) => [s.result, s.reason, s.domain, s.selector])).toEqual([
        ["pass", null, dkimDomain, m.selector],
      ]);
      const store = await openStore(":memory:");
      try {
        const reports = await TlsRptStore.open(store);
        const result = await ingestReport(reports, {
          bytes: signed,
          kind: "mail",
          door: "file",
          source: "opendkim",
          now: () => new Date(),
          resolver,
        });
        expect(result.status).toBe("accepted");
        expect(result.warnings.filter((w) => w.code.startsWith("dkim-"))).toEqual([]);
        const [figure] = await reports.dailyPolicyFigures("2000-01-01", "2100-01-01");
        expect(figure?.mailDomains?.[0]).toEqual({ domain: dkimDomain, how: "dkim" });
      } finally {
        await store.close();
      }
      const changed = Buffer.from(
        signed.toString("latin1").replace("aggregate TLS report", "aggregate TLS-RPT report"),
        "latin1",
      );
      expect((await verifyDkim(changed, { resolver, clock: systemClock })).signatures[0]).toMatchObject({
        result: "fail",
        reason: "body-hash-mismatch",
      });
      const added = Buffer.from(
        signed
          .toString("latin1")
          .replace(`From: tlsrpt@${dkimDomain}`, `From: ceo@${dkimDomain}\r\nFrom: tlsrpt@${dkimDomain}`),
        "latin1",
      );
      expect((await verifyDkim(added, { resolver, clock: systemClock })).signatures[0]).toMatchObject({
        result: "fail",
        reason: "signature-mismatch",
      });
    });
});

describe("we sign, OpenDKIM verifies", () => {
  const base = Buffer.from(mail, "latin1");
  const cases: [string, () => Promise<Buffer>][] = [
    [
      "nodemailer rsa-sha256 relaxed/relaxed",
      () => nodemailerSign(base, { domain: dkimDomain, selector: "mc1", key: labKey("mc1", "rsa") }),
    ],
    [
      "test signer rsa-sha256 simple/simple",
      async () =>
        testSign(base, {
          domain: dkimDomain,
          selector: "mc1",
          key: labKey("mc1", "rsa"),
          canon: "simple/simple",
        }),
    ],
    [
      "test signer ed25519-sha256 relaxed/relaxed",
      async () => testSign(base, { domain: dkimDomain, selector: "ed", key: labKey("ed", "ed25519") }),
    ],
    [
      "test signer ed25519-sha256 simple/relaxed with l=",
      async () =>
        testSign(base, {
          domain: dkimDomain,
          selector: "ed",
          key: labKey("ed", "ed25519"),
          canon: "simple/relaxed",
          bodyLength: "whole",
        }),
    ],
  ];
  for (const [name, make] of cases)
    it(`${name}: opendkim-testmsg passes it and our verifier agrees; changed, both fail it`, async () => {
      const signed = await make();
      const theirs = await opendkimVerifies(signed);
      expect(theirs, theirs.output).toMatchObject({ ok: true });
      expect((await verifyDkim(signed, { resolver, clock: systemClock })).signatures[0]?.result).toBe("pass");
      const changed = Buffer.from(
        signed.toString("latin1").replace("Report-ID: <", "Report-ID: <x"),
        "latin1",
      );
      const broken = await opendkimVerifies(changed);
      expect(broken.ok, broken.output).toBe(false);
      expect((await verifyDkim(changed, { resolver, clock: systemClock })).signatures[0]?.result).toBe(
        "fail",
      );
    });

  it("a signature under the revoked key: OpenDKIM refuses it, and so do we (key-revoked)", async () => {
    const signed = testSign(base, { domain: dkimDomain, selector: "gone", key: labKey("mc1", "rsa") });
    expect((await opendkimVerifies(signed)).ok).toBe(false);
    expect((await verifyDkim(signed, { resolver, clock: systemClock })).signatures[0]).toMatchObject({
      result: "permerror",
      reason: "key-revoked",
    });
  });
});
