/**
 * Postfix log messages → events, one message at a time, no state (the joining is postfix-sessions.ts).
 * The shapes are those of Postfix 3.x at `smtp_tls_loglevel = 1` / `smtpd_tls_loglevel = 1`
 * (docs/mta-logs.md, with sources): the TLS summary line of smtp(8), smtpd(8) and tlsproxy(8), the
 * delivery status line, smtpd's connect / disconnect / lost connection, certificate verification
 * failures, and Postfix 3.10+ `TLSRPT:` lines.
 */
import type { FailureType, TlsDetails } from "./session.js";

export interface PeerAddress {
  /** `unknown` (no reverse name) is null. */
  readonly host: string | null;
  readonly ip: string;
  readonly port: number | null;
}

export type PostfixEvent =
  | {
      readonly kind: "tls";
      readonly direction: "to" | "from";
      readonly peer: PeerAddress;
      readonly tls: TlsDetails;
    }
  | {
      readonly kind: "delivery";
      readonly queueId: string;
      readonly recipient: string;
      /** null for `relay=none`, `relay=local`, a unix socket: not an SMTP delivery to another host. */
      readonly relay: PeerAddress | null;
      readonly status: "sent" | "deferred" | "bounced";
      readonly statusText: string | null;
      readonly connUse: number;
      readonly tlsLevel: string | null;
    }
  | { readonly kind: "connect"; readonly peer: PeerAddress }
  | {
      readonly kind: "disconnect";
      readonly peer: PeerAddress;
      /** The `starttls=N[/M]` counter of the session summary: N succeeded of M attempts. */
      readonly starttls: { readonly ok: number; readonly tried: number } | null;
    }
  | { readonly kind: "lost-after-starttls"; readonly peer: PeerAddress }
  | { readonly kind: "verify-failed"; readonly failure: FailureType; readonly detail: string }
  | {
      readonly kind: "tlsrpt";
      readonly status: "success" | "failure";
      readonly domain: string;
      readonly mx: PeerAddress | null;
      readonly failure: FailureType | null;
    }
  | { readonly kind: "other" };

const other: PostfixEvent = { kind: "other" };

function peer(host: string, ip: string, port?: string): PeerAddress {
  return { host: host === "unknown" ? null : host.toLowerCase(), ip, port: port ? Number(port) : null };
}

// "Verified TLS connection established to mx.example.org[192.0.2.1]:25: TLSv1.3 with cipher
// TLS_AES_256_GCM_SHA384 (256/256 bits) …" (smtp, tlsproxy); "… from host[ip]: TLSv1.3 …" (smtpd).
const tlsLine =
  /^(Verified|Trusted|Untrusted|Anonymous) TLS connection established (to|from) ([^\s[]+)\[([^\]]+)\](?::(\d+))?: (\S+) with cipher (\S+)/;
// "3F1A2B: to=<u@example.org>, [orig_to=<…>, ]relay=mx.example.org[192.0.2.1]:25, … status=sent (…)".
const deliveryLine = /^([0-9A-Za-z]+): to=<([^>]*)>, (?:orig_to=<[^>]*>, )?relay=([^,\s]+),? (.*)$/;
const status = /(?:^|, )status=(sent|deferred|bounced|expired)(?: \((.*)\))?$/;
const relayAddress = /^([^\s[]+)\[([^\]]+)\]:(\d+)$/;
const connectLine = /^connect from ([^\s[]+)\[([^\]]+)\]/;
const disconnectLine = /^disconnect from ([^\s[]+)\[([^\]]+)\](.*)$/;
const lostAfterStarttls = /^lost connection after STARTTLS from ([^\s[]+)\[([^\]]+)\]/;
// "server certificate verification failed for host[ip]:25: num=10:certificate has expired",
// "certificate verification failed for host[ip]:25: untrusted issuer /CN=…".
const verifyFailed = /^(?:server )?certificate verification failed for \S+: (.*)$/;
// Postfix 3.10 tls/tlsrpt_wrapper.c: "TLSRPT: status=failure, domain=D, receiving_mx=N[A],
// failure_type=starttls_not_supported[, failure_reason=…]" and "TLSRPT: status=success, …".
const tlsrptLine =
  /^TLSRPT: status=(success|failure), domain=([^,\s]+), receiving_mx=([^\s[,]*)\[([^\]]*)\](?:, failure_type=([a-zA-Z_]+))?/;

