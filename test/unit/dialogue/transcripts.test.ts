/** Real and modelled transcripts replayed through the pure dialogues (no sockets). */
import { describe, expect, it } from "vitest";
import { imapDialogue } from "../../../src/audit/dialogue/imap.js";
import { pop3Dialogue } from "../../../src/audit/dialogue/pop3.js";
import { smtpDialogue } from "../../../src/audit/dialogue/smtp.js";
import { loadFixture, replay } from "../../support/replay.js";

const smtp = (mode: "starttls" | "implicit" | "none" = "starttls") =>
  smtpDialogue({ ehloName: "probe.lab.test", tlsMode: mode });

describe("SMTP transcripts", () => {
  it("Postfix (recorded): STARTTLS, re-EHLO, not advertised again", () => {
    const r = replay(smtp(), loadFixture("postfix-25-starttls.txt"));
    expect(r.commands).toEqual(["EHLO probe.lab.test", "STARTTLS", "EHLO probe.lab.test", "QUIT"]);
    expect(r.last.kind).toBe("done");
    expect(r.facts.greeting?.code).toBe(220);
    expect(r.facts.starttlsAdvertised).toBe(true);
    expect(r.facts.starttlsReply).toBe("220 2.0.0 Ready to start TLS");
    expect(r.facts.starttlsAdvertisedAfterTls).toBe(false);
    expect(r.facts.authBeforeTls).toEqual([]);
    expect(r.facts.ehloAfterTls?.keywords).toContain("CHUNKING");
  });

  it("Postfix without TLS (recorded): fails at starttls, not offered", () => {
    const r = replay(smtp(), loadFixture("postfix-25-no-starttls.txt"));
    expect(r.last).toMatchObject({ kind: "fail", step: "starttls", reason: "not_offered" });
    expect(r.facts.starttlsAdvertised).toBe(false);
  });

  it("Exim: three-line banner, AUTH offered before TLS", () => {
    const r = replay(smtp(), loadFixture("exim-25-starttls.txt"));
    expect(r.facts.greeting?.lines).toHaveLength(3);
    expect(r.facts.authBeforeTls).toEqual(["PLAIN", "LOGIN"]);
    expect(r.last.kind).toBe("done");
  });

  it("Exchange Online and Gmail MX", () => {
    for (const name of ["microsoft-25-starttls.txt", "google-25-starttls.txt"]) {
      const r = replay(smtp(), loadFixture(name));
      expect(r.last.kind, name).toBe("done");
      expect(r.facts.starttlsAdvertised, name).toBe(true);
      expect(r.facts.starttlsAdvertisedAfterTls, name).toBe(false);
    }
  });

  it("Exchange on-premises: AUTH=LOGIN spelling merged, STARTTLS re-advertised is flagged", () => {
    const r = replay(smtp(), loadFixture("exchange-587-auth-equals.txt"));
    expect(r.facts.authBeforeTls).toEqual(["GSSAPI", "NTLM"]);
    expect(r.facts.authAfterTls).toEqual(["GSSAPI", "NTLM", "LOGIN"]);
    expect(r.facts.starttlsAdvertisedAfterTls).toBe(true);
  });

  it("a 421 banner is throttling, not 'no TLS'", () => {
    const r = replay(smtp(), loadFixture("postfix-25-throttled.txt"));
    expect(r.last).toMatchObject({ kind: "fail", step: "greeting", reason: "throttled" });
  });

  it("EHLO refused: HELO fallback, STARTTLS impossible", () => {
    const r = replay(smtp(), loadFixture("exim-25-helo-only.txt"));
    expect(r.commands).toEqual(["EHLO probe.lab.test", "HELO probe.lab.test"]);
    expect(r.facts.heloFallback).toBe(true);
    expect(r.last).toMatchObject({ kind: "fail", step: "starttls", reason: "not_offered" });
  });
});

describe("IMAP transcripts", () => {
  it("Dovecot (recorded): capabilities in the greeting, LOGINDISABLED, CAPABILITY after TLS", () => {
    const r = replay(imapDialogue({ tlsMode: "starttls" }), loadFixture("dovecot-143-starttls.txt"));
    expect(r.commands).toEqual(["mc1 STARTTLS", "mc2 CAPABILITY", "mc3 LOGOUT"]);
    expect(r.facts.loginDisabledBeforeTls).toBe(true);
    expect(r.facts.authBeforeTls).toEqual([]);
    expect(r.facts.authAfterTls).toEqual(["PLAIN", "LOGIN"]);
    expect(r.last.kind).toBe("done");
  });

  it("Dovecot with ssl=no (recorded): login allowed in plaintext, no STARTTLS", () => {
    const r = replay(imapDialogue({ tlsMode: "starttls" }), loadFixture("dovecot-143-plain.txt"));
    expect(r.facts.loginDisabledBeforeTls).toBe(false);
    expect(r.last).toMatchObject({ kind: "fail", reason: "not_offered" });
  });

  it("Gmail 993: greeting without capabilities, CAPABILITY asked", () => {
    const r = replay(imapDialogue({ tlsMode: "implicit" }), loadFixture("google-993-imap.txt"));
    expect(r.commands).toEqual(["mc1 CAPABILITY", "mc2 LOGOUT"]);
    expect(r.facts.authAfterTls).toContain("XOAUTH2");
  });
});

describe("POP3 transcripts", () => {
  it("Dovecot (recorded): STLS, USER only after TLS", () => {
    const r = replay(pop3Dialogue({ tlsMode: "starttls" }), loadFixture("dovecot-110-stls.txt"));
    expect(r.commands).toEqual(["CAPA", "STLS", "CAPA", "QUIT"]);
    expect(r.facts.userBeforeTls).toBe(false);
    expect(r.facts.saslBeforeTls).toEqual([]);
    expect(r.facts.saslAfterTls).toEqual(["PLAIN", "LOGIN"]);
    expect(r.last.kind).toBe("done");
  });
});
