/**
 * The per-link figures a session adds (pure): one count for its TLS class, its outcome, its RFC 8460
 * failure type, its TLS version and its suite, on its day and link, by who saw it. The store sums
 * them as sessions arrive (link-store.ts), so the figures are always up to date and never recomputed.
 *
 * An attempt that ended before TLS could be offered (`noTlsDecision`, session.ts: a deferral in
 * clear with no TLS failure) adds its outcome and an `attempt` count `no-tls-decision`, but no TLS
 * class: counted `none`, a day of greylisting or of an MX that drops connections at the greeting
 * would read as mail sent in clear and lower the verified share the detection watches.
 */
import { noTlsDecision, type SessionRecord } from "../log/session.js";
import { linkOf, type PartyDirectory } from "./parties.js";

export type FigureSource = "sender-log" | "receiver-log" | "tlsrpt";
export type FigureMetric = "class" | "outcome" | "failure" | "version" | "suite" | "attempt";

/** The `attempt` figure's value: attempts that reached no TLS decision (see above). */
export const noTlsDecisionValue = "no-tls-decision";

export interface FigureIncrement {
  readonly day: string;
  readonly sender: string;
  readonly receiver: string;
  readonly senderOrgId: number | null;
  readonly receiverOrgId: number | null;
  readonly source: FigureSource;
  readonly metric: FigureMetric;
  readonly value: string;
  readonly count: number;
}

export function sessionFigures(
  session: SessionRecord,
  self: number,
  directory: PartyDirectory,
): FigureIncrement[] {
  const { sender, receiver } = linkOf(session, self, directory);
  const base = {
    day: session.time.slice(0, 10),
    sender: sender.key,
    receiver: receiver.key,
    senderOrgId: sender.organisationId,
    receiverOrgId: receiver.organisationId,
    source: (session.direction === "outbound" ? "sender-log" : "receiver-log") as FigureSource,
    count: 1,
  };
  const out: FigureIncrement[] = [
    noTlsDecision(session)
      ? { ...base, metric: "attempt", value: noTlsDecisionValue }
      : { ...base, metric: "class", value: session.tlsClass },
    { ...base, metric: "outcome", value: session.outcome },
  ];
  if (session.failureType !== null) out.push({ ...base, metric: "failure", value: session.failureType });
  if (session.tlsVersion !== null) out.push({ ...base, metric: "version", value: session.tlsVersion });
  if (session.tlsCipher !== null) out.push({ ...base, metric: "suite", value: session.tlsCipher });
  return out;
}

/** Sums increments with the same key (one upsert per key and batch). */
export function sumFigures(increments: readonly FigureIncrement[]): FigureIncrement[] {
  const sums = new Map<string, FigureIncrement>();
  for (const f of increments) {
    const key = `${f.day}|${f.sender}|${f.receiver}|${f.source}|${f.metric}|${f.value}`;
    const prev = sums.get(key);
    sums.set(key, prev ? { ...prev, count: prev.count + f.count } : f);
  }
  return [...sums.values()];
}

/**
 * Adds a session's figures straight into `sums` (keyed like `sumFigures`): the ingestion's hot path,
 * without the intermediate increments.
 */
export function addSessionFigures(
  sums: Map<string, FigureIncrement>,
  session: SessionRecord,
  self: number,
  directory: PartyDirectory,
): void {
  const { sender, receiver } = linkOf(session, self, directory);
  const day = session.time.slice(0, 10);
  const source: FigureSource = session.direction === "outbound" ? "sender-log" : "receiver-log";
  const prefix = `${day}|${sender.key}|${receiver.key}|${source}|`;
  const add = (metric: FigureMetric, value: string) => {
    const key = `${prefix}${metric}|${value}`;
    const prev = sums.get(key);
    if (prev) (prev as { count: number }).count += 1;
    else
      sums.set(key, {
        day,
        sender: sender.key,
        receiver: receiver.key,
        senderOrgId: sender.organisationId,
        receiverOrgId: receiver.organisationId,
        source,
        metric,
        value,
        count: 1,
      });
  };
  if (noTlsDecision(session)) add("attempt", noTlsDecisionValue);
  else add("class", session.tlsClass);
  add("outcome", session.outcome);
  if (session.failureType !== null) add("failure", session.failureType);
  if (session.tlsVersion !== null) add("version", session.tlsVersion);
  if (session.tlsCipher !== null) add("suite", session.tlsCipher);
}
