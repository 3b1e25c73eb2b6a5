/** Exim main log lines → session records. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EximSessions, eximFailure } from "../../../src/indicators/log/exim-line.js";
import type { SessionRecord } from "../../../src/indicators/log/session.js";
import { addSession, emptySummary } from "../../../src/indicators/log/summary.js";

const fixture = readFileSync(new URL("../../fixtures/logs/exim-mainlog.txt", import.meta.url), "utf8");

describe("Exim main log", () => {
  const parser = new EximSessions(new Date("2026-12-02T00:00:00Z"));
  const sessions: SessionRecord[] = [];
  let unparsed = 0;
  for (const line of fixture.split("\n").filter((l) => l !== "")) {
    const r = parser.line(line);
    if (r.kind === "sessions") sessions.push(...r.sessions);
    if (r.kind === "unparsed") unparsed += 1;
  }
  const to = (local: string) =>
    sessions.find((s) => s.direction === "outbound" && s.line.includes(` ${local}@`));

  it("CV=yes and CV=dane are verified, CV=no untrusted, no X= in clear", () => {
    expect(to("one")).toMatchObject({
      tlsClass: "verified",
      tlsVersion: "TLSv1.3",
      tlsCipher: "TLS_AES_256_GCM_SHA384",
    });
    expect(to("two")?.tlsClass).toBe("verified"); // "->": another address of the same delivery
    expect(to("three")).toMatchObject({ tlsClass: "verified", peerIp: "2001:db8::25", peerPort: 25 });
    expect(to("four")?.tlsClass).toBe("untrusted");
    expect(to("five")?.tlsClass).toBe("none");
  });

  it("deferrals and bounces with their failure type", () => {
    expect(to("six")).toMatchObject({ outcome: "deferred", failureType: "starttls-not-supported" });
    expect(to("eleven")).toMatchObject({ outcome: "deferred", failureType: "certificate-not-trusted" });
    expect(to("seven")).toMatchObject({ outcome: "bounced", failureType: null });
  });

  it("pipes, files, :blackhole: and local transports are not counted", () => {
    for (const local of ["user", "eight", "nine", "ten"]) expect(to(local)).toBeUndefined();
  });

  it("zones, pids and syslog framing", () => {
    expect(to("twelve")?.time).toBe("2026-12-01T09:10:00Z");
    expect(to("thirteen")).toMatchObject({ logHost: "mx3", time: "2026-12-01T10:11:00Z", tlsClass: "none" });
  });

  it("arrivals over SMTP are inbound sessions; local submissions are not", () => {
    const inbound = sessions.filter((s) => s.direction === "inbound");
    expect(inbound.map((s) => [s.peerHost, s.peerIp, s.tlsClass])).toEqual([
      ["mx.alpha.example", "192.0.2.1", "untrusted"],
      [null, "198.51.100.2", "none"],
    ]);
  });

  it("the summary", () => {
    const summary = emptySummary();
    for (const s of sessions) addSession(summary, s);
    expect(summary.tls.outbound).toEqual({ verified: 4, trusted: 0, untrusted: 1, anonymous: 0, none: 2 });
    expect(summary.deliveries).toEqual({ sent: 7, deferred: 2, bounced: 1 });
    expect(unparsed).toBe(1);
  });

  it("failure texts", () => {
    expect(eximFailure("a TLS session is required, but the server did not offer TLS support")).toBe(
      "starttls-not-supported",
    );
    expect(eximFailure("TLS session: (certificate verification failed): certificate has expired")).toBe(
      "certificate-expired",
    );
    expect(eximFailure("Connection refused")).toBeNull();
  });
});

describe("Exim through journalctl", () => {
  it("the markers between entries are ignored, not 'not understood'", () => {
    const parser = new EximSessions(new Date("2026-12-02T00:00:00Z"));
    expect(parser.line("-- Boot 3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7 --").kind).toBe("ignored");
    expect(parser.line("-- Journal begins at Mon 2026-11-30 08:00:01 CET. --").kind).toBe("ignored");
    expect(parser.line("-- stray").kind).toBe("unparsed");
  });
});

describe("Exim: hops inside the host", () => {
  it("a delivery to a filter on 127.0.0.1 and its re-injection are not sessions between MTAs", () => {
    const parser = new EximSessions(new Date("2026-12-02T00:00:00Z"));
    const lines = [
      "2026-12-01 10:00:00 1vA1aa-000001-AB <= u@example.org H=localhost [127.0.0.1]:41000 P=esmtp S=900",
      '2026-12-01 10:00:01 1vA1aa-000001-AB => r@peer.example R=dnslookup T=remote_smtp H=127.0.0.1 [127.0.0.1]:10024 C="250 Ok"',
      "2026-12-01 10:00:02 1vA1bb-000002-AB <= u@example.org H=localhost [::1]:41001 P=esmtp S=950",
      '2026-12-01 10:00:03 1vA1bb-000002-AB => r@peer.example R=dnslookup T=remote_smtp H=mx.peer.example [198.51.100.7]:25 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 Ok"',
    ];
    const sessions = lines.flatMap((l) => {
      const r = parser.line(l);
      return r.kind === "sessions" ? r.sessions : [];
    });
    expect(sessions.map((s) => `${s.direction} ${s.peerIp} ${s.tlsClass}`)).toEqual([
      "outbound 198.51.100.7 verified",
    ]);
  });
});
