/**
 * Charter art. 4.4 from evidence: a signatory configures TLS toward each new signatory within three
 * months of its adhesion. "Configured" is what our generated policy says (src/policy art44Table);
 * "observed" is what the sender's sessions toward the peer's domains were — its own outbound log,
 * or the TLS-RPT reports it sent — day by day. The pair is verified since the first day after the
 * last day with a session that was not verified TLS; it is late when that day is after the deadline,
 * or when the deadline has passed without it.
 */
import type { Art44Row } from "../../policy/generate.js";
import type { LinkRow } from "./link-figures.js";

export type EvidenceState =
  | "verified" // every session since `verifiedSince` was verified TLS, from before the deadline
  | "verified-late" // the same, but from after the deadline
  | "not-verified" // sessions observed, the latest not all verified; deadline not passed
  | "late" // the deadline passed and the sessions are not (or not known to be) verified
  | "no-evidence" // nothing observed yet; deadline not passed
  | "not-applicable"; // the peer is not (yet, or any more) a signatory

export interface Art44Evidence extends Art44Row {
  /** The policy's claim (the former "covered"). */
  readonly configured: boolean;
  readonly sessions: number;
  readonly verifiedSessions: number;
  readonly firstObserved: string | null;
  readonly lastObserved: string | null;
  readonly verifiedSince: string | null;
  readonly evidence: EvidenceState;
  readonly late: boolean;
}

/** `rows`: link rows whose sender is `selfId` (sender-log and tlsrpt sources are used). */
export function art44Evidence(
  table: readonly Art44Row[],
  peerIds: ReadonlyMap<string, number>,
  rows: readonly LinkRow[],
  selfId: number,
  at: string,
): Art44Evidence[] {
  return table.map((row) => {
    const peerId = peerIds.get(row.peer);
    const days = new Map<string, { verified: number; total: number }>();
    for (const r of rows) {
      if (
        r.source === "receiver-log" ||
        r.sender.organisationId !== selfId ||
        r.receiver.organisationId !== peerId
      )
        continue;
      const d = days.get(r.day) ?? { verified: 0, total: 0 };
      d.verified += r.classes.verified;
      d.total += r.sessions;
      days.set(r.day, d);
    }
    const ordered = [...days].filter(([, d]) => d.total > 0).sort(([a], [b]) => a.localeCompare(b));
    const sessions = ordered.reduce((n, [, d]) => n + d.total, 0);
    const verifiedSessions = ordered.reduce((n, [, d]) => n + d.verified, 0);
    const lastBad = ordered.filter(([, d]) => d.verified < d.total).at(-1)?.[0] ?? null;
    const verifiedSince =
      ordered.find(([day, d]) => (lastBad === null || day > lastBad) && d.verified > 0)?.[0] ?? null;
    const applicable = row.state !== "not yet a signatory" && row.state !== "withdrawn";
    const passed = at > row.deadline;
    const evidence: EvidenceState = !applicable
      ? "not-applicable"
      : verifiedSince !== null
        ? verifiedSince <= row.deadline
          ? "verified"
          : "verified-late"
        : passed
          ? "late"
          : ordered.length > 0
            ? "not-verified"
            : "no-evidence";
    return {
      ...row,
      configured: row.covered,
      sessions,
      verifiedSessions,
      firstObserved: ordered[0]?.[0] ?? null,
      lastObserved: ordered.at(-1)?.[0] ?? null,
      verifiedSince,
      evidence,
      late: evidence === "late" || evidence === "verified-late",
    };
  });
}

export function renderArt44Evidence(rows: readonly Art44Evidence[]): string {
  const header =
    "| peer | newer adhesion | deadline (art. 4.4) | configured (our policy) | observed sessions (verified) | verified since | evidence | late |\n|---|---|---|---|---|---|---|---|";
  return `${header}\n${rows
    .map(
      (r) =>
        `| ${r.peer} | ${r.newerAdhesion} | ${r.deadline} | ${r.configured ? "yes" : "no"} | ${r.sessions} (${r.verifiedSessions}) | ${r.verifiedSince ?? "—"} | ${r.evidence} | ${r.late ? "LATE" : "no"} |`,
    )
    .join("\n")}\n`;
}
