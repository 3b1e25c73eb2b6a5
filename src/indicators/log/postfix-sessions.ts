/**
 * Joins Postfix events into session records (session.ts). Postfix writes the TLS summary of a
 * connection on its own line, before the delivery lines of the same connection, from the same
 * process: smtp(8) lines are joined by host, instance and pid, then by queue id; tlsproxy(8) lines
 * (`smtp_tls_connection_reuse = yes`) by the relay's address and port; smtpd(8) sessions run from
 * `connect from` to `disconnect from` on one pid.
 *
 * Postfix caches plaintext connections (`conn_use=N`, N > 1) but, without tlsproxy, never a TLS
 * one: a delivery line that is not `conn_use` > 1 and not of the message (queue id) the TLS line
 * was joined to, or that comes more than `sameConnectionSeconds` later, starts a new connection —
 * one without TLS when no new TLS line came first. That is what tells a message sent in clear, after
 * the receiver stopped offering STARTTLS, from the verified one before it, on one smtp process.
 *
 * State is bounded (`limits.logJoinEntries`): the oldest open connection is forgotten first.
 */
import { logLimits } from "../../core/limits.js";
import { lineText } from "./line-reader.js";
import type { RelayLine } from "./line-relay.js";
import {
  failureOfStatus,
  type PeerAddress,
  type PostfixEvent,
  parsePostfixMessage,
} from "./postfix-events.js";
import {
  type FailureType,
  isOwnLoopback,
  type LineResult,
  type SessionRecord,
  type TlsDetails,
} from "./session.js";
import { decodeFirst, scanSyslogBytes } from "./syslog-bytes.js";
import { isJournalMarker, type SyslogFrame, scanSyslogLine } from "./syslog-line.js";
import { YearInference } from "./timestamp.js";

interface ClientState {
  tls: TlsDetails | null;
  relay: string | null;
  queueId: string | null;
  lastSeconds: number;
  hint: { failure: FailureType; detail: string } | null;
  tlsrpt: { domain: string; failure: FailureType | null } | null;
}

interface ServerState {
  tls: TlsDetails | null;
  lost: boolean;
}

/** A process's names (processOf). */
interface ProcessName {
  readonly host: string;
  readonly instance: string;
  readonly key: string;
}
/** Process names kept (a cache: emptied when full). */
const processNames = 4096;

/** Which sessions a parser makes: all, or those of one direction only. */
export type SessionSide = "all" | "inbound" | "outbound" | "none";

export interface PostfixJoinState {
  readonly years: { year: number | null; month: number };
  readonly clients: [string, ClientState][];
  readonly servers: [string, ServerState][];
  readonly proxied: [string, TlsDetails[]][];
}

/** How far apart two delivery lines of one message and one smtp process may be on one connection. */
const sameConnectionSeconds = 60;

const addressKey = (p: PeerAddress) => `${p.ip}:${p.port ?? ""}`;
/** Seconds of an ISO time; consecutive lines mostly share theirs, so the last one is kept. */
let lastIso = "";
let lastSeconds = 0;
function seconds(iso: string): number {
  if (iso !== lastIso) {
    lastSeconds = isoSeconds(iso);
    lastIso = iso;
  }
  return lastSeconds;
}

const digits2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;
/**
 * `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what the stamp readers produce) → seconds since the epoch, without
 * Date.parse's general reader; any other shape goes through it.
 */
export function isoSeconds(iso: string): number {
  const n = iso.length;
  if ((n !== 20 && n !== 24) || iso.charCodeAt(10) !== 84 || iso.charCodeAt(n - 1) !== 90)
    return Date.parse(iso) / 1000;
  const year = digits2(iso, 0) * 100 + digits2(iso, 2);
  const day = digits2(iso, 8);
  const second = digits2(iso, 17);
  // Date.UTC reads years under 100 as 19xx and rolls a 30 February or a leap second over, where
  // Date.parse refuses or reads them otherwise: those go to Date.parse.
  if (year < 1000 || day > 28 || second > 59) return Date.parse(iso) / 1000;
  const ms = Date.UTC(
    year,
    digits2(iso, 5) - 1,
    day,
    digits2(iso, 11),
    digits2(iso, 14),
    second,
    n === 24 ? (iso.charCodeAt(20) - 48) * 100 + digits2(iso, 21) : 0,
  );
  return ms / 1000;
}
const ignored: LineResult = { kind: "ignored" };
const unparsed: LineResult = { kind: "unparsed" };