/** Versions spelt already (a log has a handful): the expression runs once per spelling. */
const versions = new Map<string, string>();

/** OpenSSL's `TLSv1.3`, GnuTLS's `TLS1.3`: one spelling. */
export function normaliseVersion(version: string): string {
  const known = versions.get(version);
  if (known !== undefined) return known;
  const m = /^TLS(?:v)?(\d\.\d)$/i.exec(version);
  const spelt = m ? `TLSv${m[1]}` : version;
  if (versions.size >= 256) versions.clear();
  versions.set(version, spelt);
  return spelt;
}

const classOf = {
  Verified: "verified",
  Trusted: "trusted",
  Untrusted: "untrusted",
  Anonymous: "anonymous",
} as const;

/** The RFC 8460 §4.3 result type a Postfix delivery status text names, or null. */
export function failureOfStatus(text: string): FailureType | null {
  // smtp(8): "TLS is required, but was not offered by host …" / "… host … refused to start TLS: …".
  if (/TLS is required, but (?:was not offered|host \S+ refused to start TLS)/.test(text))
    return "starttls-not-supported";
  // smtp_proto.c: a required verification failed — the chain ("not trusted") or the name ("not verified").
  if (/Server certificate not trusted/.test(text)) return "certificate-not-trusted";
  if (/Server certificate not verified/.test(text)) return "certificate-host-mismatch";
  if (/TLSA lookup error|No usable TLSA/i.test(text)) return "tlsa-invalid";
  if (/DNSSEC/i.test(text)) return "dnssec-invalid";
  if (/Cannot start TLS|TLS is required|TLS handshake/i.test(text)) return "validation-failure";
  return null;
}

/** The result type of a `certificate verification failed` reason (OpenSSL's verify error text). */
export function failureOfVerify(reason: string): FailureType {
  if (/expired|num=10:/.test(reason)) return "certificate-expired";
  if (/hostname mismatch|name mismatch|subject name|num=62:/i.test(reason))
    return "certificate-host-mismatch";
  return "certificate-not-trusted";
}

/** libtlsrpt's failure names (`starttls_not_supported`) → the RFC's (`starttls-not-supported`). */
export function tlsrptFailure(name: string): FailureType {
  const rfc = name.toLowerCase().replace(/_/g, "-");
  const known: readonly string[] = [
    "starttls-not-supported",
    "certificate-host-mismatch",
    "certificate-expired",
    "certificate-not-trusted",
    "validation-failure",
    "tlsa-invalid",
    "dnssec-invalid",
    "dane-required",
    "sts-policy-fetch-error",
    "sts-policy-invalid",
    "sts-webpki-invalid",
  ];
  return (known.includes(rfc) ? rfc : "validation-failure") as FailureType;
}

/**
 * The message's event. The commonest messages (the TLS summary, the delivery status, smtpd's connect
 * and disconnect) are first read by hand (fast-paths below); whenever that reading is unsure, the
 * expressions decide, so the two readings can only differ in speed (test/unit/indicators/
 * postfix-fast-paths.test.ts compares them on real and mangled lines).
 */
export function parsePostfixMessage(service: string, text: string): PostfixEvent {
  return quickly(service, text) ?? parsePostfixMessageByExpressions(service, text);
}

