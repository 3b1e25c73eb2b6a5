/**
 * The outbound sessions of TLS-RPT out, read from the MTA-log store (`log_sessions`, filled by
 * `indicators ingest-log`). `sessionFromLog` is the mapping, pure:
 *
 * - Policy domain: the domain of a Postfix 3.10+ `TLSRPT:` line when there is one, else the
 *   recipient's domain.
 * - Policy type (RFC 8460 §4.4): `tlsa` when the MTA applied DANE (Postfix `tls=dane`/`dane-only`),
 *   `sts` when the failure is an MTA-STS one, otherwise `no-policy-found` — a static TLS policy (the
 *   charter's art. 4.4 `secure` entries) is neither a DANE nor an MTA-STS policy. The TLSA records and
 *   MTA-STS lines are not in the logs: they are looked up when the report is generated
 *   (generate-policies.ts), which may also type the sessions the log leaves untyped.
 * - Result (RFC 8460 §4.3): the failure type the log parser read; a delivery made in clear with no
 *   failure logged is `starttls-not-supported` (the MX offered no STARTTLS); anything else is a
 *   successful TLS session.
 * - Not a TLS session at all (`noTlsDecision`, session.ts): a deferral in clear with no TLS failure
 *   logged — the connection lost before or during EHLO, a 421 greeting, a greylisting 450 — says
 *   nothing of the MX's TLS (the retry's delivery will), and reporting it `starttls-not-supported`
 *   would tell the receiver its MX lacks STARTTLS when it was never asked. Left out of the report, as
 *   it is left out of the link figures' TLS classes.
 */
import type { Store } from "../../store/database.js";
import { noTlsDecision } from "../log/session.js";
import type { OutboundSession } from "./generate.js";
import { isResultType } from "./wire.js";

export interface LogSessionRow {
  readonly time: string;
  readonly peer_domain: string | null;
  readonly peer_host: string | null;
  readonly peer_ip: string | null;
  readonly tls_class: string;
  readonly outcome: string;
  readonly failure_type: string | null;
  readonly failure_detail: string | null;
  readonly tls_level: string | null;
  readonly policy_domain: string | null;
}

export function sessionFromLog(row: LogSessionRow): OutboundSession | null {
  const domain = (row.policy_domain ?? row.peer_domain)?.toLowerCase();
  if (!domain) return null;
  if (
    noTlsDecision({
      direction: "outbound",
      tlsClass: row.tls_class,
      failureType: row.failure_type || null,
      outcome: row.outcome,
    })
  )
    return null;
  const failure =
    row.failure_type && isResultType(row.failure_type)
      ? row.failure_type
      : row.failure_type
        ? "validation-failure"
        : row.tls_class === "none" && row.outcome !== "failed"
          ? "starttls-not-supported"
          : null;
  const dane = row.tls_level === "dane" || row.tls_level === "dane-only";
  const type = dane ? "tlsa" : failure?.startsWith("sts-") ? "sts" : "no-policy-found";
  return {
    time: row.time,
    policyDomain: domain,
    policy: { type, strings: [], mxHosts: [] },
    failure,
    failureReason: failure ? (row.failure_detail?.slice(0, 200) ?? null) : null,
    mxHost: row.peer_host,
    receivingIp: row.peer_ip,
  };
}

/** The organisation's outbound sessions of one UTC day, from its own MTA logs. */
export async function outboundSessions(
  store: Store,
  organisationId: number,
  day: string,
): Promise<OutboundSession[]> {
  const rows = await store.db
    .selectFrom("log_sessions")
    .select([
      "time",
      "peer_domain",
      "peer_host",
      "peer_ip",
      "tls_class",
      "outcome",
      "failure_type",
      "failure_detail",
      "tls_level",
      "policy_domain",
    ])
    .where("organisation_id", "=", organisationId)
    .where("direction", "=", "outbound")
    .where("day", "=", day)
    .orderBy("time")
    .execute();
  return rows.map(sessionFromLog).filter((s): s is OutboundSession => s !== null);
}
