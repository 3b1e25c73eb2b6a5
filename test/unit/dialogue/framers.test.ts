import { describe, expect, it } from "vitest";
import { frameHttpResponse, parseSetCookie } from "../../../src/audit/dialogue/http-response.js";
import { capabilitiesIn, frameImapResponse } from "../../../src/audit/dialogue/imap-response.js";
import { framePop3Response } from "../../../src/audit/dialogue/pop3-response.js";
import { frameSmtpReply, parseEhlo } from "../../../src/audit/dialogue/smtp-reply.js";

const b = (s: string) => Buffer.from(s, "latin1");

describe("SMTP replies", () => {
  it("frames multi-line replies and leaves the rest", () => {
    const frame = frameSmtpReply(b("250-a\r\n250-b\r\n250 c\r\n221 extra"));
    expect(frame).toMatchObject({
      kind: "frame",
      value: { code: 250, lines: ["a", "b", "c"] },
      consumed: 21,
    });
  });
  it("waits for the last line; accepts bare LF and a bare code", () => {
    expect(frameSmtpReply(b("250-a\r\n250 c")).kind).toBe("incomplete");
    expect(frameSmtpReply(b("220\n"))).toMatchObject({ kind: "frame", value: { code: 220, lines: [""] } });
  });
  it("refuses lines that are not replies", () => {
    expect(frameSmtpReply(b("HTTP/1.1 400 Bad Request\r\n")).kind).toBe("invalid");
    expect(frameSmtpReply(b("25 short\r\n")).kind).toBe("invalid");
  });
  it("parses EHLO keywords case-insensitively", () => {
    const caps = parseEhlo({ code: 250, lines: ["host", "starttls", "Auth login PLAIN", "AUTH=CRAM-MD5"] });
    expect(caps.starttls).toBe(true);
    expect(caps.auth).toEqual(["LOGIN", "PLAIN", "CRAM-MD5"]);
    expect(caps.keywords).toEqual(["STARTTLS", "AUTH"]);
  });
});

describe("IMAP responses", () => {
  it("frames untagged lines up to the tagged completion", () => {
    const frame = frameImapResponse("a1")(b("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n"));
    expect(frame).toMatchObject({
      kind: "frame",
      value: { untagged: ["CAPABILITY IMAP4rev1 STARTTLS"], tagged: { tag: "a1", status: "OK" } },
    });
  });
  it("keeps literals inside their line and waits for all their octets", () => {
    const framer = frameImapResponse("a1");
    expect(framer(b("* ID {5}\r\nab")).kind).toBe("incomplete");
    const frame = framer(b("* ID {5}\r\nab\r\ncd)\r\na1 OK\r\n"));
    expect(frame.kind).toBe("frame");
  });
  it("a greeting is one untagged line; garbage is invalid", () => {
    expect(frameImapResponse(null)(b("* OK ready\r\n* extra"))).toMatchObject({
      kind: "frame",
      consumed: 12,
    });
    expect(frameImapResponse(null)(b("220 smtp here\r\n")).kind).toBe("invalid");
  });
  it("reads capabilities from a response code or an untagged line", () => {
    expect(capabilitiesIn("OK [CAPABILITY IMAP4rev1 starttls] hi")).toEqual(["IMAP4REV1", "STARTTLS"]);
    expect(capabilitiesIn("CAPABILITY IMAP4rev1 AUTH=PLAIN")).toEqual(["IMAP4REV1", "AUTH=PLAIN"]);
    expect(capabilitiesIn("OK hi")).toBeNull();
  });
});

describe("POP3 responses", () => {
  it("frames multi-line answers with dot-unstuffing", () => {
    const frame = framePop3Response(true)(b("+OK\r\nSTLS\r\n..dot\r\n.\r\n"));
    expect(frame).toMatchObject({ kind: "frame", value: { ok: true, lines: ["STLS", ".dot"] } });
  });
  it("an -ERR to a multi-line command is one line", () => {
    expect(framePop3Response(true)(b("-ERR no CAPA\r\n"))).toMatchObject({
      kind: "frame",
      value: { ok: false },
    });
  });
  it("garbage is invalid", () => {
    expect(framePop3Response(false)(b("* OK imap\r\n")).kind).toBe("invalid");
  });
});

describe("HTTP responses", () => {
  const frame = frameHttpResponse({ head: false, maxBody: 16 });
  it("Content-Length bodies", () => {
    expect(frame(b("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"), false).kind).toBe("incomplete");
    expect(frame(b("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false)).toMatchObject({
      kind: "frame",
      value: { status: 200 },
    });
  });
  it("chunked bodies", () => {
    const result = frame(
      b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
      false,
    );
    expect(result.kind === "frame" && result.value.body.toString()).toBe("abcde");
  });
  it("bodies until close, truncated past the cap", () => {
    expect(frame(b("HTTP/1.0 200 OK\r\n\r\nshort"), false).kind).toBe("incomplete");
    expect(frame(b("HTTP/1.0 200 OK\r\n\r\nshort"), true)).toMatchObject({
      kind: "frame",
      value: { truncated: false },
    });
    expect(frame(b(`HTTP/1.0 200 OK\r\n\r\n${"x".repeat(40)}`), false)).toMatchObject({
      kind: "frame",
      value: { truncated: true },
    });
  });
  it("skips interim 1xx responses and keeps repeated headers apart", () => {
    const result = frame(
      b("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n"),
      false,
    );
    expect(result).toMatchObject({ kind: "frame", value: { status: 204 } });
    expect(
      result.kind === "frame" && result.value.headers.filter((h) => h.name === "set-cookie"),
    ).toHaveLength(2);
  });
  it("refuses a bad status line and a bad Content-Length", () => {
    expect(frame(b("SSH-2.0-OpenSSH\r\n\r\n"), false).kind).toBe("invalid");
    expect(frame(b("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), false).kind).toBe("invalid");
  });
  it("parses Set-Cookie attributes", () => {
    expect(parseSetCookie("SID=x=y; Secure; HttpOnly; SameSite=Strict; Path=/")).toEqual({
      name: "SID",
      value: "x=y",
      attributes: { secure: true, httponly: true, samesite: "Strict", path: "/" },
    });
    expect(parseSetCookie("novalue")).toBeNull();
  });
});
