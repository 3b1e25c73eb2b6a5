/**
 * SMTP replies (RFC 5321 §4.2): one or more lines "CODE-text" ended by "CODE text" (or a bare
 * "CODE"). A pure framer: it finds one complete reply in the received bytes.
 */
import { type Frame, lineEnd, lineText } from "../../net/framer.js";

export interface SmtpReply {
  readonly code: number;
  /** Text of each line without the code and separator. */
  readonly lines: readonly string[];
}

/** RFC 5321 §4.2.3 reply codes we act on. */
export const SmtpCode = {
  serviceReady: 220,
  closing: 221,
  ok: 250,
  serviceNotAvailable: 421, // also: throttling ("too many connections")
  mailboxBusy: 450,
  tlsNotAvailable: 454, // RFC 3207 §4
  syntaxError: 500,
  parameterError: 501,
  notImplemented: 502,
  noService: 554,
} as const;

const replyLine = /^(\d{3})([ -]|$)(.*)$/s;

export function frameSmtpReply(buffer: Buffer): Frame<SmtpReply> {
  const lines: string[] = [];
  let code = 0;
  let offset = 0;
  for (;;) {
    const end = lineEnd(buffer, offset);
    if (end === -1) return { kind: "incomplete" };
    const text = lineText(buffer, offset, end);
    const match = replyLine.exec(text);
    if (!match) {
      return { kind: "invalid", message: `not an SMTP reply line: "${text.slice(0, 80)}"` };
    }
    code = Number(match[1]);
    lines.push(match[3] ?? "");
    offset = end;
    if (match[2] !== "-") return { kind: "frame", value: { code, lines }, consumed: offset };
  }
}

export const smtpReplyText = (reply: SmtpReply): string => `${reply.code} ${reply.lines.join(" / ")}`;

/** SMTP service extensions from an EHLO reply (RFC 5321 §4.1.1.1): keyword → parameters. */
export interface EhloCapabilities {
  readonly greeting: string;
  readonly keywords: readonly string[];
  readonly starttls: boolean;
  /** SASL mechanisms from `AUTH x y` and the pre-standard `AUTH=x y` spelling. */
  readonly auth: readonly string[];
  readonly raw: readonly string[];
}

export function parseEhlo(reply: SmtpReply): EhloCapabilities {
  const [greeting = "", ...rest] = reply.lines;
  const keywords: string[] = [];
  const auth = new Set<string>();
  for (const line of rest) {
    const [first = "", ...params] = line.trim().split(/\s+/);
    const upper = first.toUpperCase();
    const keyword = upper.startsWith("AUTH=") ? "AUTH" : upper;
    if (!keyword) continue;
    if (!keywords.includes(keyword)) keywords.push(keyword);
    if (keyword === "AUTH") {
      const mechanisms = upper.startsWith("AUTH=") ? [upper.slice(5), ...params] : params;
      for (const m of mechanisms) if (m) auth.add(m.toUpperCase());
    }
  }
  return { greeting, keywords, starttls: keywords.includes("STARTTLS"), auth: [...auth], raw: rest };
}
