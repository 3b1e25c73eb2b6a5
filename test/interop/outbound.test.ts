/**
 * The proof of the outbound STARTTLS test with a real Postfix sending through the lab's DNS (Knot): the
 * endpoint answers as five MX hosts under outbound.lab.test — valid certificate, wrong name,
 * self-signed, expired, no STARTTLS — and Postfix "alpha" sends one message to each test address
 * (a) with the opportunistic default (`smtp_tls_security_level = may`): it delivers to all five;
 * (b) with the `secure` policy `mailcharter policy postfix` generates (the test domains registered
 *     as a signatory's): it delivers only to the valid certificate and defers the rest;
 * (c) with `smtp_tls_security_level = none`: it delivers all five in clear.
 * Each result is checked against Postfix's own log lines (status=sent/deferred, "TLS connection
 * established … TLSv1.3 with cipher …").
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OutboundListener, startOutboundListener } from "../../src/outbound/listener.js";
import { openOutboundStore } from "../../src/outbound/outbound-store.js";
import { outboundTestResult, startOutboundTest } from "../../src/outbound/outbound-tests.js";
import type { OutboundTestDocument } from "../../src/outbound/result-document.js";
import type { VariantKind } from "../../src/outbound/variant.js";
import { postfixPolicy } from "../../src/policy/generate.js";
import { organisationInput, withWithdrawal } from "../../src/registry/model.js";
import { openStore, type Store } from "../../src/store/database.js";
import { rootCa } from "../support/pki.js";
import { outboundDomain, outboundKinds, outboundLabConfig, outboundMx } from "./lab/outbound-lab.js";
import { outboundAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";
import { dnsAddress } from "./lab/scenarios.js";

const run = promisify(execFile);
const lifetimeMs = 15_000;

const alpha = withWithdrawal(
  organisationInput.parse({
    name: "Alpha",
    contact: "pm@alpha.lab.test",
    adhesionDate: "2026-01-01",
    domains: [{ domain: "alpha.lab.test", mx: ["mx.alpha.lab.test"] }],
  }),
);
/** The test domains registered as a signatory's, so that the generated policy covers them. */
const testEndpoint = withWithdrawal(
  organisationInput.parse({
    name: "Outbound test",
    contact: "pm@outbound.lab.test",
    adhesionDate: "2026-02-01",
    domains: outboundKinds.map((k) => ({ domain: outboundDomain(k), mx: [outboundMx(k)] })),
  }),
);

let dir: string;
let store: Store;
let listener: OutboundListener;
let config: Awaited<ReturnType<typeof outboundLabConfig>>;
let a: PostfixInstance;

function submit(recipient: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: a.address, port: 25 });
    const script = [
      "EHLO client.lab.test",
      "MAIL FROM:<postmaster@alpha.lab.test>",
      `RCPT TO:<${recipient}>`,
      "DATA",
      `Subject: outbound test\r\n\r\nto ${recipient}\r\n.`,
      "QUIT",
    ];
    let buffer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP submission timed out")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      while (/^\d{3} .*\r?\n/m.test(buffer)) {
        const match = /^(\d{3}) .*\r?\n/m.exec(buffer);
        buffer = buffer.slice((match?.index ?? 0) + (match?.[0].length ?? 0));
        if (Number(match?.[1]) >= 400) return socket.destroy(new Error(`submission refused: ${match?.[0]}`));
        const next = script.shift();
        if (next === undefined) return socket.end();
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

