/**
 * The proof with real Exim deliveries (charter art. 4), like the Postfix one: Exim A (signatory
 * "Alpha") with the text `mailcharter policy exim --for Alpha` generates, installed as the text says
 * (its main lines in the main configuration, its transport lines in the smtp transport, `system`
 * trust meaning — in A's private mount namespace — the proof's CA); Exim B receiving for
 * eximpeer.lab.test. Both are Exim 4.96 with GnuTLS; A finds B by MX through the lab's DNS.
 * 1. A delivers to B over TLS with B's certificate verified;
 * 2. B serves a certificate from a CA A does not trust: A defers;
 * 3. B serves a certificate from the right CA for another name: A defers;
 * 4. B stops offering STARTTLS: A defers (message kept in A's queue) and never sends in clear — also
 *    for a peer domain whose MX in DNS is a host the registry does not list (moved, or forged);
 * 5. control: with Exim's opportunistic default instead of the policy, the same breakage sends in clear.
 */
import { chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eximPolicy } from "../../src/policy/generate.js";
import { organisationInput, withWithdrawal } from "../../src/registry/model.js";
import { type Issued, issue, rootCa } from "../support/pki.js";
import { installPolicy, receiverConfig, senderConfig } from "./lab/exim-config.js";
import { type EximInstance, eximId, startExim } from "./lab/exim-instance.js";
import { submitMessage } from "./lab/exim-submit.js";
import { eximAddresses } from "./lab/ports.js";
import { dnsAddress } from "./lab/scenarios.js";

const signatory = (name: string, domains: readonly string[], mx: string, adhesionDate: string) =>
  withWithdrawal(
    organisationInput.parse({
      name,
      contact: `pm@${domains[0]}`,
      adhesionDate,
      domains: domains.map((domain) => ({ domain, mx: [mx] })),
    }),
  );
const alpha = signatory("Alpha", ["alpha.lab.test"], "mx.alpha.lab.test", "2026-01-01");
// The registry lists mx.eximpeer.lab.test for both domains; DNS says mx.eximmoved.lab.test for the second.
const peer = signatory(
  "EximPeer",
  ["eximpeer.lab.test", "eximmoved.lab.test"],
  "mx.eximpeer.lab.test",
  "2026-02-01",
);
const policy = eximPolicy(alpha, [alpha, peer], { at: "2026-11-29" });

let a: EximInstance;
let b: EximInstance;
let trusted: Issued;
let stranger: Issued;
let otherName: Issued;

function writeCertificate(dir: string, name: string, cert: Issued, chain: readonly Issued[]) {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, [cert.pem, ...chain.map((c) => c.pem)].join("\n"));
  // Exim reads its key as the Exim user.
  writeFileSync(keyFile, cert.keyPem, { mode: 0o600 });
  chownSync(keyFile, eximId, eximId);
  return { certFile, keyFile };
}

const receiver = (dir: string, tls: "trusted" | "stranger" | "othername" | "none") =>
  receiverConfig({
    hostname: "mx.eximpeer.lab.test",
    domains: ["eximpeer.lab.test", "eximmoved.lab.test"],
    ...(tls === "none"
      ? {}
      : { tls: { certFile: join(dir, `${tls}.crt`), keyFile: join(dir, `${tls}.key`) } }),
  });

const sender = (transport: readonly string[], main: readonly string[]) =>
  senderConfig({ hostname: "mx.alpha.lab.test", address: eximAddresses.sender, main, transport });