/** The event by the expressions alone (what the fast paths must agree with). */
export function parsePostfixMessageByExpressions(service: string, text: string): PostfixEvent {
  const c = text.charCodeAt(0);
  if (service === "smtp" || service === "tlsproxy" || service === "smtpd") {
    if (c === 86 || c === 84 || c === 85 || c === 65) {
      // V, T, U, A: a TLS summary line?
      const m = tlsLine.exec(text);
      if (m) {
        return {
          kind: "tls",
          direction: m[2] as "to" | "from",
          peer: peer(m[3] as string, m[4] as string, m[5]),
          tls: {
            tlsClass: classOf[m[1] as keyof typeof classOf],
            version: normaliseVersion(m[6] as string),
            cipher: m[7] as string,
          },
        };
      }
      if (c === 84 && text.startsWith("TLSRPT: ")) {
        const t = tlsrptLine.exec(text);
        if (!t) return other;
        return {
          kind: "tlsrpt",
          status: t[1] as "success" | "failure",
          domain: (t[2] as string).toLowerCase(),
          mx: t[4] ? peer((t[3] as string) || "unknown", t[4] as string) : null,
          failure: t[5] ? tlsrptFailure(t[5]) : null,
        };
      }
    }
  }
  if (service === "smtp") {
    const d = deliveryLine.exec(text);
    if (d) {
      const rest = d[4] as string;
      const s = status.exec(rest);
      if (!s) return other;
      const r = relayAddress.exec(d[3] as string);
      // Most delivery lines have neither field: a plain search says so before an expression scans.
      const conn = rest.includes("conn_use=") ? /conn_use=(\d+)/.exec(rest) : null;
      const level = rest.includes("tls=") ? /(?:^|, )tls=([^,\s]+)/.exec(rest) : null;
      return {
        kind: "delivery",
        queueId: d[1] as string,
        recipient: (d[2] as string).toLowerCase(),
        relay: r ? peer(r[1] as string, r[2] as string, r[3]) : null,
        // RFC 3464 has no "expired": Postfix logs it when a deferred message is returned — a bounce.
        status: s[1] === "expired" ? "bounced" : (s[1] as "sent" | "deferred" | "bounced"),
        statusText: s[2] ?? null,
        connUse: conn ? Number(conn[1]) : 1,
        tlsLevel: level ? (level[1] as string) : null,
      };
    }
    const v = verifyFailed.exec(text);
    if (v) return { kind: "verify-failed", failure: failureOfVerify(v[1] as string), detail: v[1] as string };
    return other;
  }
  if (service === "smtpd") {
    let m = connectLine.exec(text);
    if (m) return { kind: "connect", peer: peer(m[1] as string, m[2] as string) };
    m = disconnectLine.exec(text);
    if (m) {
      const st = /\bstarttls=(\d+)(?:\/(\d+))?/.exec(m[3] as string);
      return {
        kind: "disconnect",
        peer: peer(m[1] as string, m[2] as string),
        starttls: st ? { ok: Number(st[1]), tried: Number(st[2] ?? st[1]) } : null,
      };
    }
    m = lostAfterStarttls.exec(text);
    if (m) return { kind: "lost-after-starttls", peer: peer(m[1] as string, m[2] as string) };
  }
  return other;
}

// Fast paths. Each reads one shape exactly as its expression does and returns its event, or
// undefined as soon as it is not sure (a character beyond ASCII, which `\s` might or might not
// match; a shape off the common one): the expressions then read the message from the start.

/** `\s` among ASCII characters. */
const space = (c: number) => c === 32 || (c >= 9 && c <= 13);
const digit = (c: number) => c >= 48 && c <= 57;
const alnum = (c: number) => digit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Where `.` stops: a message holding one of these is left to the expressions. */
const terminated = (t: string) =>
  t.includes("\n") || t.includes("\r") || t.includes("\u2028") || t.includes("\u2029");

/** The end of the host of `host[ip]` at `i` (its `[`), set by hostAndIp. */
let hostEnd = 0;

