/**
 * The relay of session lines between threads (src/indicators/log/line-relay.ts), over a real
 * MessageChannel: every line arrives, in order, with its bytes, frame, time and service, across many
 * batches; the sender waits while four batches are unacknowledged and goes on once one is read; a
 * failure stops the sending and is what pace() then says.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import {
  type RelayBatch,
  type RelayMessage,
  RelaySender,
  readBatch,
} from "../../../src/indicators/log/line-relay.js";
import type { SyslogFrame } from "../../../src/indicators/log/syslog-line.js";

const services = ["smtp", "smtpd", "tlsproxy"] as const;
let channel: MessageChannel | null = null;
afterEach(() => {
  channel?.port1.close();
  channel?.port2.close();
  channel = null;
});

interface Sent {
  readonly raw: string;
  readonly frame: SyslogFrame;
  readonly service: (typeof services)[number];
}

function lineOf(n: number): Sent {
  const host = n % 7 === 0 ? "mx-é" : `mx${n % 3}`;
  const raw = `Dec  1 10:${String(Math.floor(n / 600) % 60).padStart(2, "0")}:00 ${host} postfix/smtpd[${n}]: connect from c${n}.example[192.0.2.${n % 250}]${"x".repeat(n % 300)}`;
  const hostStart = 16;
  const hostEnd = hostStart + host.length;
  const frame: SyslogFrame = {
    time: `2026-12-01T10:${String(Math.floor(n / 600) % 60).padStart(2, "0")}:00Z`,
    hostStart,
    hostEnd,
    programStart: hostEnd + 1,
    programEnd: hostEnd + 14,
    serviceStart: hostEnd + 9,
    pidStart: hostEnd + 15,
    pidEnd: hostEnd + 15 + String(n).length,
    textStart: hostEnd + 18 + String(n).length,
  };
  return { raw, frame, service: services[n % 3] as (typeof services)[number] };
}

/** The receiving end: batches read as a worker reads them, or held unread. */
function receiver(port: MessagePort, hold = false) {
  const got: Sent[] = [];
  const held: RelayBatch[] = [];
  let ended = false;
  const read = (batch: RelayBatch) =>
    readBatch(batch, port, (raw, frame, service) => got.push({ raw, frame: { ...frame }, service }));
  port.on("message", (m: RelayMessage) => {
    if (m.kind === "end") ended = true;
    else if (hold) held.push(m);
    else read(m);
  });
  return { got, held, read, ended: () => ended };
}

const settled = (p: Promise<unknown>) =>
  Promise.race([p.then(() => "resolved"), new Promise((r) => setTimeout(() => r("pending"), 100))]);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("relaying session lines", () => {
  it("every line arrives in order with its frame and service, across batches", async () => {
    channel = new MessageChannel();
    const sender = new RelaySender(channel.port1);
    const rx = receiver(channel.port2);
    const sent = Array.from({ length: 30_000 }, (_, n) => lineOf(n));
    for (const [k, s] of sent.entries()) {
      // Each line in a buffer of its own, at an offset, as the splitter hands them.
      const bytes = Buffer.concat([Buffer.from("junk\n"), Buffer.from(s.raw), Buffer.from("\nmore")]);
      sender.line(bytes, 5, bytes.length - 5, s.frame, s.service);
      if (k % 1000 === 999) await sender.pace();
    }
    sender.end();
    await until(rx.ended);
    expect(rx.ended()).toBe(true);
    expect(rx.got.length).toBe(sent.length);
    expect(rx.got).toEqual(sent);
  });

  it("waits while four batches are unread, and goes on once one is read", async () => {
    channel = new MessageChannel();
    const sender = new RelaySender(channel.port1);
    const rx = receiver(channel.port2, true);
    const long = lineOf(299); // 300 bytes and more: a batch holds about 3,000 of them
    let n = 0;
    const fill = async () => {
      const before = rx.held.length;
      while (rx.held.length === before) {
        const bytes = Buffer.from(long.raw);
        sender.line(bytes, 0, bytes.length, long.frame, long.service);
        n++;
        if (n % 500 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    };
    for (let b = 0; b < 4; b++) await fill();
    expect(rx.held.length).toBe(4);
    expect(await settled(sender.pace())).toBe("pending");
    const waiting = sender.pace();
    rx.read(rx.held.shift() as RelayBatch);
    expect(await settled(waiting)).toBe("resolved");
    expect(rx.got.length).toBeGreaterThan(1_000);
  });

  it("after a failure nothing more is sent, and pace() says why", async () => {
    channel = new MessageChannel();
    const sender = new RelaySender(channel.port1);
    const rx = receiver(channel.port2, true);
    const s = lineOf(1);
    const bytes = Buffer.from(s.raw);
    sender.fail(new Error("the inbound summary thread ended (7) without a result"));
    for (let i = 0; i < 20_000; i++) sender.line(bytes, 0, bytes.length, s.frame, s.service);
    sender.end();
    await expect(sender.pace()).rejects.toThrow(/ended \(7\) without a result/);
    await new Promise((r) => setTimeout(r, 50));
    expect(rx.held.length).toBe(0);
    expect(rx.ended()).toBe(false);
  });
});