async function waitFor(instance: EximInstance, pattern: RegExp, ms = 30_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const line = instance
      .mainlog()
      .split("\n")
      .find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no log line matching ${pattern} in exim ${instance.name}:\n${instance.mainlog().slice(-3000)}${instance.paniclog()}`,
  );
}

/** A's outcome for one recipient: its delivery (=>), deferral (==) or bounce (**) line. */
const outcome = (to: string) => new RegExp(`(=>|==|\\*\\*) ${to.replace(/\./g, "\\.")} `);
const send = (to: string) => {
  // Each step is a new situation: the previous step's deferral must not postpone this attempt.
  a.forgetRetries();
  return submitMessage({ address: eximAddresses.sender, from: "sender@alpha.lab.test", to });
};

beforeAll(async () => {
  const ca = await rootCa("exim delivery proof CA");
  const other = await rootCa("a CA the sender does not trust");
  trusted = await issue(ca, "mx.eximpeer.lab.test", { dnsNames: ["mx.eximpeer.lab.test"] });
  stranger = await issue(other, "mx.eximpeer.lab.test", { dnsNames: ["mx.eximpeer.lab.test"] });
  otherName = await issue(ca, "mx.other.lab.test", { dnsNames: ["mx.other.lab.test"] });
  b = await startExim({
    name: "peer",
    address: eximAddresses.receiver,
    moreAddresses: [eximAddresses.receiverUnlisted],
    ports: [25],
    config: (dir) => {
      writeCertificate(dir, "trusted", trusted, []);
      writeCertificate(dir, "stranger", stranger, []);
      writeCertificate(dir, "othername", otherName, []);
      return receiver(dir, "trusted");
    },
  });
  const caFile = join(b.dir, "proof-ca.pem");
  writeFileSync(caFile, ca.pem);
  const installed = installPolicy(policy);
  a = await startExim({
    name: "alpha",
    address: eximAddresses.sender,
    ports: [25],
    resolver: dnsAddress,
    systemTrust: caFile,
    config: () => sender(installed.transport, installed.main),
  });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe("Exim delivery between signatories with the generated policy", () => {
  it("the generated policy requires verified TLS toward mx.eximpeer.lab.test", () => {
    const installed = installPolicy(policy);
    expect(installed.main).toEqual([
      "domainlist charter_domains = eximpeer.lab.test : eximmoved.lab.test",
      "hostlist charter_mx = mx.eximpeer.lab.test",
    ]);
    expect(installed.transport.some((l) => l.startsWith("hosts_require_tls = "))).toBe(true);
    expect(installed.transport.some((l) => l.startsWith("tls_verify_hosts = "))).toBe(true);
  });

  it("1. A delivers to B over TLS with B's certificate verified", async () => {
    await send("one@eximpeer.lab.test");
    const line = await waitFor(a, outcome("one@eximpeer.lab.test"));
    expect(line).toMatch(/=> one@eximpeer\.lab\.test .*H=mx\.eximpeer\.lab\.test \[127\.0\.10\.93\]/);
    expect(line).toMatch(/ X=TLS1\.[23]:/);
    expect(line).toMatch(/ CV=yes/);
    const received = await waitFor(b, /<= sender@alpha\.lab\.test .*for one@eximpeer\.lab\.test/);
    expect(received).toMatch(/ P=esmtps X=TLS1\.[23]:/);
  });

  it("2. B serves a certificate from a CA A does not trust: A defers", async () => {
    await b.reconfigure(receiver(b.dir, "stranger"));
    await send("two@eximpeer.lab.test");
    const line = await waitFor(a, outcome("two@eximpeer.lab.test"));
    expect(line).toMatch(/== two@eximpeer\.lab\.test .*defer/);
    expect(line).toMatch(/certificate|verif/i);
    expect(await a.queue()).toContain("two@eximpeer.lab.test");
    expect(b.mainlog()).not.toMatch(/two@eximpeer\.lab\.test/);
  });

  it("3. B serves a certificate from the right CA for another name: A defers", async () => {
    await b.reconfigure(receiver(b.dir, "othername"));
    await send("three@eximpeer.lab.test");
    const line = await waitFor(a, outcome("three@eximpeer.lab.test"));
    expect(line).toMatch(/== three@eximpeer\.lab\.test .*defer/);
    expect(line).toMatch(/certificate|verif|name/i);
    expect(await a.queue()).toContain("three@eximpeer.lab.test");
    expect(b.mainlog()).not.toMatch(/three@eximpeer\.lab\.test/);
  });

  it("4. B stops offering STARTTLS: A defers and never sends in clear, whatever MX DNS names", async () => {
    await b.reconfigure(receiver(b.dir, "none"));
    await send("four@eximpeer.lab.test");
    const line = await waitFor(a, outcome("four@eximpeer.lab.test"));
    expect(line).toMatch(/== four@eximpeer\.lab\.test .*defer.*TLS/);
    // The peer's other domain, whose MX in DNS is not the registry's (charter art. 4: TLS toward the
    // signatory's domains, whichever host DNS names).
    await send("moved@eximmoved.lab.test");
    const moved = await waitFor(a, outcome("moved@eximmoved.lab.test"));
    expect(moved).toMatch(/mx\.eximmoved\.lab\.test \[127\.0\.10\.95\]/);
    expect(moved).toMatch(/== moved@eximmoved\.lab\.test .*defer.*TLS/);
    const queue = await a.queue();
    expect(queue).toContain("four@eximpeer.lab.test");
    expect(queue).toContain("moved@eximmoved.lab.test");
    expect(b.mainlog()).not.toMatch(/four@eximpeer\.lab\.test|moved@eximmoved\.lab\.test/);
  });

  it("5. control: Exim's opportunistic default sends the same message in clear", async () => {
    await a.reconfigure(sender([], []));
    await send("five@eximpeer.lab.test");
    expect(await waitFor(a, outcome("five@eximpeer.lab.test"))).toMatch(/=> five@eximpeer\.lab\.test /);
    const received = await waitFor(b, /<= sender@alpha\.lab\.test .*for five@eximpeer\.lab\.test/);
    // P=esmtp and no X=: the message crossed without TLS.
    expect(received).toMatch(/ P=esmtp /);
    expect(received).not.toMatch(/ X=/);
  });
});