/**
 * `([^\s[]+)\[([^\]]+)\]` at `i`: the index of the `]` (hostEnd set), or -1 (not so, or unsure).
 * The host stops at its `[`; the address at the first `]` whatever it holds, as `[^\]]+` does.
 */
function hostAndIp(t: string, i: number): number {
  let k = i;
  for (; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c === 91) break;
    if (c > 127 || space(c)) return -1;
  }
  if (k === i || k >= t.length) return -1;
  const close = t.indexOf("]", k + 1);
  if (close <= k + 1) return -1;
  hostEnd = k;
  return close;
}

/** The end of the `\S+` run at `i`: its first ASCII white space or the end; -1 if empty or unsure. */
function nonSpaceEnd(t: string, i: number): number {
  let k = i;
  for (; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c > 127) return -1;
    if (space(c)) break;
  }
  return k > i ? k : -1;
}

const established = " TLS connection established ";
const withCipher = " with cipher ";

/** tlsLine, by hand. */
function quickTls(t: string): PostfixEvent | undefined {
  let word: keyof typeof classOf;
  switch (t.charCodeAt(0)) {
    case 86:
      word = "Verified";
      break;
    case 84:
      word = "Trusted";
      break;
    case 85:
      word = "Untrusted";
      break;
    case 65:
      word = "Anonymous";
      break;
    default:
      return undefined;
  }
  if (!t.startsWith(word) || !t.startsWith(established, word.length)) return undefined;
  let i = word.length + established.length;
  let direction: "to" | "from";
  if (t.startsWith("to ", i)) {
    direction = "to";
    i += 3;
  } else if (t.startsWith("from ", i)) {
    direction = "from";
    i += 5;
  } else return undefined;
  const close = hostAndIp(t, i);
  if (close < 0) return undefined;
  const host = t.slice(i, hostEnd);
  const ip = t.slice(hostEnd + 1, close);
  // `(?::(\d+))?: `
  if (t.charCodeAt(close + 1) !== 58) return undefined;
  let port: string | undefined;
  let v = close + 2;
  if (digit(t.charCodeAt(v))) {
    let k = v;
    while (digit(t.charCodeAt(k))) k++;
    if (t.charCodeAt(k) !== 58) return undefined;
    port = t.slice(v, k);
    v = k + 1;
  }
  if (t.charCodeAt(v) !== 32) return undefined;
  v++;
  const versionEnd = nonSpaceEnd(t, v);
  if (versionEnd < 0 || !t.startsWith(withCipher, versionEnd)) return undefined;
  const c0 = versionEnd + withCipher.length;
  const cipherEnd = nonSpaceEnd(t, c0);
  if (cipherEnd < 0) return undefined;
  return {
    kind: "tls",
    direction,
    peer: peer(host, ip, port),
    tls: {
      tlsClass: classOf[word],
      version: normaliseVersion(t.slice(v, versionEnd)),
      cipher: t.slice(c0, cipherEnd),
    },
  };
}

/** relayAddress, by hand, on a relay that holds no white space and is ASCII (quickDelivery's). */
function relayPeer(relay: string): PeerAddress | null {
  const open = relay.indexOf("[");
  if (open <= 0) return null;
  const close = relay.indexOf("]", open + 1);
  if (close <= open + 1 || relay.charCodeAt(close + 1) !== 58 || close + 2 >= relay.length) return null;
  for (let k = close + 2; k < relay.length; k++) if (!digit(relay.charCodeAt(k))) return null;
  return peer(relay.slice(0, open), relay.slice(open + 1, close), relay.slice(close + 2));
}

const statusWords = ["sent", "deferred", "bounced", "expired"] as const;

