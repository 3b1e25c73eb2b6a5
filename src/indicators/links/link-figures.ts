/**
 * The per-link figures (charter art. 4.5) for a period: one row per day, ordered pair sender →
 * receiver and source — the sender's outbound log, the receiver's inbound log (link_figures, kept up
 * to date as sessions arrive), and the TLS-RPT reports received (the report store's daily figures,
 * mapped to the registry: the sender is the signatory the report's evidence names — its mail's
 * DKIM-verified or From domain, its contact-info, its organization-name — (tlsrpt/reporter.ts), else
 * the report's organization-name as an external party; the policy domain's organisation is the
 * receiver). An operator's scope keeps the links where its
 * organisation is a party.
 */
import type { Store } from "../../store/database.js";
import type { FailureType, TlsClass } from "../log/session.js";
import { type DailyPolicyFigure, TlsRptStore } from "../tlsrpt/report-store.js";
import { reporterOf } from "../tlsrpt/reporter.js";
import { type FigureSource, noTlsDecisionValue } from "./figures.js";
import type { Party, PartyDirectory } from "./parties.js";

export interface LinkRow {
  readonly day: string;
  readonly sender: Party;
  readonly receiver: Party;
  readonly source: FigureSource;
  /** TLS sessions (logs: the attempts that reached a TLS decision) or sessions reported (TLS-RPT);
   * the sum of `classes`, the denominator of `verifiedShare`. */
  readonly sessions: number;
  /** Logs: outbound attempts deferred before TLS could be offered (session.ts `noTlsDecision`) —
   * in `outcomes` (deferred), not in `sessions` nor `classes`. TLS-RPT: 0. */
  readonly noTlsDecision: number;
  /** Logs: sessions by TLS class. TLS-RPT: successful sessions under an sts or tlsa policy count as
   * verified (RFC 8460 §4.4: the policy was validated), the others as `none` when failed and
   * `untrusted` when successful without a policy (encrypted, nothing known of the certificate). */
  readonly classes: Readonly<Record<TlsClass, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failures: Readonly<Partial<Record<FailureType, number>>>;
  readonly versions: Readonly<Record<string, number>>;
  readonly suites: Readonly<Record<string, number>>;
  /** verified / sessions, or null without sessions. */
  readonly verifiedShare: number | null;
}

const zero = (): Record<TlsClass, number> => ({
  verified: 0,
  trusted: 0,
  untrusted: 0,
  anonymous: 0,
  none: 0,
});

function party(key: string, id: number | null, directory: PartyDirectory): Party {
  if (id !== null) return { key, organisationId: id, label: directory.names.get(id) ?? key.slice(2) };
  return { key, organisationId: null, label: key.slice(2) };
}

interface Mutable {
  day: string;
  sender: Party;
  receiver: Party;
  source: FigureSource;
  sessions: number;
  noTlsDecision: number;
  classes: Record<TlsClass, number>;
  outcomes: Record<string, number>;
  failures: Partial<Record<FailureType, number>>;
  versions: Record<string, number>;
  suites: Record<string, number>;
}

function finish(m: Mutable): LinkRow {
  return { ...m, verifiedShare: m.sessions > 0 ? m.classes.verified / m.sessions : null };
}

/** TLS-RPT daily figures as link rows (pure). */
export function tlsRptRows(figures: readonly DailyPolicyFigure[], directory: PartyDirectory): LinkRow[] {
  const rows = new Map<string, Mutable>();
  for (const f of figures) {
    const senderId = reporterOf(f, directory)?.organisationId ?? null;
    const receiverId = directory.domains.get(f.policyDomain.toLowerCase()) ?? null;
    const sender = party(senderId !== null ? `o:${senderId}` : `d:${f.organization}`, senderId, directory);
    const receiver = party(
      receiverId !== null ? `o:${receiverId}` : `d:${f.policyDomain}`,
      receiverId,
      directory,
    );
    const key = `${f.day}|${sender.key}|${receiver.key}`;
    const row = rows.get(key) ?? {
      day: f.day,
      sender,
      receiver,
      source: "tlsrpt" as const,
      sessions: 0,
      noTlsDecision: 0,
      classes: zero(),
      outcomes: {},
      failures: {},
      versions: {},
      suites: {},
    };
    row.sessions += f.successful + f.failed;
    if (f.policyType === "no-policy-found") row.classes.untrusted += f.successful;
    else row.classes.verified += f.successful;
    row.classes.none += f.failed;
    row.outcomes.successful = (row.outcomes.successful ?? 0) + f.successful;
    row.outcomes.failed = (row.outcomes.failed ?? 0) + f.failed;
    for (const [type, n] of Object.entries(f.failures) as [FailureType, number][])
      row.failures[type] = (row.failures[type] ?? 0) + n;
    rows.set(key, row);
  }
  return [...rows.values()].map(finish);
}

export interface LinkQuery {
  readonly from: string;
  readonly to: string;
  /** Only the links where this organisation is a party (an operator); undefined: all (agency). */
  readonly organisationId?: number;
}

export async function linkFigures(
  store: Store,
  directory: PartyDirectory,
  query: LinkQuery,
): Promise<LinkRow[]> {
  let q = store.db
    .selectFrom("link_figures")
    .selectAll()
    .where("day", ">=", query.from)
    .where("day", "<=", query.to);
  const self = query.organisationId;
  if (self !== undefined)
    q = q.where((eb) => eb.or([eb("sender_org_id", "=", self), eb("receiver_org_id", "=", self)]));
  const rows = new Map<string, Mutable>();
  for (const f of await q.execute()) {
    const key = `${f.day}|${f.sender}|${f.receiver}|${f.source}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        day: f.day,
        sender: party(f.sender, f.sender_org_id, directory),
        receiver: party(f.receiver, f.receiver_org_id, directory),
        source: f.source as FigureSource,
        sessions: 0,
        noTlsDecision: 0,
        classes: zero(),
        outcomes: {},
        failures: {},
        versions: {},
        suites: {},
      };
      rows.set(key, row);
    }
    const n = Number(f.count);
    if (f.metric === "class") {
      row.classes[f.value as TlsClass] += n;
      row.sessions += n;
    } else if (f.metric === "attempt") {
      if (f.value === noTlsDecisionValue) row.noTlsDecision += n;
    } else if (f.metric === "outcome") row.outcomes[f.value] = (row.outcomes[f.value] ?? 0) + n;
    else if (f.metric === "failure")
      row.failures[f.value as FailureType] = (row.failures[f.value as FailureType] ?? 0) + n;
    else if (f.metric === "version") row.versions[f.value] = (row.versions[f.value] ?? 0) + n;
    else if (f.metric === "suite") row.suites[f.value] = (row.suites[f.value] ?? 0) + n;
  }
  const fromLogs = [...rows.values()].map(finish);
  const tlsrpt = tlsRptRows(
    await (await TlsRptStore.open(store)).dailyPolicyFigures(query.from, query.to),
    directory,
  ).filter(
    (r) => self === undefined || r.sender.organisationId === self || r.receiver.organisationId === self,
  );
  const order: Record<FigureSource, number> = { "sender-log": 0, "receiver-log": 1, tlsrpt: 2 };
  return [...fromLogs, ...tlsrpt].sort(
    (a, b) =>
      a.day.localeCompare(b.day) ||
      a.sender.label.localeCompare(b.sender.label) ||
      a.receiver.label.localeCompare(b.receiver.label) ||
      order[a.source] - order[b.source],
  );
}
