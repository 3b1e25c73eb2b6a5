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
  it("the sender's own submissions over SMTP from 127.0.0.1 are not inbound sessions", () => {
    const text = read("lab-postfix-sender.txt");
    expect(text).toContain("disconnect from localhost[127.0.0.1]");
    expect(summarise(text).summary.tls.inbound).toEqual({
      verified: 0,
      trusted: 0,
      untrusted: 0,
      anonymous: 0,
      none: 0,
    });
  });
  it("the receiver: 4 Anonymous TLS sessions, 5 in clear", () => {
    const { summary, unparsed } = summarise(read("lab-postfix-receiver.txt"));
    expect(unparsed).toBe(0);
    expect(summary.tls.inbound).toEqual({ verified: 0, trusted: 0, untrusted: 0, anonymous: 4, none: 5 });
  });
});

describe("hops inside the host: a content filter on the loopback address", () => {
  // The FILTER_README shape (amavisd-new): the message goes to 127.0.0.1:10024 in clear, comes back
  // on :10025 under a new queue id, then leaves over TLS. Only the last hop is between MTAs.
  const log = [
    "Dec  1 10:00:00 mx postfix/submission/smtpd[100]: Anonymous TLS connection established from unknown[192.0.2.50]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
    "Dec  1 10:00:00 mx postfix/submission/smtpd[100]: AAA111: client=unknown[192.0.2.50], sasl_method=PLAIN, sasl_username=u@example.org",
    "Dec  1 10:00:01 mx postfix/smtp[101]: AAA111: to=<r@peer.example>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.4, delays=0.1/0/0/0.3, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as BBB222)",
    "Dec  1 10:00:01 mx postfix/smtpd[102]: connect from localhost[127.0.0.1]",
    "Dec  1 10:00:01 mx postfix/smtpd[102]: BBB222: client=localhost[127.0.0.1]",
    "Dec  1 10:00:01 mx postfix/smtpd[102]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
    "Dec  1 10:00:02 mx postfix/smtp[103]: Trusted TLS connection established to mx.peer.example[198.51.100.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
    "Dec  1 10:00:03 mx postfix/smtp[103]: BBB222: to=<r@peer.example>, relay=mx.peer.example[198.51.100.7]:25, delay=2, delays=0/0/1/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    "Dec  1 10:00:04 mx postfix/lmtp[104]: CCC333: to=<u@example.org>, relay=mx.example.org[/var/run/dovecot/lmtp], delay=0.05, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
    "Dec  1 10:00:05 mx postfix/smtp[105]: DDD444: to=<r@peer.example>, relay=::1[::1]:10024, delay=0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  ].join("\n");
  it("counts one delivery, over Trusted TLS, and the submission client, not the filter's hops", () => {
    const { sessions, unparsed } = run(log);
    expect(unparsed).toBe(0);
    expect(sessions.map((s) => `${s.direction} ${s.peerIp} ${s.tlsClass}`)).toEqual([
      "outbound 198.51.100.7 trusted",
    ]);
  });
});

describe("syslog frames beyond the classic one", () => {
  const delivery =
    "mx postfix/smtp[7]: EEE555: to=<r@peer.example>, relay=mx.peer.example[198.51.100.7]:25, delay=1, dsn=2.0.0, status=sent (250 Ok)";
  it.each([
    ["déc. 02 05:23:35", "2026-12-02T05:23:35Z"], // journalctl on a French server
    ["<22>Dec  2 05:23:35", "2026-12-02T05:23:35Z"], // the RFC 3164 priority kept
    ["2026-12-02 05:23:35", "2026-12-02T05:23:35Z"], // RFC 3339 with a space
    ["2026-12-02 06:23:35.250+01:00", "2026-12-02T05:23:35.250Z"],
    ["2026-12-02T06:23:35.123456+01:00", "2026-12-02T05:23:35.123Z"],
  ])("%s", (stamp, time) => {
    const { sessions, unparsed } = run(`${stamp} ${delivery}`, new Date("2026-12-31T00:00:00Z"));
    expect(unparsed).toBe(0);
    expect(sessions[0]?.time).toBe(time);
  });
  it("a stamp that is not one stays unparsed", () => {
    expect(run(`12 déc. 05:23:35 ${delivery}`).unparsed).toBe(1);
  });
  it("journalctl's markers between entries are neither sessions nor 'not understood'", () => {
    const text = [
      "-- Logs begin at Mon 2026-11-30 08:00:01 CET, end at Wed 2026-12-02 06:00:01 CET. --",
      `Dec 02 05:23:35 ${delivery}`,
      "-- Reboot --",
      "-- Boot 3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7 --",
      "-- No entries --",
      "-- not a marker",
    ].join("\n");
    const { sessions, unparsed } = run(text, new Date("2026-12-31T00:00:00Z"));
    expect(sessions).toHaveLength(1);
    expect(unparsed).toBe(1);
  });
});