/** The services sessions are read from, by the program's last part `[start, end)` of `raw`. */
function serviceOf(raw: string, start: number, end: number): "smtp" | "smtpd" | "tlsproxy" | null {
  const length = end - start;
  if (length === 4 || length === 5) {
    if (!raw.startsWith("smtp", start)) return null;
    if (length === 4) return "smtp";
    return raw.charCodeAt(start + 4) === 100 ? "smtpd" : null;
  }
  return length === 8 && raw.startsWith("tlsproxy", start) ? "tlsproxy" : null;
}

/** serviceOf() in bytes. */
function serviceOfBytes(b: Buffer, start: number, end: number): "smtp" | "smtpd" | "tlsproxy" | null {
  const length = end - start;
  if (length === 4 || length === 5) {
    if (b[start] !== 115 || b[start + 1] !== 109 || b[start + 2] !== 116 || b[start + 3] !== 112) return null;
    if (length === 4) return "smtp";
    return b[start + 4] === 100 ? "smtpd" : null;
  }
  return length === 8 && b.toString("latin1", start, end) === "tlsproxy" ? "tlsproxy" : null;
}

/**
 * Whether an smtpd message may be one parsePostfixMessage() reads: the TLS summary (V, T, U, A),
 * `TLSRPT:`, `connect from`, `disconnect from`, `lost connection after STARTTLS` — by its first
 * byte. The rest (`3F1A2B: client=…`, `NOQUEUE: reject: …`, `warning: …`) is never decoded.
 */
function smtpdMessageStart(b: Buffer, at: number, end: number): boolean {
  if (at >= end) return false;
  const c = b[at];
  return c === 86 || c === 84 || c === 85 || c === 65 || c === 99 || c === 100 || c === 108;
}

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > logLimits.joinEntries) map.delete(map.keys().next().value as string);
}

export class PostfixSessions {
  private readonly years: YearInference;
  private readonly clients = new Map<string, ClientState>();
  private readonly servers = new Map<string, ServerState>();
  private readonly proxied = new Map<string, TlsDetails[]>();
  private readonly processes = new Map<string, ProcessName>();

  /**
   * `reference`: when the log was last written (its mtime), for the year of syslog stamps.
   * `sessions`: only the inbound (smtpd) or the outbound (smtp, tlsproxy) ones. The two are joined
   * from disjoint lines, so two parsers of the same log, one for each, give together what one gives
   * (parallel-summary.ts reads them on two threads).
   */
  constructor(
    reference: Date,
    state?: PostfixJoinState,
    private readonly sessions: SessionSide = "all",
    private readonly relay: RelayLine | null = null,
  ) {
    this.years = new YearInference(reference);
    if (state) {
      this.years.restore(state.years);
      for (const [k, v] of state.clients) this.clients.set(k, v);
      for (const [k, v] of state.servers) this.servers.set(k, v);
      for (const [k, v] of state.proxied) this.proxied.set(k, v);
    }
  }

  /** What to keep to resume after this line (JSON-serialisable, bounded). */
  snapshot(): PostfixJoinState {
    return {
      years: this.years.snapshot(),
      clients: [...this.clients],
      servers: [...this.servers],
      proxied: [...this.proxied],
    };
  }

  line(raw: string): LineResult {
    const frame = scanSyslogLine(raw, this.years);
    if (frame === null) return isJournalMarker(raw) ? ignored : unparsed;
    // Most lines are of other programs (qmgr, cleanup, pickup…): dropped before any substring.
    const service = serviceOf(raw, frame.serviceStart, frame.programEnd);
    if (service === null) return ignored;
    if (!this.reads(service)) {
      if (this.relay !== null) {
        const bytes = Buffer.from(raw);
        this.relay(bytes, 0, bytes.length, frame, service);
      }
      return ignored;
    }
    return this.framed(raw, frame, service);
  }

  /**
   * An smtpd line another thread found the frame of and relayed (line-relay.ts): read as line()
   * and lineBytes() read it once they have its frame.
   */
  relayed(raw: string, frame: SyslogFrame, service: "smtp" | "smtpd" | "tlsproxy"): LineResult {
    return this.framed(raw, frame, service);
  }