/** deliveryLine, then status, by hand. */
function quickDelivery(t: string): PostfixEvent | undefined {
  // `TLSRPT: …` is read as such first, whatever follows (the expressions' order).
  if (t.startsWith("TLSRPT: ")) return undefined;
  let i = 0;
  while (alnum(t.charCodeAt(i))) i++;
  if (i === 0 || !t.startsWith(": to=<", i)) return undefined;
  const queueId = t.slice(0, i);
  const r0 = i + 6;
  const r1 = t.indexOf(">", r0);
  if (r1 < 0 || !t.startsWith(", ", r1 + 1)) return undefined;
  i = r1 + 3;
  if (t.startsWith("orig_to=<", i)) {
    const o = t.indexOf(">", i + 9);
    if (o < 0 || !t.startsWith(", ", o + 1)) return undefined;
    i = o + 3;
  }
  if (!t.startsWith("relay=", i)) return undefined;
  const a = i + 6;
  let k = a;
  for (; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c === 44 || space(c)) break;
    if (c > 127) return undefined;
  }
  if (k === a) return undefined;
  let restStart: number;
  if (t.charCodeAt(k) === 32) restStart = k + 1;
  else if (t.charCodeAt(k) === 44 && t.charCodeAt(k + 1) === 32) restStart = k + 2;
  else return undefined;
  const rest = t.slice(restStart);
  if (terminated(rest)) return undefined;
  // status: `(?:^|, )status=(word)(?: \((.*)\))?$` at its leftmost place, or the expressions.
  const atStart = rest.startsWith("status=");
  const found = atStart ? 0 : rest.indexOf(", status=");
  if (found < 0) return undefined;
  const w = atStart ? 7 : found + 9;
  const word = statusWords.find((x) => rest.startsWith(x, w));
  if (word === undefined) return undefined;
  const after = w + word.length;
  let statusText: string | null = null;
  if (after !== rest.length) {
    if (!rest.startsWith(" (", after) || rest.charCodeAt(rest.length - 1) !== 41 || rest.length < after + 3)
      return undefined;
    statusText = rest.slice(after + 2, rest.length - 1);
  }
  const conn = rest.includes("conn_use=") ? /conn_use=(\d+)/.exec(rest) : null;
  const level = rest.includes("tls=") ? /(?:^|, )tls=([^,\s]+)/.exec(rest) : null;
  return {
    kind: "delivery",
    queueId,
    recipient: t.slice(r0, r1).toLowerCase(),
    relay: relayPeer(t.slice(a, k)),
    status: word === "expired" ? "bounced" : word,
    statusText,
    connUse: conn ? Number(conn[1]) : 1,
    tlsLevel: level ? (level[1] as string) : null,
  };
}

/** connectLine and disconnectLine, by hand. */
function quickConnection(t: string): PostfixEvent | undefined {
  const connect = t.startsWith("connect from ");
  if (!connect && !t.startsWith("disconnect from ")) return undefined;
  const i = connect ? 13 : 16;
  const close = hostAndIp(t, i);
  if (close < 0) return undefined;
  const address = peer(t.slice(i, hostEnd), t.slice(hostEnd + 1, close));
  if (connect) return { kind: "connect", peer: address };
  const rest = t.slice(close + 1);
  if (terminated(rest)) return undefined;
  const st = rest.includes("starttls=") ? /\bstarttls=(\d+)(?:\/(\d+))?/.exec(rest) : null;
  return {
    kind: "disconnect",
    peer: address,
    starttls: st ? { ok: Number(st[1]), tried: Number(st[2] ?? st[1]) } : null,
  };
}

function quickly(service: string, t: string): PostfixEvent | undefined {
  const c = t.charCodeAt(0);
  const tlsStart = c === 86 || c === 84 || c === 85 || c === 65;
  if (service === "smtp") return (tlsStart ? quickTls(t) : undefined) ?? quickDelivery(t);
  if (service === "smtpd")
    return tlsStart ? quickTls(t) : c === 99 || c === 100 ? quickConnection(t) : undefined;
  if (service === "tlsproxy") return tlsStart ? quickTls(t) : undefined;
  return undefined;
}
