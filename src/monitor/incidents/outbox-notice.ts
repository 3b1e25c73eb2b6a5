/**
 * An incident's notice as the notification outbox takes it (src/notify/notice.ts): what happened, in
 * French and English, who is told (Charte art. 4.6: an MX interruption goes to every signatory), and
 * the links to the incident and to the audit that proves it. Queued in the incident's transaction
 * (for an acknowledgement, in the transaction that records it).
 */
import type { Kysely } from "kysely";
import type { NoticeInput } from "../../notify/notice.js";
import { enqueueNotice } from "../../notify/outbox.js";
import type { Database } from "../../store/database.js";
import type { DetectionKind } from "../detection/detection.js";
import type { IncidentNotice, NoticeSink } from "./incident-notice.js";

const kindWords: Readonly<Record<DetectionKind, { fr: string; en: string }>> = {
  starttls_missing: { fr: "STARTTLS n'est plus annoncé", en: "STARTTLS is no longer advertised" },
  starttls_refused: { fr: "STARTTLS est refusé", en: "STARTTLS is refused" },
  handshake_failed: { fr: "la négociation TLS échoue", en: "the TLS handshake fails" },
  certificate_invalid: { fr: "le certificat n'est plus valide", en: "the certificate is no longer valid" },
  certificate_expired: { fr: "le certificat a expiré", en: "the certificate has expired" },
  certificate_expiring: { fr: "le certificat expire bientôt", en: "the certificate expires soon" },
  version_regression: { fr: "la meilleure version TLS a baissé", en: "the best TLS version is weaker" },
  suite_regression: { fr: "une suite cassée est acceptée", en: "a broken suite is accepted" },
  preference_regression: {
    fr: "AES, ECDHE ou SHA-2 ne sont plus choisis en premier",
    en: "AES, ECDHE or SHA-2 are no longer chosen first",
  },
  territory_left: { fr: "un MX a quitté le territoire", en: "an MX left the territory" },
  dane_broken: { fr: "DANE ne se vérifie plus", en: "DANE no longer verifies" },
  mta_sts_broken: { fr: "MTA-STS ne tient plus", en: "MTA-STS no longer holds" },
  could_not_check: { fr: "impossible à vérifier depuis longtemps", en: "could not be checked for long" },
  link_share_drop: {
    fr: "la part de sessions en TLS vérifié a baissé sur le lien",
    en: "the share of sessions with verified TLS dropped on the link",
  },
  tlsrpt_new_failure_type: {
    fr: "un nouveau type d'échec TLS est signalé (TLS-RPT)",
    en: "a new TLS failure type is reported (TLS-RPT)",
  },
};

const minutes = (ms: number | null) => (ms === null ? "?" : String(Math.max(1, Math.round(ms / 60_000))));

/** The notice kind of an incident's event (a reopening is told as an opening). */
const noticeKind = (event: IncidentNotice["event"]): NoticeInput["kind"] =>
  event === "resolved"
    ? "incident-resolved"
    : event === "acknowledged"
      ? "incident-acknowledged"
      : event === "warning"
        ? "certificate-expiring"
        : "incident-opened";

export function incidentNotice(n: IncidentNotice, organisationId: number | null): NoticeInput {
  const i = n.incident;
  const what = kindWords[i.kind] ?? { fr: i.kind, en: i.kind };
  const where = i.endpoint ?? i.domain;
  const resolved = n.event === "resolved";
  const acknowledged = n.event === "acknowledged";
  const summary = resolved
    ? {
        fr: `Rétabli sur ${where} (${i.domain}) : ${what.fr}.`,
        en: `Restored on ${where} (${i.domain}): ${what.en}.`,
      }
    : n.event === "warning"
      ? {
          fr: `${where} (${i.domain}) : ${what.fr} (moins de ${n.thresholdDays ?? "?"} jours).`,
          en: `${where} (${i.domain}): ${what.en} (under ${n.thresholdDays ?? "?"} days).`,
        }
      : acknowledged
        ? {
            fr: `Pris en compte, en cours de traitement : ${where} (${i.domain}) : ${what.fr}.`,
            en: `Acknowledged, being handled: ${where} (${i.domain}): ${what.en}.`,
          }
        : { fr: `${where} (${i.domain}) : ${what.fr}.`, en: `${where} (${i.domain}): ${what.en}.` };
  const details = [
    {
      fr: `Première observation : ${i.firstObservedAt} (audit #${i.firstRunId}).`,
      en: `First observed: ${i.firstObservedAt} (audit #${i.firstRunId}).`,
    },
    ...(i.severity === "interruption"
      ? [
          {
            fr: `Confirmé par l'audit #${i.confirmRunId} le ${i.openedAt}.`,
            en: `Confirmed by audit #${i.confirmRunId} at ${i.openedAt}.`,
          },
        ]
      : []),
    // Who acknowledged is not said: the other signatories told of it do not see it on the pages either.
    ...(acknowledged && i.acknowledgedAt
      ? [
          {
            fr: `Pris en compte le ${i.acknowledgedAt} ; la résolution sera constatée par un audit.`,
            en: `Acknowledged at ${i.acknowledgedAt}; its resolution will be seen by an audit.`,
          },
        ]
      : []),
    ...(resolved && i.resolvedAt
      ? [
          {
            fr: `Rétabli le ${i.resolvedAt} (audit #${i.resolveRunId}), après ${minutes(i.timeToRestoreMs)} min.`,
            en: `Restored at ${i.resolvedAt} (audit #${i.resolveRunId}), after ${minutes(i.timeToRestoreMs)} min.`,
          },
        ]
      : []),
  ];
  const proof = resolved ? i.resolveRunId : n.event === "warning" ? i.firstRunId : i.confirmRunId;
  return {
    kind: noticeKind(n.event),
    dedupKey: n.key,
    incidentId: i.id,
    organisationId,
    organisation: i.organisation,
    domain: i.domain,
    audiences: n.audience === "all" ? ["organisation", "agency", "signatories"] : ["organisation", "agency"],
    summary,
    details,
    links: { incident: `/incidents/${i.id}`, ...(proof !== null ? { audit: `/audits/${proof}` } : {}) },
    occurredAt: (resolved ? i.resolvedAt : acknowledged ? i.acknowledgedAt : i.lastSeenAt) ?? i.openedAt,
  };
}

/** The outbox as the incidents' notice sink. */
export const outboxSink: NoticeSink = async (n, db: Kysely<Database>) => {
  const org = n.incident.organisation
    ? await db
        .selectFrom("organisations")
        .select("id")
        .where("name", "=", n.incident.organisation)
        .executeTakeFirst()
    : undefined;
  await enqueueNotice(db, incidentNotice(n, org ? Number(org.id) : null));
};
