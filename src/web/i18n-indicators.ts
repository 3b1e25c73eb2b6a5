/**
 * The texts of the indicators pages (charter art. 4.5: the link matrix, per-link charts, the monthly
 * report), in French and English; src/web/i18n.ts merges them into its one catalogue.
 */
import type { Lang } from "./i18n.js";

export const indicatorsMessages = {
  navIndicators: { fr: "Indicateurs", en: "Indicators" },
  indicatorsTitle: { fr: "Indicateurs des liens (art. 4.5)", en: "Link indicators (art. 4.5)" },
  indicatorsIntro: {
    fr: "Part des sessions en TLS vérifié de chaque expéditeur vers chaque destinataire, selon les journaux des MTA de l'expéditeur et les rapports TLS-RPT reçus.",
    en: "Share of verified-TLS sessions from each sender to each receiver, from the sender's MTA logs and the TLS-RPT reports received.",
  },
  senderReceiver: { fr: "Expéditeur \\ destinataire", en: "Sender \\ receiver" },
  period: { fr: "Période", en: "Period" },
  periodFrom: { fr: "Du", en: "From" },
  periodTo: { fr: "au", en: "to" },
  show: { fr: "Afficher", en: "Show" },
  noData: { fr: "aucune donnée", en: "no data" },
  notVisible: { fr: "lien d'autres organisations", en: "link of other organisations" },
  verifiedShare: { fr: "TLS vérifié", en: "verified TLS" },
  sessions: { fr: "sessions", en: "sessions" },
  linkTitle: { fr: "Lien", en: "Link" },
  chartClasses: { fr: "Sessions par classe TLS et par jour", en: "Sessions by TLS class, per day" },
  chartFailures: { fr: "Échecs par type (RFC 8460) et par jour", en: "Failures by type (RFC 8460), per day" },
  noFailures: { fr: "Aucun échec sur la période.", en: "No failure in the period." },
  day: { fr: "Jour", en: "Day" },
  source: { fr: "Source", en: "Source" },
  sourceSenderLog: { fr: "journal de l'expéditeur", en: "sender's log" },
  sourceReceiverLog: { fr: "journal du destinataire", en: "receiver's log" },
  sourceTlsrpt: { fr: "TLS-RPT", en: "TLS-RPT" },
  versions: { fr: "Versions", en: "Versions" },
  suites: { fr: "Suites", en: "Suites" },
  classVerified: { fr: "vérifié", en: "verified" },
  classTrusted: { fr: "de confiance", en: "trusted" },
  classUntrusted: { fr: "non vérifié", en: "untrusted" },
  classAnonymous: { fr: "anonyme", en: "anonymous" },
  classNone: { fr: "en clair", en: "in clear" },
  reportTitle: { fr: "Rapport mensuel des indicateurs", en: "Monthly indicators report" },
  reportIntro: {
    fr: "Pour l'agence : tous les liens entre signataires observés sur le mois, leurs classes TLS et leurs échecs.",
    en: "For the agency: every link between signatories observed in the month, its TLS classes and failures.",
  },
  reportLink: { fr: "Rapport mensuel", en: "Monthly report" },
  month: { fr: "Mois", en: "Month" },
  totals: { fr: "Totaux", en: "Totals" },
  linksObserved: { fr: "Liens observés", en: "Links observed" },
  uploadHint: {
    fr: "Les opérateurs déposent les journaux de leur MTA par l'API : POST /api/v1/organisations/ID/mta-logs?format=postfix|exim.",
    en: "Operators upload their MTA logs through the API: POST /api/v1/organisations/ID/mta-logs?format=postfix|exim.",
  },
} as const satisfies Record<string, Record<Lang, string>>;