async function waitFor(pattern: RegExp, ms = 30_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const line = a
      .log()
      .split("\n")
      .find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no log line matching ${pattern} in ${a.dir}:\n${a.log().slice(-3000)}`);
}

/** `mailcharter audit alpha.lab.test --db …` (the built CLI): its mx.outbound-tls measure. */
async function auditedOutbound(): Promise<{
  status: string;
  evidence: { code: string; endpoint?: string }[];
}> {
  const { stdout } = await run(
    "node",
    [
      "dist/cli/main.js",
      "audit",
      "alpha.lab.test",
      "--json",
      "--allow-private",
      "--resolver",
      dnsAddress,
      "--db",
      join(dir, "db.sqlite"),
    ],
    { timeout: 120_000 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(stdout) as {
    measures: { id: string; status: string; evidence: { code: string }[] }[];
  };
  const measure = report.measures.find((m) => m.id === "mx.outbound-tls");
  if (!measure) throw new Error("no mx.outbound-tls in the report");
  return measure;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Starts a test, submits one message per address to Postfix, and returns Postfix's outcome per variant. */
async function sendAll(): Promise<{ doc: OutboundTestDocument; outcome: Map<VariantKind, string> }> {
  const doc = await startOutboundTest(store, config, { domain: "alpha.lab.test", requestedBy: "interop" });
  for (const address of doc.addresses) await submit(address.address);
  const outcome = new Map<VariantKind, string>();
  for (const address of doc.addresses)
    outcome.set(
      address.kind,
      await waitFor(new RegExp(`to=<${reEscape(address.address)}>.*status=(sent|deferred|bounced)`)),
    );
  return { doc, outcome };
}

async function result(id: number): Promise<OutboundTestDocument> {
  const doc = await outboundTestResult(store, id);
  if (!doc) throw new Error(`no test ${id}`);
  return doc;
}

const messagesOf = (doc: OutboundTestDocument, kind: VariantKind) =>
  doc.variants.find((v) => v.kind === kind)?.messages ?? [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-outbound-interop-"));
  store = await openStore(join(dir, "db.sqlite"), { create: true });
  const ca = await rootCa("outbound proof CA");
  config = await outboundLabConfig(ca, lifetimeMs);
  listener = await startOutboundListener(config, { store: await openOutboundStore(store) });
  a = await startPostfix({
    name: "outbound-sender",
    address: outboundAddresses.sender,
    hostname: "mx.alpha.lab.test",
    resolver: dnsAddress,
    main: {
      mydestination: "",
      smtp_host_lookup: "dns",
      smtp_bind_address: outboundAddresses.sender,
      smtp_tls_security_level: "may",
    },
  });
  writeFileSync(join(a.dir, "ca.pem"), ca.pem);
  writeFileSync(join(a.dir, "tls_policy"), postfixPolicy(alpha, [alpha, testEndpoint], { at: "2026-11-29" }));
  await a.postconf({ smtp_tls_CAfile: join(a.dir, "ca.pem") });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await listener?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("outbound STARTTLS test with a real Postfix", () => {
  it("(a) opportunistic (may): delivers to all five, over TLS wherever offered, in clear without STARTTLS", async () => {
    const { doc, outcome } = await sendAll();
    for (const kind of outboundKinds) expect(outcome.get(kind)).toMatch(/status=sent/);
    const r = await result(doc.id);
    expect(r.state).toBe("complete");
    expect(r.conclusions.starttlsWhenOffered).toMatchObject({ status: "observed", value: "always" });
    expect(r.conclusions.certificateVerification).toEqual({
      status: "observed",
      value: "opportunistic",
      basis: ["wrong-name", "self-signed", "expired"],
    });
    expect(r.conclusions.withoutStarttls).toMatchObject({ status: "observed", value: "falls-back-to-clear" });
    // What we recorded is what Postfix says it negotiated, per variant.
    for (const kind of outboundKinds.filter((k) => k !== "no-starttls")) {
      const [m] = messagesOf(r, kind);
      expect(m).toMatchObject({
        starttls: true,
        remoteAddress: outboundAddresses.sender,
        ehlo: "mx.alpha.lab.test",
      });
      const line = await waitFor(
        new RegExp(
          `TLS connection established to ${reEscape(outboundMx(kind))}\\[${reEscape(outboundAddresses[kind])}\\]:25: (\\S+) with cipher (\\S+)`,
        ),
      );
      const [, version, cipher] = /: (\S+) with cipher (\S+)/.exec(line) ?? [];
      expect(m?.tlsVersion).toBe(version);
      expect(m?.cipherSuite).toBe(cipher);
    }
    expect(messagesOf(r, "no-starttls")[0]).toMatchObject({ starttls: false, tlsVersion: null });
    expect(a.log()).not.toMatch(
      new RegExp(`TLS connection established to ${reEscape(outboundMx("no-starttls"))}`),
    );
  });

  it("(b) the generated secure policy: only the valid certificate gets the message; the rest is deferred", async () => {
    await a.postconf({ smtp_tls_policy_maps: `texthash:${join(a.dir, "tls_policy")}` });
    const { doc, outcome } = await sendAll();
    expect(outcome.get("valid")).toMatch(/status=sent/);
    for (const kind of ["wrong-name", "self-signed", "expired"] as const)
      expect(outcome.get(kind)).toMatch(
        /status=deferred .*(Server certificate not verified|certificate verification failed)/,
      );
    expect(outcome.get("no-starttls")).toMatch(/status=deferred .*TLS is required, but was not offered/);
    expect(
      await waitFor(new RegExp(`Verified TLS connection established to ${reEscape(outboundMx("valid"))}`)),
    ).toBeTruthy();
    const early = await result(doc.id);
    expect(early.state).toBe("waiting");
    expect(early.conclusions.certificateVerification).toEqual({ status: "not-observed", reason: "waiting" });
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(doc.expiresAt) - Date.now() + 100)));
    const r = await result(doc.id);
    expect(r.state).toBe("complete");
    expect(r.variants.map((v) => [v.kind, v.state])).toEqual([
      ["valid", "arrived"],
      ["wrong-name", "not-arrived"],
      ["self-signed", "not-arrived"],
      ["expired", "not-arrived"],
      ["no-starttls", "not-arrived"],
    ]);
    expect(r.conclusions.certificateVerification).toMatchObject({ status: "observed", value: "verifies" });
    expect(r.conclusions.withoutStarttls).toMatchObject({ status: "observed", value: "refuses-clear" });
    expect(r.conclusions.starttlsWhenOffered).toEqual({
      status: "observed",
      value: "always",
      basis: ["valid"],
    });
    await run("postsuper", ["-c", a.dir, "-d", "ALL"]);
  }, 60_000);

  it("(c) smtp_tls_security_level = none: every message in clear, although four variants offer STARTTLS", async () => {
    await a.postconf({ smtp_tls_policy_maps: "", smtp_tls_security_level: "none" });
    const before = a.log().length;
    const { doc, outcome } = await sendAll();
    for (const kind of outboundKinds) expect(outcome.get(kind)).toMatch(/status=sent/);
    expect(a.log().slice(before)).not.toMatch(/TLS connection established/);
    const r = await result(doc.id);
    for (const kind of outboundKinds)
      expect(messagesOf(r, kind)[0]).toMatchObject({ starttls: false, cipherSuite: null });
    expect(r.conclusions.starttlsWhenOffered).toMatchObject({ status: "observed", value: "never" });
    const measure = await auditedOutbound();
    expect(measure.status).toBe("fail");
    expect(measure.evidence.map((e) => e.code)).toContain("outbound.clear-while-offered");
  }, 60_000);
});
