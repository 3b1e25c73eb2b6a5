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

/** OpenSSL's `TLSv1.3`, GnuTLS's `TLS1.3`: one spelling. */
export function normaliseVersion(version: string): string {
  const m = /^TLS(?:v)?(\d\.\d)$/i.exec(version);
  return m ? `TLSv${m[1]}` : version;
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

export function parsePostfixMessage(service: string, text: string): PostfixEvent {
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