  /**
   * The same from the line's bytes: its frame is scanned there (syslog-bytes.ts), and a line of a
   * program no session is read from, or an smtpd line none of whose messages it could be, is never
   * decoded. Otherwise the line is decoded and read as above, from the frame already found.
   */
  lineBytes(bytes: Buffer, start: number, end: number): LineResult {
    const frame = scanSyslogBytes(bytes, start, end, this.years);
    if (frame === decodeFirst) return this.line(lineText(bytes, start, end));
    if (frame === null) return isJournalMarker(lineText(bytes, start, end)) ? ignored : unparsed;
    const service = serviceOfBytes(bytes, frame.serviceStart, frame.programEnd);
    if (service === null) return ignored;
    if (service === "smtpd" && !smtpdMessageStart(bytes, frame.textStart, end)) return ignored;
    const relay = this.reads(service) ? null : this.relay;
    if (relay === null && !this.reads(service)) return ignored;
    // The frame is ASCII: its byte offsets are character offsets of the decoded line.
    frame.hostStart -= start;
    frame.hostEnd -= start;
    frame.programStart -= start;
    frame.programEnd -= start;
    frame.serviceStart -= start;
    frame.pidStart -= start;
    frame.pidEnd -= start;
    frame.textStart -= start;
    if (relay !== null) {
      relay(bytes, start, end, frame, service);
      return ignored;
    }
    return this.framed(lineText(bytes, start, end), frame, service);
  }

  /**
   * The process that wrote the line (host, instance, its join key), by the frame's text from the
   * host to the pid (`mx1 postfix/smtpd[1234`), which names exactly one: a busy MX's lines come from
   * a few hundred processes, so their names are cut out of a line once, not on every line.
   */
  private processOf(raw: string, frame: SyslogFrame, service: string): ProcessName {
    const name = raw.slice(frame.hostStart, frame.pidEnd);
    let found = this.processes.get(name);
    if (found === undefined) {
      const slash = raw.indexOf("/", frame.programStart);
      const host = raw.slice(frame.hostStart, frame.hostEnd);
      const instance = raw.slice(
        frame.programStart,
        slash >= 0 && slash < frame.programEnd ? slash : frame.programEnd,
      );
      const pid = raw.slice(frame.pidStart, frame.pidEnd);
      found = { host, instance, key: `${host}|${instance}|${service}|${pid}` };
      if (this.processes.size >= processNames) this.processes.clear();
      this.processes.set(name, found);
    }
    return found;
  }

  private reads(service: "smtp" | "smtpd" | "tlsproxy"): boolean {
    if (this.sessions === "all" || this.sessions === "none") return this.sessions === "all";
    return (this.sessions === "inbound") === (service === "smtpd");
  }

  private framed(raw: string, frame: SyslogFrame, service: "smtp" | "smtpd" | "tlsproxy"): LineResult {
    const event = parsePostfixMessage(service, raw.slice(frame.textStart));
    if (event.kind === "other") return ignored;
    const time = frame.time;
    const line = this.processOf(raw, frame, service);
    const processKey = line.key;
    switch (event.kind) {
      case "tls":
        if (event.direction === "to") {
          if (service === "tlsproxy") {
            const key = `${line.host}|${line.instance}|${addressKey(event.peer)}`;
            const queue = this.proxied.get(key) ?? [];
            if (queue.length < 64) queue.push(event.tls);
            bounded(this.proxied, key, queue);
            return ignored;
          }
          const previous = this.clients.get(processKey);
          bounded(this.clients, processKey, {
            tls: event.tls,
            relay: addressKey(event.peer),
            queueId: null,
            lastSeconds: seconds(time),
            hint: previous?.hint ?? null,
            tlsrpt: previous?.tlsrpt ?? null,
          });
        } else {
          // In place: the servers are kept in the order their connections opened.
          const state = this.servers.get(processKey);
          if (state) state.tls = event.tls;
          else bounded(this.servers, processKey, { tls: event.tls, lost: false });
        }
        return ignored;
      case "verify-failed": {
        const state = this.clientState(processKey);
        state.hint = { failure: event.failure, detail: event.detail };
        return ignored;
      }
      case "tlsrpt": {
        if (service !== "smtp") return ignored;
        const state = this.clientState(processKey);
        state.tlsrpt = { domain: event.domain, failure: event.failure };
        return ignored;
      }
      case "delivery":
        return this.delivery(event, time, line.host, line.instance, processKey, raw);
      case "connect":
        bounded(this.servers, processKey, { tls: null, lost: false });
        return ignored;
      case "lost-after-starttls": {
        const state = this.servers.get(processKey);
        if (state) state.lost = true;
        else bounded(this.servers, processKey, { tls: null, lost: true });
        return ignored;
      }
      case "disconnect": {
        const state = this.servers.get(processKey);
        this.servers.delete(processKey);
        // A filter's re-injection or a local program: not a session between MTAs.
        if (isOwnLoopback(event.peer.ip)) return ignored;
        const starttls = event.starttls;
        // Tolerance: a session whose TLS line was not logged (smtpd_tls_loglevel = 0, or the log
        // starts mid-session) but whose summary counts a STARTTLS: encrypted, client unauthenticated.
        const tls =
          state?.tls ??
          (starttls && starttls.ok > 0
            ? { tlsClass: "anonymous" as const, version: null, cipher: null }
            : null);
        const failed = (state?.lost ?? false) || (starttls !== null && starttls.ok < starttls.tried);
        const session: SessionRecord = {
          mta: "postfix",
          time,
          direction: "inbound",
          logHost: line.host,
          instance: line.instance,
          queueId: null,
          peerDomain: null,
          peerHost: event.peer.host,
          peerIp: event.peer.ip,
          peerPort: null,
          tlsClass: failed ? "none" : (tls?.tlsClass ?? "none"),
          tlsVersion: failed ? null : (tls?.version ?? null),
          tlsCipher: failed ? null : (tls?.cipher ?? null),
          outcome: failed ? "failed" : "accepted",
          failureType: failed ? "validation-failure" : null,
          failureDetail: failed ? (state?.lost ? "lost connection after STARTTLS" : "STARTTLS failed") : null,
          tlsLevel: null,
          policyDomain: null,
          line: raw,
        };
        return { kind: "sessions", sessions: [session] };
      }
    }
  }

