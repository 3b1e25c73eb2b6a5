/**
 * The notices of an indicator incident (opened, reopened, resolved), queued in the incident's
 * transaction: one to the organisation concerned and the agency, one to the other organisation of the
 * link (charter art. 4.3: incident information is exchanged between the parties of a link). No audit
 * proves them: the details say which days and figures, or which reports, do.
 */
import type { Kysely } from "kysely";
import type { NoticeInput } from "../../notify/notice.js";
import { enqueueNotice } from "../../notify/outbox.js";
import type { Database } from "../../store/database.js";
import type { Incident } from "./incident.js";
import type { Applied, Teller } from "./incident-store.js";

const words = {
  link_share_drop: {
    fr: "la part de sessions en TLS vérifié a baissé",
    en: "the share of sessions with verified TLS dropped",
  },
  tlsrpt_new_failure_type: {
    fr: "un type d'échec TLS jamais signalé auparavant apparaît dans les rapports TLS-RPT",
    en: "a TLS failure type never reported before appears in TLS-RPT reports",
  },
} as const;

export function indicatorNotice(
  incident: Incident,
  change: Applied["change"],
  to: {
    readonly organisationId: number | null;
    readonly organisation: string | null;
    readonly agency: boolean;
  },
): NoticeInput {
  const what =
    incident.kind === "link_share_drop" || incident.kind === "tlsrpt_new_failure_type"
      ? words[incident.kind]
      : { fr: incident.kind, en: incident.kind };
  const resolved = change === "resolved";
  const summary = resolved
    ? {
        fr: `Rétabli sur ${incident.domain} : ${what.fr}.`,
        en: `Restored on ${incident.domain}: ${what.en}.`,
      }
    : { fr: `${incident.domain} : ${what.fr}.`, en: `${incident.domain}: ${what.en}.` };
  const details = [
    { fr: incident.message, en: incident.message },
    {
      fr: `Première observation : ${incident.firstObservedAt} (indicateurs, pas un audit).`,
      en: `First observed: ${incident.firstObservedAt} (indicators, not an audit).`,
    },
    ...(change === "reopened"
      ? [{ fr: `Rouvert (${incident.reopened} fois).`, en: `Reopened (${incident.reopened} time(s)).` }]
      : []),
    ...(resolved && incident.resolvedAt
      ? [{ fr: `Rétabli le ${incident.resolvedAt}.`, en: `Restored at ${incident.resolvedAt}.` }]
      : []),
  ];
  const event = change === "threshold" ? "opened" : change;
  return {
    kind: resolved ? "incident-resolved" : "incident-opened",
    dedupKey: `incident:${incident.id}:${event}:${incident.reopened}${to.agency ? "" : `:peer`}`,
    incidentId: incident.id,
    organisationId: to.organisationId,
    organisation: to.organisation,
    domain: incident.domain.slice(0, 253),
    audiences: to.agency ? ["organisation", "agency"] : ["organisation"],
    summary,
    details,
    links: { incident: `/incidents/${incident.id}` },
    occurredAt: (resolved ? incident.resolvedAt : incident.openedAt) ?? incident.openedAt,
  };
}

const organisationId = async (db: Kysely<Database>, name: string | null) =>
  name === null
    ? null
    : ((await db.selectFrom("organisations").select("id").where("name", "=", name).executeTakeFirst())?.id ??
      null);

/** The outbox as the indicator incidents' teller: both organisations, the agency once. */
export const indicatorOutboxTeller: Teller = async (db, applied, incident) => {
  const main = await organisationId(db, incident.organisation);
  await enqueueNotice(
    db,
    indicatorNotice(incident, applied.change, {
      organisationId: main === null ? null : Number(main),
      organisation: incident.organisation,
      agency: true,
    }),
  );
  if (incident.peerOrganisation !== null && incident.peerOrganisation !== incident.organisation) {
    const peer = await organisationId(db, incident.peerOrganisation);
    if (peer !== null)
      await enqueueNotice(
        db,
        indicatorNotice(incident, applied.change, {
          organisationId: Number(peer),
          organisation: incident.peerOrganisation,
          agency: false,
        }),
      );
  }
  return true;
};
