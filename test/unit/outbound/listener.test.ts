/**
 * The receiving endpoint with a real SQLite store and nodemailer as the sender, over loopback: what is
 * recorded of each message (and nothing of its content), relaying and unknown addresses refused at
 * RCPT, limits, and the variant without STARTTLS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OutboundListener, startOutboundListener } from "../../../src/outbound/listener.js";
import { openOutboundStore } from "../../../src/outbound/outbound-store.js";
import { outboundTestResult, startOutboundTest } from "../../../src/outbound/outbound-tests.js";
import type { OutboundTestDocument } from "../../../src/outbound/result-document.js";
import type { VariantKind } from "../../../src/outbound/variant.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { unitConfig } from "./fixture.js";

let dir: string;
let store: Store;
let listener: OutboundListener;
let doc: OutboundTestDocument;
const logs: string[] = [];

const portOf = (kind: VariantKind) => listener.variants.find((v) => v.kind === kind)?.port ?? 0;
const addressOf = (kind: VariantKind) => doc.addresses.find((a) => a.kind === kind)?.address ?? "";

function send(kind: VariantKind, to: string, options: { ignoreTLS?: boolean; text?: string } = {}) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: portOf(kind),
    secure: false,
    name: "sender.example",
    ignoreTLS: options.ignoreTLS ?? false,
    tls: { rejectUnauthorized: false },
    connectionTimeout: 5000,
    socketTimeout: 5000,
  });
  return transport.sendMail({ from: "postmaster@sender.example", to, text: options.text ?? "hello" });
}

/** A raw SMTP conversation: sends each line after the previous reply, returns every reply. */
function converse(port: number, lines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let all = "";
    let buffer = "";
    const script = [...lines];
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    socket.on("data", (chunk) => {
      all += chunk.toString();
      buffer += chunk.toString();
      while (/^\d{3} .*\r\n/m.test(buffer)) {
        const m = /^\d{3} .*\r\n/m.exec(buffer);
        buffer = buffer.slice((m?.index ?? 0) + (m?.[0].length ?? 0));
        const next = script.shift();
        if (next === undefined) return socket.end();
        socket.write(`${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(all));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-outbound-"));
  store = await openStore(join(dir, "db.sqlite"), { create: true });
  const config = await unitConfig(["valid", "wrong-name", "no-starttls"]);
  listener = await startOutboundListener(config, {
    store: await openOutboundStore(store),
    reverse: async (ip) => (ip === "127.0.0.1" ? ["localhost."] : []),
    limits: { maxMessageBytes: 10_000, maxConnectionsPerIp: 50, connectionsPerIpPerWindow: 1000 },
    log: (line) => logs.push(line),
  });
  doc = await startOutboundTest(store, config, { domain: "Sender.Example.", requestedBy: "unit" });
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("outbound listener", () => {
  it("a test has one unguessable address per variant, for the normalised domain", () => {
    expect(doc.domain).toBe("sender.example");
    expect(doc.addresses.map((a) => a.kind)).toEqual(["valid", "wrong-name", "no-starttls"]);
    const local = doc.addresses[0]?.address.split("@")[0];
    expect(local).toMatch(/^mc-[a-z2-7]{26}$/);
    expect(doc.addresses.every((a) => a.address.startsWith(`${local}@`))).toBe(true);
    expect(doc.state).toBe("waiting");
  });

  it("records a STARTTLS delivery: address, PTR name, EHLO, version, suite; keeps no content", async () => {
    const info = await send("valid", addressOf("valid"), { text: "secret body text" });
    expect(info.response).toMatch(/^250 .*Recorded for test \d+ and discarded/);
    const result = await outboundTestResult(store, doc.id);
    const m = result?.variants.find((v) => v.kind === "valid")?.messages[0];
    expect(m).toMatchObject({
      remoteAddress: "127.0.0.1",
      reverseName: "localhost",
      reverseLookup: "found",
      ehlo: "sender.example",
      mailFrom: "postmaster@sender.example",
      starttls: true,
      tlsVersion: "TLSv1.3",
      cipherSuite: expect.stringMatching(/^TLS_(AES|CHACHA20)_/),
      clientCertificate: null,
    });
    expect(m?.sizeBytes).toBeGreaterThan(0);
    const rows = await store.db.selectFrom("outbound_messages").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain("secret body text");
  });

  it("records a clear-text delivery on a variant that offers STARTTLS when the sender ignores it", async () => {
    await send("wrong-name", addressOf("wrong-name"), { ignoreTLS: true });
    const result = await outboundTestResult(store, doc.id);
    expect(result?.variants.find((v) => v.kind === "wrong-name")?.messages[0]).toMatchObject({
      starttls: false,
      tlsVersion: null,
      cipherSuite: null,
    });
  });

  it("the no-starttls variant neither advertises nor accepts STARTTLS", async () => {
    const replies = await converse(portOf("no-starttls"), ["EHLO sender.example", "STARTTLS", "QUIT"]);
    expect(replies).toMatch(/^250[ -]/m);
    expect(replies).not.toMatch(/^250[ -]STARTTLS/im);
    expect(replies).toMatch(/^5\d\d .*not recognized/m);
    await send("no-starttls", addressOf("no-starttls"));
    const result = await outboundTestResult(store, doc.id);
    expect(result?.variants.find((v) => v.kind === "no-starttls")?.messages[0]?.starttls).toBe(false);
    expect(result?.conclusions.withoutStarttls).toMatchObject({
      status: "observed",
      value: "falls-back-to-clear",
    });
  });

  it("relays nothing: other domains, other local parts and another variant's address are refused at RCPT", async () => {
    const local = addressOf("valid").split("@")[0];
    for (const to of [
      "someone@gmail.example",
      "postmaster@valid.t.example",
      `${local}@wrongname.t.example`,
    ]) {
      await expect(send("valid", to)).rejects.toThrow(/550/);
    }
    const result = await outboundTestResult(store, doc.id);
    expect(result?.variants.find((v) => v.kind === "valid")?.messages).toHaveLength(1);
  });

  it("refuses a message over the size limit (552) and records nothing", async () => {
    const before = (await outboundTestResult(store, doc.id))?.variants.find(
      (v) => v.kind === "valid",
    )?.messages;
    await expect(send("valid", addressOf("valid"), { text: "x".repeat(20_000) })).rejects.toThrow(/552/);
    const after = (await outboundTestResult(store, doc.id))?.variants.find(
      (v) => v.kind === "valid",
    )?.messages;
    expect(after).toHaveLength(before?.length ?? -1);
  });

  it("closes a session after too many refused recipients", async () => {
    const replies = await converse(portOf("valid"), [
      "EHLO harvester.example",
      "MAIL FROM:<a@harvester.example>",
      ...Array.from({ length: 8 }, (_, i) => `RCPT TO:<mc-guess${i}@valid.t.example>`),
    ]);
    expect(replies.match(/^550 /gm)?.length).toBe(4);
    expect(replies).toMatch(/^421 .*refused recipients/m);
  });

  it("an expired test's addresses are refused", async () => {
    const config = await unitConfig(["valid"]);
    const old = await startOutboundTest(store, config, {
      domain: "late.example",
      requestedBy: "unit",
      now: new Date(Date.now() - 120_000),
      lifetimeMs: 60_000,
    });
    await expect(send("valid", old.addresses[0]?.address ?? "")).rejects.toThrow(/550 .*unknown or expired/);
  });
});
