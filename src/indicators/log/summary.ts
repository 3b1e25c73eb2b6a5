/**
 * The `ingest-log --json` summary (schema/indicators-log.schema.json): lines read, lines we could not
 * read, TLS classes of the outbound deliveries made (`none`: delivered in clear) and of the inbound
 * SMTP sessions, and the outbound deliveries by status. Pure accumulation over session records; the
 * document's schema is in summary-schema.ts (zod stays out of the log-reading thread).
 */
import type { SessionRecord, TlsClass } from "./session.js";

export type ClassCounts = Record<TlsClass, number>;

export interface LogSummary {
  readonly schema: "mailcharter/indicators-log/1";
  lines: number;
  unparsed: number;
  readonly tls: { readonly outbound: ClassCounts; readonly inbound: ClassCounts };
  readonly deliveries: { sent: number; deferred: number; bounced: number };
}

const zero = (): ClassCounts => ({ verified: 0, trusted: 0, untrusted: 0, anonymous: 0, none: 0 });

export function emptySummary(): LogSummary {
  return {
    schema: "mailcharter/indicators-log/1",
    lines: 0,
    unparsed: 0,
    tls: { outbound: zero(), inbound: zero() },
    deliveries: { sent: 0, deferred: 0, bounced: 0 },
  };
}

export function addSession(summary: LogSummary, session: SessionRecord): void {
  if (session.direction === "inbound") {
    summary.tls.inbound[session.tlsClass] += 1;
    return;
  }
  if (session.outcome === "sent" || session.outcome === "deferred" || session.outcome === "bounced")
    summary.deliveries[session.outcome] += 1;
  if (session.outcome === "sent") summary.tls.outbound[session.tlsClass] += 1;
}

export function mergeSummary(into: LogSummary, from: LogSummary): void {
  into.lines += from.lines;
  into.unparsed += from.unparsed;
  for (const d of ["outbound", "inbound"] as const)
    for (const c of Object.keys(from.tls[d]) as TlsClass[]) into.tls[d][c] += from.tls[d][c];
  for (const s of ["sent", "deferred", "bounced"] as const) into.deliveries[s] += from.deliveries[s];
}