  private clientState(key: string): ClientState {
    let state = this.clients.get(key);
    if (!state) {
      state = { tls: null, relay: null, queueId: null, lastSeconds: 0, hint: null, tlsrpt: null };
      bounded(this.clients, key, state);
    }
    return state;
  }

  private delivery(
    event: Extract<PostfixEvent, { kind: "delivery" }>,
    time: string,
    host: string,
    instance: string,
    processKey: string,
    raw: string,
  ): LineResult {
    if (event.relay === null) return ignored; // relay=none, local, virtual, a unix socket: not SMTP
    if (isOwnLoopback(event.relay.ip)) return ignored; // a content filter: a step inside the host
    const relay = addressKey(event.relay);
    const now = seconds(time);
    let state = this.clients.get(processKey);
    let tls: TlsDetails | null = null;
    if (state?.tls && state.relay === relay) {
      const sameConnection =
        event.connUse > 1 ||
        state.queueId === null ||
        (state.queueId === event.queueId && now - state.lastSeconds <= sameConnectionSeconds);
      if (sameConnection) tls = state.tls;
    }
    if (tls === null) {
      const key = `${host}|${instance}|${relay}`;
      const queue = this.proxied.get(key);
      const proxied = queue?.shift();
      if (queue && queue.length === 0) this.proxied.delete(key);
      if (proxied) tls = proxied;
    }
    if (!state) state = this.clientState(processKey);
    state.tls = tls;
    state.relay = tls ? relay : null;
    state.queueId = event.queueId;
    state.lastSeconds = now;
    const text = event.statusText;
    let failure: FailureType | null = state.tlsrpt?.failure ?? null;
    if (failure === null && event.status !== "sent" && text !== null) failure = failureOfStatus(text);
    if (
      state.hint &&
      event.status !== "sent" &&
      (failure === "certificate-not-trusted" ||
        failure === "certificate-host-mismatch" ||
        failure === null) &&
      (text === null || /certificate|TLS/i.test(text))
    )
      failure = state.hint.failure;
    const policyDomain = state.tlsrpt?.domain ?? null;
    state.hint = null;
    state.tlsrpt = null;
    const at = event.recipient.lastIndexOf("@");
    return {
      kind: "sessions",
      sessions: [
        {
          mta: "postfix",
          time,
          direction: "outbound",
          logHost: host,
          instance,
          queueId: event.queueId,
          peerDomain: at >= 0 ? event.recipient.slice(at + 1) : null,
          peerHost: event.relay.host,
          peerIp: event.relay.ip,
          peerPort: event.relay.port,
          tlsClass: tls?.tlsClass ?? "none",
          tlsVersion: tls?.version ?? null,
          tlsCipher: tls?.cipher ?? null,
          outcome: event.status,
          failureType: failure,
          failureDetail: failure !== null && text !== null ? text.slice(0, 300) : null,
          tlsLevel: event.tlsLevel,
          policyDomain,
          line: raw,
        },
      ],
    };
  }
}
