/**
 * The listener faces the internet: hostile clients on loopback — garbage, random bytes (fast-check),
 * silence, slow drip, floods of commands and of bytes, resets in every phase (greeting, command,
 * DATA, mid-TLS-handshake), too many connections — each ends that session only: the listener keeps
 * answering, records nothing for them, and frees every slot.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OutboundListener, startOutboundListener } from "../../../src/outbound/listener.js";
import { openOutboundStore } from "../../../src/outbound/outbound-store.js";
import { outboundTestResult, startOutboundTest } from "../../../src/outbound/outbound-tests.js";
import type { OutboundTestDocument } from "../../../src/outbound/result-document.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { unitConfig } from "./fixture.js";

const runs = Number(process.env.FUZZ_RUNS ?? 40);
let dir: string;
let store: Store;
let listener: OutboundListener;
let doc: OutboundTestDocument;
let port: number;
const idleMs = 400;
const sessionMs = 2_000;

const open = (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.on("error", reject);
  });

/** Everything the server sent until it closed the connection (or `ms` passed: then "(still open)"). */
function until(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve(`${text}(still open)`), ms);
    socket.on("data", (d) => {
      text += d.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

const settle = async () => {
  for (let i = 0; i < 50 && listener.connections() > 0; i++) await new Promise((r) => setTimeout(r, 20));
};

async function goodDelivery(): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    name: "good.example",
    tls: { rejectUnauthorized: false },
  });
  const info = await transport.sendMail({
    from: "a@good.example",
    to: doc.addresses[0]?.address ?? "",
    text: "ok",
  });
  expect(info.response).toMatch(/^250 /);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-outbound-hostile-"));
  store = await openStore(join(dir, "db.sqlite"), { create: true });
  const config = await unitConfig(["valid"]);
  listener = await startOutboundListener(config, {
    store: await openOutboundStore(store),
    reverse: async () => [],
    limits: {
      idleMs,
      sessionMs,
      maxMessageBytes: 4096,
      maxConnectionsPerIp: 4,
      connectionsPerIpPerWindow: 100_000,
      maxConnections: 50,
    },
  });
  port = listener.variants[0]?.port ?? 0;
  doc = await startOutboundTest(store, config, { domain: "victim.example", requestedBy: "unit" });
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hostile clients", () => {
  it("silence: the idle timeout closes the session with 421", async () => {
    const s = await open();
    const seen = await until(s, idleMs * 5);
    expect(seen).toMatch(/^220 /);
    expect(seen).toMatch(/421 .*[Tt]imeout/);
    await settle();
    expect(listener.connections()).toBe(0);
  });

  it("slow drip under the idle time is cut by the session limit", async () => {
    const s = await open();
    const timer = setInterval(() => s.write("N"), idleMs / 4);
    const seen = await until(s, sessionMs * 3);
    clearInterval(timer);
    expect(seen).not.toMatch(/\(still open\)$/);
    await settle();
    expect(listener.connections()).toBe(0);
  });

  it("a flood of bytes without a line end and a flood of commands end that session only", async () => {
    const a = await open();
    a.write(Buffer.alloc(2 * 1024 * 1024, 0x41));
    const b = await open();
    b.write("NOOP\r\n".repeat(5_000));
    const [seenA, seenB] = await Promise.all([until(a, 10_000), until(b, 10_000)]);
    expect(seenA).not.toMatch(/\(still open\)$/);
    expect(seenB).not.toMatch(/\(still open\)$/);
    await goodDelivery();
  });

  it("more connections from one address than allowed get 421 at once", async () => {
    const held = await Promise.all([open(), open(), open(), open()]);
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open();
    expect(await until(extra, 2_000)).toMatch(/^421 .*too-many-from-address/);
    for (const s of held) s.destroy();
    await settle();
    expect(listener.connections()).toBe(0);
  });

  it("resets in every phase: after the greeting, mid-command, mid-DATA, mid-TLS-handshake", async () => {
    const scripts: string[][] = [
      [],
      ["EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRC"],
      [
        "EHLO x.example",
        `MAIL FROM:<a@x.example>`,
        `RCPT TO:<${doc.addresses[0]?.address}>`,
        "DATA",
        "Subject: half",
      ],
      ["EHLO x.example", "STARTTLS", "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03"],
    ];
    for (const script of scripts) {
      const s = await open();
      await new Promise((r) => setTimeout(r, 50));
      for (const line of script) {
        s.write(line.endsWith("RC") || line.startsWith("\x16") ? Buffer.from(line, "latin1") : `${line}\r\n`);
        await new Promise((r) => setTimeout(r, 30));
      }
      s.resetAndDestroy();
    }
    await settle();
    expect(listener.connections()).toBe(0);
    const result = await outboundTestResult(store, doc.id);
    // Only complete messages are recorded: the half DATA left nothing.
    expect(result?.variants[0]?.messages.every((m) => m.ehlo === "good.example")).toBe(true);
    await goodDelivery();
  });

  it("any byte sequence, then a reset or a close: no crash, slots freed, nothing recorded", async () => {
    const before = (await outboundTestResult(store, doc.id))?.variants[0]?.messages.length ?? 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
            fc
              .constantFrom(
                "EHLO h\r\n",
                "HELO h\r\n",
                "MAIL FROM:<>\r\n",
                "RCPT TO:<x@y>\r\n",
                "DATA\r\n",
                ".\r\n",
                "STARTTLS\r\n",
                "RSET\r\n",
                "AUTH PLAIN AAAA\r\n",
                "\r\n",
              )
              .map((t) => Buffer.from(t)),
          ),
          { maxLength: 12 },
        ),
        fc.boolean(),
        async (chunks, reset) => {
          const s = await open();
          const closed = until(s, 3_000);
          for (const c of chunks) s.write(c);
          await new Promise((r) => setTimeout(r, 20));
          if (reset) s.resetAndDestroy();
          else s.end();
          await closed;
        },
      ),
      { numRuns: runs },
    );
    await settle();
    expect(listener.connections()).toBe(0);
    const after = (await outboundTestResult(store, doc.id))?.variants[0]?.messages.length ?? 0;
    expect(after).toBe(before);
    await goodDelivery();
  }, 120_000);
});
