/**
 * The proof with real Postfix deliveries (charter art. 4): Postfix A (signatory "Alpha") with the
 * policy mailcharter generates toward signatory "Peer", Postfix B receiving for peer.lab.test.
 * 1. A delivers to B over a Verified TLS connection;
 * 2. when B stops offering STARTTLS, A defers and never sends in plaintext;
 * 3. control: with the opportunistic default instead of the policy, the same breakage sends in clear.
 */
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postfixPolicy } from "../../src/policy/generate.js";
import { organisationInput, withWithdrawal } from "../../src/registry/model.js";
import { issue, rootCa } from "../support/pki.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";
import { dnsAddress } from "./lab/scenarios.js";

const alpha = withWithdrawal(
  organisationInput.parse({
    name: "Alpha",
    contact: "pm@alpha.lab.test",
    adhesionDate: "2026-01-01",
    domains: [{ domain: "alpha.lab.test", mx: ["mx.alpha.lab.test"] }],
  }),
);
const peer = withWithdrawal(
  organisationInput.parse({
    name: "Peer",
    contact: "pm@peer.lab.test",
    adhesionDate: "2026-02-01",
    domains: [{ domain: "peer.lab.test", mx: ["mx.peer.lab.test"] }],
  }),
);

let a: PostfixInstance;
let b: PostfixInstance;

/** Hands one message to A over SMTP (A relays for loopback clients). */
function submit(recipient: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: a.address, port: 25 });
    const script = [
      "EHLO client.lab.test",
      "MAIL FROM:<sender@alpha.lab.test>",
      `RCPT TO:<${recipient}>`,
      "DATA",
      `Subject: charter proof\r\n\r\nhello ${recipient}\r\n.`,
      "QUIT",
    ];
    let buffer = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP submission timed out")));
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      // One command per complete final reply line ("NNN text").
      while (/^\d{3} .*\r?\n/m.test(buffer)) {
        const match = /^(\d{3}) .*\r?\n/m.exec(buffer);
        buffer = buffer.slice((match?.index ?? 0) + (match?.[0].length ?? 0));
        const code = Number(match?.[1]);
        if (code >= 400) return socket.destroy(new Error(`submission refused: ${match?.[0]}`));
        const next = script.shift();
        if (next === undefined) return socket.end();
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

async function waitFor(instance: PostfixInstance, pattern: RegExp, ms = 30_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const line = instance
      .log()
      .split("\n")
      .find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no log line matching ${pattern} in ${instance.dir}:\n${instance.log().slice(-3000)}`);
}

beforeAll(async () => {
  const ca = await rootCa("delivery proof CA");
  const cert = await issue(ca, "mx.peer.lab.test", { dnsNames: ["mx.peer.lab.test"] });
  b = await startPostfix({
    name: "b",
    address: "127.0.10.71",
    hostname: "mx.peer.lab.test",
    main: {
      mydestination: "peer.lab.test",
      local_recipient_maps: "",
      local_transport: "discard:",
      smtpd_tls_security_level: "may",
    },
  });
  writeFileSync(join(b.dir, "cert.pem"), cert.pem);
  writeFileSync(join(b.dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  await b.postconf({
    smtpd_tls_cert_file: join(b.dir, "cert.pem"),
    smtpd_tls_key_file: join(b.dir, "key.pem"),
  });
  a = await startPostfix({
    name: "a",
    address: "127.0.10.70",
    hostname: "mx.alpha.lab.test",
    resolver: dnsAddress,
    main: { mydestination: "", smtp_tls_security_level: "may", smtp_host_lookup: "dns" },
  });
  writeFileSync(join(a.dir, "ca.pem"), ca.pem);
  writeFileSync(join(a.dir, "tls_policy"), postfixPolicy(alpha, [alpha, peer], { at: "2026-11-29" }));
  await a.postconf({
    smtp_tls_CAfile: join(a.dir, "ca.pem"),
    smtp_tls_policy_maps: `texthash:${join(a.dir, "tls_policy")}`,
  });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe("delivery between signatories with the generated policy", () => {
  it("the generated policy requires a verified certificate for peer.lab.test", () => {
    expect(postfixPolicy(alpha, [alpha, peer], { at: "2026-11-29" })).toContain(
      "peer.lab.test\tsecure match=mx.peer.lab.test",
    );
  });

  it("1. A delivers to B over a Verified TLS connection", async () => {
    await submit("one@peer.lab.test");
    const sent = await waitFor(a, /to=<one@peer\.lab\.test>.*status=(sent|deferred|bounced)/);
    expect(sent).toMatch(/status=sent/);
    expect(
      await waitFor(a, /Verified TLS connection established to mx\.peer\.lab\.test\[127\.0\.10\.71\]:25/),
    ).toMatch(/TLSv1\.[23]/);
    expect(await waitFor(b, /to=<one@peer\.lab\.test>.*status=sent/)).toBeTruthy();
  });

  it("2. B stops offering STARTTLS: A defers and never sends in plaintext", async () => {
    await b.postconf({ smtpd_tls_security_level: "none" });
    await submit("two@peer.lab.test");
    const deferred = await waitFor(a, /to=<two@peer\.lab\.test>.*status=(sent|deferred|bounced)/);
    expect(deferred).toMatch(/status=deferred .*TLS is required, but was not offered/);
    expect(b.log()).not.toMatch(/two@peer\.lab\.test/);
  });

  it("3. control: the opportunistic default sends the same message in plaintext", async () => {
    await a.postconf({ smtp_tls_policy_maps: "" });
    await submit("three@peer.lab.test");
    expect(await waitFor(a, /to=<three@peer\.lab\.test>.*status=(sent|deferred|bounced)/)).toMatch(
      /status=sent/,
    );
    const received = await waitFor(b, /to=<three@peer\.lab\.test>.*status=sent/);
    expect(received).toBeTruthy();
    // B's session summary for that client has no starttls=1: the message crossed in clear.
    const summaries = b
      .log()
      .split("\n")
      .filter((l) => /disconnect from .*mail=1 rcpt=1 data=1/.test(l));
    expect(summaries.at(-1)).not.toMatch(/starttls=1/);
  });
});
