/** Postfix log lines → session records: the TLS summary joined to the delivery lines. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { failureOfStatus, parsePostfixMessage } from "../../../src/indicators/log/postfix-events.js";
import { PostfixSessions } from "../../../src/indicators/log/postfix-sessions.js";
import type { SessionRecord } from "../../../src/indicators/log/session.js";
import { addSession, emptySummary } from "../../../src/indicators/log/summary.js";

const fixture = readFileSync(new URL("../../fixtures/logs/postfix-mixed.txt", import.meta.url), "utf8");
const reference = new Date("2027-01-02T00:00:00Z");

function run(text: string, ref = reference): { sessions: SessionRecord[]; unparsed: number } {
  const parser = new PostfixSessions(ref);
  const sessions: SessionRecord[] = [];
  let unparsed = 0;
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const r = parser.line(line);
    if (r.kind === "unparsed") unparsed += 1;
    if (r.kind === "sessions") sessions.push(...r.sessions);
  }
  return { sessions, unparsed };
}

const to = (sessions: SessionRecord[], local: string) =>
  sessions.find((s) => s.direction === "outbound" && s.line.includes(`to=<${local}@`));

describe("Postfix TLS summary and delivery lines", () => {
  const { sessions, unparsed } = run(fixture);

  it("joins the Verified line to every recipient of that connection, by pid and queue id", () => {
    for (const who of ["alice", "bob"]) {
      const s = to(sessions, who);
      expect(s?.tlsClass).toBe("verified");
      expect(s?.tlsVersion).toBe("TLSv1.3");
      expect(s?.tlsCipher).toBe("TLS_AES_256_GCM_SHA384");
      expect(s?.peerHost).toBe("mx.peer.example");
      expect(s?.peerIp).toBe("192.0.2.10");
      expect(s?.peerPort).toBe(25);
      expect(s?.peerDomain).toBe("peer.example");
      expect(s?.outcome).toBe("sent");
    }
  });

  it("a later message on the same smtp process without a new TLS line went in clear", () => {
    // Postfix caches plaintext connections only: a new queue id, no conn_use, no TLS line = no TLS.
    expect(to(sessions, "carol")?.tlsClass).toBe("none");
    expect(to(sessions, "gina")?.tlsClass).toBe("none");
  });

  it("failures get their RFC 8460 result type", () => {
    expect(to(sessions, "dave")).toMatchObject({
      outcome: "deferred",
      tlsClass: "none",
      failureType: "starttls-not-supported",
    });
    expect(to(sessions, "erin")).toMatchObject({
      outcome: "deferred",
      tlsClass: "untrusted",
      failureType: "certificate-not-trusted",
    });
    expect(to(sessions, "frank")).toMatchObject({
      outcome: "bounced",
      tlsClass: "trusted",
      failureType: null,
    });
  });

  it("reads a second instance (postfix-out), the TLSRPT line and the tls= level", () => {
    expect(to(sessions, "hank")).toMatchObject({
      instance: "postfix-out",
      tlsClass: "verified",
      tlsVersion: "TLSv1.3",
      policyDomain: "peer.example",
      tlsLevel: "secure",
    });
  });

  it("local deliveries and relay=none are not SMTP sessions", () => {
    expect(sessions.some((s) => s.line.includes("root@mx1"))).toBe(false);
    expect(sessions.some((s) => s.line.includes("relay=none"))).toBe(false);
  });

  it("classic stamps get their year across the new year; RFC 3339 stamps are converted to UTC", () => {
    expect(sessions.find((s) => s.direction === "inbound")?.time).toBe("2026-12-31T23:59:59Z");
    expect(to(sessions, "alice")?.time).toBe("2027-01-01T00:00:01Z");
    expect(to(sessions, "ivan")?.time).toBe("2026-12-31T23:09:00.123Z");
    expect(to(sessions, "ivan")?.logHost).toBe("mx2");
  });

  it("inbound sessions: Anonymous TLS, a lost STARTTLS, and one in clear", () => {
    const inbound = sessions.filter((s) => s.direction === "inbound");
    expect(inbound.map((s) => [s.peerHost, s.tlsClass, s.outcome])).toEqual([
      ["mail-ej1.google.com", "anonymous", "accepted"],
      [null, "none", "failed"],
      ["mx.peer.example", "none", "accepted"],
    ]);
    expect(inbound[1]?.failureDetail).toBe("lost connection after STARTTLS");
  });

  it("the summary: outbound classes of the deliveries sent, deliveries by status, unparsed lines", () => {
    const summary = emptySummary();
    for (const s of sessions) addSession(summary, s);
    expect(summary.tls.outbound).toEqual({ verified: 3, trusted: 0, untrusted: 0, anonymous: 0, none: 3 });
    expect(summary.tls.inbound).toEqual({ verified: 0, trusted: 0, untrusted: 0, anonymous: 1, none: 2 });
    expect(summary.deliveries).toEqual({ sent: 6, deferred: 2, bounced: 1 });
    expect(unparsed).toBe(1); // "this is not a syslog line"; the dovecot line is syslog, just not ours
  });
});

describe("joining", () => {
  const verified = (pid: number, at: string) =>
    `Jun  1 ${at} h postfix/smtp[${pid}]: Verified TLS connection established to mx.p.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)`;
  const delivery = (pid: number, at: string, q: string, extra = "") =>
    `Jun  1 ${at} h postfix/smtp[${pid}]: ${q}: to=<u@p.example>, relay=mx.p.example[192.0.2.1]:25,${extra} delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)`;

  it("a retry of the same message minutes later without a TLS line is a new connection", () => {
    const { sessions } = run(
      [verified(9, "10:00:00"), delivery(9, "10:00:01", "AAA"), delivery(9, "10:10:01", "AAA")].join("\n"),
    );
    expect(sessions.map((s) => s.tlsClass)).toEqual(["verified", "none"]);
  });

  it("conn_use > 1 keeps the connection's TLS (a reused tlsproxy connection)", () => {
    const { sessions } = run(
      [
        verified(9, "10:00:00"),
        delivery(9, "10:00:01", "AAA"),
        delivery(9, "10:05:01", "BBB", " conn_use=2,"),
      ].join("\n"),
    );
    expect(sessions.map((s) => s.tlsClass)).toEqual(["verified", "verified"]);
  });

  it("tlsproxy's TLS line is joined to the next delivery to that relay", () => {
    const proxy = verified(9, "10:00:00").replace("postfix/smtp[9]", "postfix/tlsproxy[77]");
    const { sessions } = run([proxy, delivery(12, "10:00:01", "CCC")].join("\n"));
    expect(sessions[0]?.tlsClass).toBe("verified");
  });

  it("a TLS line of another process is not joined", () => {
    const { sessions } = run([verified(9, "10:00:00"), delivery(10, "10:00:01", "DDD")].join("\n"));
    expect(sessions[0]?.tlsClass).toBe("none");
  });

  it("resumes from a snapshot exactly where it stopped", () => {
    const first = new PostfixSessions(reference);
    first.line(verified(9, "10:00:00"));
    const second = new PostfixSessions(reference, JSON.parse(JSON.stringify(first.snapshot())));
    const r = second.line(delivery(9, "10:00:01", "EEE"));
    expect(r.kind === "sessions" && r.sessions[0]?.tlsClass).toBe("verified");
  });

  it("keeps bounded state: a million processes never grow it past the limit", () => {
    const p = new PostfixSessions(reference);
    for (let i = 0; i < 50_000; i++) p.line(verified(i, "10:00:00"));
    expect(p.snapshot().clients.length).toBeLessThanOrEqual(20_000);
  });
});

describe("messages", () => {
  it("maps status texts to RFC 8460 result types", () => {
    expect(failureOfStatus("TLS is required, but was not offered by host mx[192.0.2.1]")).toBe(
      "starttls-not-supported",
    );
    expect(failureOfStatus("Server certificate not verified")).toBe("certificate-host-mismatch");
    expect(failureOfStatus("Cannot start TLS: handshake failure")).toBe("validation-failure");
    expect(failureOfStatus("host mx said: 550 no such user")).toBeNull();
  });

  it("reads TLSRPT failure lines with libtlsrpt's names in the RFC's spelling", () => {
    expect(
      parsePostfixMessage(
        "smtp",
        "TLSRPT: status=failure, domain=example.com, receiving_mx=mx.example.com[192.0.2.5], failure_type=starttls_not_supported",
      ),
    ).toMatchObject({
      kind: "tlsrpt",
      status: "failure",
      domain: "example.com",
      failure: "starttls-not-supported",
    });
  });

  it("anything else is not an event, never an exception", () => {
    for (const text of [
      "",
      "to=<",
      "Verified TLS connection established to [",
      "TLSRPT: status=",
      "\u0000\uffff",
    ])
      expect(parsePostfixMessage("smtp", text).kind).toBe("other");
  });
});

describe("real logs of the lab's Postfix 3.7 (recorded by test/interop/log-proof.test.ts)", () => {
  const read = (name: string) =>
    readFileSync(new URL(`../../fixtures/logs/${name}`, import.meta.url), "utf8");
  const summarise = (text: string) => {
    const summary = emptySummary();
    const { sessions, unparsed } = run(text, new Date("2026-12-02T00:00:00Z"));
    for (const s of sessions) addSession(summary, s);
    return { summary, unparsed };
  };
  it("the sender: 4 verified, 2 in clear, 3 deferred for STARTTLS not offered", () => {
    const { summary, unparsed } = summarise(read("lab-postfix-sender.txt"));
    expect(unparsed).toBe(0);
    expect(summary.tls.outbound).toEqual({ verified: 4, trusted: 0, untrusted: 0, anonymous: 0, none: 2 });
    expect(summary.deliveries).toEqual({ sent: 6, deferred: 3, bounced: 0 });
  });
  it("the receiver: 4 Anonymous TLS sessions, 5 in clear", () => {
    const { summary, unparsed } = summarise(read("lab-postfix-receiver.txt"));
    expect(unparsed).toBe(0);
    expect(summary.tls.inbound).toEqual({ verified: 0, trusted: 0, untrusted: 0, anonymous: 4, none: 5 });
  });
});
