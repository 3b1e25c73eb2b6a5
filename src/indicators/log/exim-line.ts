/**
 * Exim 4 main log lines → session records, one line at a time (each Exim line is self-contained).
 * The shapes (Exim specification, chapter "Log files", docs/mta-logs.md): `DATE TIME [+ZONE] [[PID]]
 * MSGID FLAG ADDRESS … FIELD=VALUE …`, flags `<=` arrival, `=>` delivery, `->` another address of
 * the same delivery, `==` deferral, `**` bounce; fields `H=host [ip]:port`, `P=esmtps`,
 * `X=version:cipher:bits`, `CV=yes|no|dane`, `T=transport`. The same lines through syslog
 * (`Mmm dd hh:mm:ss host exim[pid]: …`) are read too, with or without Exim's own stamp inside.
 */

import { lineText } from "./line-reader.js";
import { normaliseVersion } from "./postfix-events.js";
import {
  type FailureType,
  isOwnLoopback,
  type LineResult,
  type Outcome,
  type SessionRecord,
  type TlsClass,
} from "./session.js";
import { isJournalMarker, parseSyslogLine } from "./syslog-line.js";
import { rfc3339Time, YearInference } from "./timestamp.js";

const stamp = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?)(?: ([+-]\d{4}))? (?:\[\d+\] )?(.*)$/;
// Message ids: 6-6-2 base 62 (to 4.96), 6-11-4 (4.97+).
const entry = /^([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (<=|=>|->|==|\*\*) (.*)$/;
const hostField = / H=(?:([^\s([]+) )?(?:\([^)]*\) )?\[([0-9A-Fa-f:.]+)\](?::(\d+))?/;

const ignored: LineResult = { kind: "ignored" };
const unparsed: LineResult = { kind: "unparsed" };

function field(text: string, name: string): string | null {
  const m = new RegExp(` ${name}=(\\S+)`).exec(text);
  return m ? (m[1] as string) : null;
}

/** Exim's CV= (tls_certificate_verified): yes and dane are verified, no is untrusted. */
function classOf(x: string | null, cv: string | null): TlsClass {
  if (x === null) return "none";
  if (cv === "yes" || cv === "dane") return "verified";
  // Tolerance: CV= absent (log_selector without +tls_certificate_verified): encrypted, nothing
  // known of the certificate — counted as untrusted, never as verified.
  return "untrusted";
}

/** `X=TLS1.3:TLS_AES_256_GCM_SHA384:256` (GnuTLS) or `X=TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128`. */
function tlsOf(x: string | null): { version: string | null; cipher: string | null } {
  if (x === null) return { version: null, cipher: null };
  const parts = x.split(":");
  return {
    version: normaliseVersion(parts[0] ?? ""),
    cipher: parts.length > 2 ? parts.slice(1, -1).join(":") : (parts[1] ?? null),
  };
}

/** The RFC 8460 §4.3 result type of an Exim deferral or bounce reason, or null. */
export function eximFailure(text: string): FailureType | null {
  if (/did not offer TLS|TLS support|STARTTLS/i.test(text) && !/certificate/i.test(text))
    return "starttls-not-supported";
  if (/certificate.*(?:expired)|expired.*certificate/i.test(text)) return "certificate-expired";
  if (/name|hostname/i.test(text) && /certificate|verif/i.test(text)) return "certificate-host-mismatch";
  if (/certificate|verif/i.test(text)) return "certificate-not-trusted";
  if (/DANE|TLSA/.test(text)) return "tlsa-invalid";
  if (/TLS/.test(text)) return "validation-failure";
  return null;
}

/** Local deliveries: pipes, files, :blackhole:, LMTP and appendfile transports. Not SMTP. */
function isLocal(address: string, rest: string, host: RegExpExecArray | null): boolean {
  if (/^[|/]|^:blackhole:/.test(address)) return true;
  if (host === null) return true;
  const transport = field(rest, "T") ?? "";
  return /lmtp|pipe|file|appendfile|local/i.test(transport);
}

export class EximSessions {
  private readonly years: YearInference;
  constructor(reference: Date) {
    this.years = new YearInference(reference);
  }
  snapshot(): { years: { year: number | null; month: number } } {
    return { years: this.years.snapshot() };
  }
  restore(state: { years: { year: number | null; month: number } }): void {
    this.years.restore(state.years);
  }

  lineBytes(bytes: Buffer, start: number, end: number): LineResult {
    return this.line(lineText(bytes, start, end));
  }

  line(raw: string): LineResult {
    let body = raw;
    let time: string | null = null;
    let logHost: string | null = null;
    let instance = "exim";
    if (!/^\d{4}-/.test(raw)) {
      const framed = parseSyslogLine(raw, this.years);
      if (framed === null) return isJournalMarker(raw) ? ignored : unparsed;
      if (!framed.instance.startsWith("exim")) return ignored;
      body = framed.text;
      time = framed.time;
      logHost = framed.host;
      instance = framed.instance;
    }
    const s = stamp.exec(body);
    if (s) {
      const zone = s[2] ? `${s[2].slice(0, 3)}:${s[2].slice(3)}` : "Z";
      time = rfc3339Time(`${(s[1] as string).replace(" ", "T")}${zone}`) ?? time;
      body = s[3] as string;
    } else if (time === null) return unparsed;
    if (time === null) return unparsed;
    const e = entry.exec(body);
    if (!e) return ignored; // "Completed", "SMTP connection from", queue runs…: not a session
    const flag = e[2] as string;
    const rest = ` ${e[3] as string}`;
    const address = (e[3] as string).split(" ", 1)[0] as string;
    const host = hostField.exec(rest);
    const x = field(rest, "X");
    const cv = field(rest, "CV");
    if (flag === "<=") {
      if (host === null) return ignored; // a local submission (P=local)
      if (isOwnLoopback(host[2] ?? null)) return ignored; // a filter's re-injection, a local program
      const protocol = field(rest, "P") ?? "";
      if (!/smtp/i.test(protocol)) return ignored;
      const tlsClass = classOf(x, cv);
      return {
        kind: "sessions",
        sessions: [
          this.record(
            raw,
            time,
            logHost,
            instance,
            e[1] as string,
            "inbound",
            null,
            host,
            tlsClass,
            x,
            "accepted",
            null,
            null,
          ),
        ],
      };
    }
    // Recipient: "user@domain" or "local <user@domain>" (the original address in angle brackets).
    const angle = /^\S+ <([^>]+)>/.exec(e[3] as string);
    const recipient = (angle ? (angle[1] as string) : address).toLowerCase();
    if (isLocal(address, rest, host) && !(flag !== "=>" && flag !== "->" && /T=\S*smtp/i.test(rest)))
      return ignored;
    if (isOwnLoopback(host?.[2] ?? null)) return ignored; // a content filter on this host
    const outcome: Outcome = flag === "==" ? "deferred" : flag === "**" ? "bounced" : "sent";
    // The reason, without the TLS fields (X=TLS1.3… would read as a TLS failure).
    const reason = rest
      .replace(/ (?:X|CV|DN|SNI)=(?:"[^"]*"|\S+)/g, "")
      .replace(/^.*?(?:defer \(-?\d+\)|\]:\d*)\s*:?\s*/, "");
    const failure = outcome === "sent" ? null : eximFailure(reason);
    const detail = outcome === "sent" ? null : reason.trim().slice(0, 300) || null;
    const at = recipient.lastIndexOf("@");
    return {
      kind: "sessions",
      sessions: [
        this.record(
          raw,
          time,
          logHost,
          instance,
          e[1] as string,
          "outbound",
          at >= 0 ? recipient.slice(at + 1) : null,
          host,
          outcome === "sent" ? classOf(x, cv) : x ? classOf(x, cv) : "none",
          x,
          outcome,
          failure,
          failure ? detail : null,
        ),
      ],
    };
  }

  private record(
    line: string,
    time: string,
    logHost: string | null,
    instance: string,
    queueId: string,
    direction: "inbound" | "outbound",
    peerDomain: string | null,
    host: RegExpExecArray | null,
    tlsClass: TlsClass,
    x: string | null,
    outcome: Outcome,
    failureType: FailureType | null,
    failureDetail: string | null,
  ): SessionRecord {
    const tls = tlsOf(x);
    return {
      mta: "exim",
      time,
      direction,
      logHost,
      instance,
      queueId,
      peerDomain,
      peerHost: host?.[1]?.toLowerCase() ?? null,
      peerIp: host?.[2] ?? null,
      peerPort: host?.[3] ? Number(host[3]) : null,
      tlsClass,
      tlsVersion: tls.version,
      tlsCipher: tls.cipher,
      outcome,
      failureType,
      failureDetail,
      tlsLevel: null,
      policyDomain: null,
      line,
    };
  }
}
