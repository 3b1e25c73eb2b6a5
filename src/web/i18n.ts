/**
 * Every text of the pages, in French and English, from this one catalogue. The language comes from
 * `?lang=`, then the `lang` cookie a switch link sets, then Accept-Language (RFC 9110 §12.5.4).
 */
import { agencyMessages } from "./i18n-agency.js";
import { annexMessages } from "./i18n-annex.js";
import { indicatorsMessages } from "./i18n-indicators.js";
import { notifyMessages } from "./i18n-notify.js";

export type Lang = "fr" | "en";
export const langs: readonly Lang[] = ["fr", "en"];

const catalogue = {
  appName: { fr: "mailcharter", en: "mailcharter" },
  tagline: {
    fr: "Charte pour la sécurité des services de courriers électroniques",
    en: "E-mail services security charter",
  },
  switchTo: { fr: "English", en: "Français" },
  login: { fr: "Connexion", en: "Log in" },
  logout: { fr: "Déconnexion", en: "Log out" },
  email: { fr: "Adresse électronique", en: "E-mail address" },
  password: { fr: "Mot de passe", en: "Password" },
  submitLogin: { fr: "Se connecter", en: "Log in" },
  loginFailed: {
    fr: "Adresse ou mot de passe incorrect.",
    en: "Incorrect e-mail address or password.",
  },
  loginThrottled: {
    fr: "Trop de tentatives de connexion. Réessayez dans quelques minutes.",
    en: "Too many login attempts. Try again in a few minutes.",
  },
  endedIdle: {
    fr: "Votre session a expiré après une période d'inactivité. Reconnectez-vous.",
    en: "Your session expired after a period of inactivity. Please log in again.",
  },
  endedAbsolute: {
    fr: "Votre session a atteint sa durée maximale. Reconnectez-vous.",
    en: "Your session reached its maximum duration. Please log in again.",
  },
  endedLogout: { fr: "Vous êtes déconnecté.", en: "You are logged out." },
  signatories: { fr: "Signataires de la charte", en: "Charter signatories" },
  signatoriesIntro: {
    fr: "Les organisations signataires en vigueur et leurs domaines de messagerie (charte, art. 7).",
    en: "The signatories in force and their mail domains (charter art. 7).",
  },
  organisation: { fr: "Organisation", en: "Organisation" },
  adhesion: { fr: "Adhésion", en: "Adhesion" },
  withdrawal: { fr: "Retrait effectif", en: "Withdrawal effective" },
  domains: { fr: "Domaines", en: "Domains" },
  domain: { fr: "Domaine", en: "Domain" },
  verdict: { fr: "Dernier verdict", en: "Latest verdict" },
  auditedAt: { fr: "Date", en: "Date" },
  notAudited: { fr: "pas encore audité", en: "not audited yet" },
  noSignatories: { fr: "Aucun signataire en vigueur.", en: "No signatory in force." },
  publishedList: { fr: "Liste publiée signée", en: "Signed published list" },
  signature: { fr: "signature", en: "signature" },
  publicKey: { fr: "clé publique", en: "public key" },
  signedInAs: { fr: "Connecté en tant que", en: "Logged in as" },
  roleAgency: { fr: "agence", en: "agency" },
  roleOperator: { fr: "opérateur", en: "operator" },
  roleAuditor: { fr: "auditeur", en: "auditor" },
  yourReach: { fr: "Ce que vous pouvez consulter", en: "What you can reach" },
  reachAgency: {
    fr: "Tout le registre, tous les domaines et audits, les comptes ; vous gérez le registre et les comptes.",
    en: "The whole registry, every domain and audit, the accounts; you manage the registry and the accounts.",
  },
  reachAuditor: {
    fr: "Tout le registre, tous les domaines et audits, en lecture seule.",
    en: "The whole registry, every domain and audit, read-only.",
  },
  reachOperator: {
    fr: "Les domaines et audits de votre organisation ; audits à la demande de vos domaines.",
    en: "Your organisation's domains and audits; on-demand audits of your domains.",
  },
  yourOrganisation: { fr: "Votre organisation", en: "Your organisation" },
  organisations: { fr: "Organisations", en: "Organisations" },
  accounts: { fr: "Comptes", en: "Accounts" },
  api: { fr: "API REST (documentation OpenAPI)", en: "REST API (OpenAPI document)" },
  errorTitle: { fr: "Erreur", en: "Error" },
  notFound: { fr: "Page introuvable.", en: "Page not found." },
  forbidden: { fr: "Accès refusé.", en: "Access denied." },
  badRequest: { fr: "Requête invalide.", en: "Invalid request." },
  serverError: { fr: "Erreur interne du serveur.", en: "Internal server error." },
  back: { fr: "Retour à l'accueil", en: "Back to the home page" },
  compliant: { fr: "conforme", en: "compliant" },
  non_compliant: { fr: "non conforme", en: "non-compliant" },
  inconclusive: { fr: "indéterminé", en: "inconclusive" },
  language: { fr: "Langue", en: "Language" },
  mainNav: { fr: "Navigation principale", en: "Main navigation" },
  navDashboard: { fr: "Mon organisation", en: "My organisation" },
  navMatrix: { fr: "Matrice de conformité", en: "Compliance matrix" },
  navRegistry: { fr: "Registre et comptes", en: "Registry and accounts" },
  domainTitle: { fr: "Domaine", en: "Domain" },
  latestAudit: { fr: "Dernier audit", en: "Latest audit" },
  noFinishedAudit: {
    fr: "Aucun audit terminé pour ce domaine.",
    en: "No finished audit of this domain yet.",
  },
  history: { fr: "Historique des audits", en: "Audit history" },
  noAudits: { fr: "Aucun audit enregistré.", en: "No audit recorded." },
  run: { fr: "Audit", en: "Audit" },
  status: { fr: "État", en: "Status" },
  trigger: { fr: "Origine", en: "Started by" },
  queuedAt: { fr: "Demandé le", en: "Requested" },
  finishedAt: { fr: "Terminé le", en: "Finished" },
  compareFrom: { fr: "De", en: "From" },
  compareTo: { fr: "À", en: "To" },
  compare: { fr: "Comparer les deux audits choisis", en: "Compare the two chosen audits" },
  compareHint: {
    fr: "Choisissez un audit « de » et un audit « à » pour voir ce qui a changé.",
    en: "Choose a “from” and a “to” audit to see what changed.",
  },
  auditNow: { fr: "Auditer maintenant", en: "Audit now" },
  auditNowHint: {
    fr: "L'audit est mis en file ; la page de suivi se met à jour toute seule.",
    en: "The audit is queued; its progress page refreshes by itself.",
  },
  cadence: { fr: "Cadence d'audit", en: "Audit cadence" },
  cadenceHours: { fr: "Toutes les (heures, 1 à 744)", en: "Every (hours, 1 to 744)" },
  nextDue: { fr: "Prochain audit prévu", en: "Next audit due" },
  save: { fr: "Enregistrer", en: "Save" },
  viewReport: { fr: "rapport", en: "report" },
  diffTitle: { fr: "Comparaison de deux audits", en: "Comparison of two audits" },
  diffSame: { fr: "Aucune différence entre ces deux audits.", en: "No difference between these two audits." },
  measureChanges: { fr: "Mesures dont le statut a changé", en: "Measures whose status changed" },
  noMeasureChanges: { fr: "Aucune mesure n'a changé de statut.", en: "No measure changed status." },
  measure: { fr: "Mesure", en: "Measure" },
  before: { fr: "Avant", en: "Before" },
  after: { fr: "Après", en: "After" },
  endpointChanges: { fr: "Points d'accès", en: "Endpoints" },
  added: { fr: "Ajouté", en: "Added" },
  removed: { fr: "Retiré", en: "Removed" },
  changed: { fr: "Modifié", en: "Changed" },
  noEndpointChanges: { fr: "Aucun point d'accès n'a changé.", en: "No endpoint changed." },
  absent: { fr: "absente", en: "absent" },
  runTitle: { fr: "Suivi de l'audit", en: "Audit progress" },
  runQueued: { fr: "En file d'attente", en: "Queued" },
  runRunning: { fr: "En cours", en: "Running" },
  runDone: { fr: "Terminé", en: "Finished" },
  runFailed: { fr: "Échec", en: "Failed" },
  runRefreshing: {
    fr: "Cette page se recharge toutes les 3 secondes jusqu'à la fin de l'audit.",
    en: "This page reloads every 3 seconds until the audit ends.",
  },
  backToDomain: { fr: "Retour au domaine", en: "Back to the domain" },
  dashboardTitle: { fr: "Tableau de bord", en: "Dashboard" },
  art44Title: {
    fr: "Échéances envers les autres signataires (art. 4.4)",
    en: "Deadlines toward the other signatories (art. 4.4)",
  },
  art44Intro: {
    fr: "Les domaines d'un nouveau signataire sont ajoutés à la politique dans les trois mois de l'adhésion la plus récente.",
    en: "A new signatory's domains are added to the policy within three months of the newer adhesion.",
  },
  peer: { fr: "Signataire", en: "Signatory" },
  newerAdhesion: { fr: "Adhésion la plus récente", en: "Newer adhesion" },
  deadline: { fr: "Échéance", en: "Deadline" },
  state: { fr: "État", en: "State" },
  art44_covered: { fr: "couvert", en: "covered" },
  art44_due: { fr: "à faire", en: "due" },
  art44_late: { fr: "en retard", en: "late" },
  art44_not_yet: { fr: "pas encore signataire", en: "not yet a signatory" },
  art44_withdrawn: { fr: "retiré", en: "withdrawn" },
  noPeers: { fr: "Aucun autre signataire.", en: "No other signatory." },
  matrixTitle: {
    fr: "Conformité de la charte : signataires × mesures",
    en: "Charter conformance: signatories × measures",
  },
  matrixIntro: {
    fr: "Chaque case est le statut de la mesure au dernier audit (le pire sur les domaines de l'organisation) ; cliquez pour le détail.",
    en: "Each cell is the measure's status at the latest audit (the worst over the organisation's domains); click for the details.",
  },
  matrixEmpty: { fr: "Aucun signataire en vigueur.", en: "No signatory in force." },
  legend: { fr: "Légende", en: "Legend" },
  noStatus: { fr: "pas d'audit", en: "no audit" },
  ...agencyMessages,
  // Incidents (annex §2.1, art. 4.3, 4.6)
  navIncidents: { fr: "Incidents", en: "Incidents" },
  incidentsTitle: { fr: "Incidents", en: "Incidents" },
  incidentsIntro: {
    fr: "Une interruption est une dégradation confirmée par un second audit ; « non vérifiable » (limitation de débit, délai dépassé) n'en est jamais une. Un incident se clôt quand un audit voit TLS rétabli.",
    en: "An interruption is a change for the worse confirmed by a second audit; “could not check” (throttling, a timeout) never is one. An incident closes when an audit sees TLS back.",
  },
  noIncidents: { fr: "Aucun incident.", en: "No incident." },
  incident: { fr: "Incident", en: "Incident" },
  incidentKind: { fr: "Nature", en: "Kind" },
  incidentState: { fr: "État", en: "State" },
  incidentEndpoint: { fr: "Point d'accès", en: "Endpoint" },
  openedAt: { fr: "Ouvert le", en: "Opened" },
  resolvedAt: { fr: "Résolu le", en: "Resolved" },
  firstObserved: { fr: "Première observation", en: "First observed" },
  lastGood: { fr: "Dernier état correct", en: "Last good state" },
  timeToDetect: { fr: "Délai de détection", en: "Time to detect" },
  timeToRestore: { fr: "Délai de rétablissement", en: "Time to restore" },
  audience: { fr: "Destinataires de l'avis", en: "Notice sent to" },
  audienceAll: { fr: "notifié à tous les signataires (art. 4.6)", en: "told to every signatory (art. 4.6)" },
  audienceOrganisation: {
    fr: "notifié à l'organisation et à l'agence",
    en: "told to the organisation and the agency",
  },
  timeline: { fr: "Chronologie", en: "Timeline" },
  acknowledge: { fr: "Prendre en compte", en: "Acknowledge" },
  addComment: { fr: "Ajouter un commentaire", en: "Add a comment" },
  comment: { fr: "Commentaire", en: "Comment" },
  incidentsOfDomain: { fr: "Incidents de ce domaine", en: "Incidents of this domain" },
  incidentsOfOrganisation: { fr: "Incidents de l'organisation", en: "Incidents of the organisation" },
  allIncidents: { fr: "Tous les incidents", en: "All incidents" },
  state_open: { fr: "ouvert", en: "open" },
  state_acknowledged: { fr: "pris en compte", en: "acknowledged" },
  state_resolved: { fr: "résolu", en: "resolved" },
  kind_starttls_missing: { fr: "STARTTLS n'est plus annoncé", en: "STARTTLS no longer advertised" },
  kind_starttls_refused: { fr: "STARTTLS refusé", en: "STARTTLS refused" },
  kind_handshake_failed: { fr: "négociation TLS en échec", en: "TLS handshake failing" },
  kind_certificate_invalid: { fr: "certificat invalide", en: "certificate invalid" },
  kind_certificate_expired: { fr: "certificat expiré", en: "certificate expired" },
  kind_certificate_expiring: { fr: "certificat bientôt expiré", en: "certificate expiring" },
  kind_version_regression: { fr: "version TLS plus faible", en: "weaker TLS version" },
  kind_suite_regression: { fr: "suite cassée acceptée", en: "broken suite accepted" },
  kind_preference_regression: {
    fr: "AES, ECDHE ou SHA-2 plus choisis en premier",
    en: "AES, ECDHE or SHA-2 no longer chosen first",
  },
  kind_territory_left: { fr: "MX hors du territoire", en: "MX outside the territory" },
  kind_dane_broken: { fr: "DANE rompu", en: "DANE broken" },
  kind_mta_sts_broken: { fr: "MTA-STS rompu", en: "MTA-STS broken" },
  kind_could_not_check: { fr: "non vérifiable depuis longtemps", en: "could not check for long" },
  kind_link_share_drop: {
    fr: "part de TLS vérifié en baisse sur le lien",
    en: "link's verified TLS share dropped",
  },
  kind_tlsrpt_new_failure_type: {
    fr: "nouveau type d'échec dans les rapports TLS-RPT",
    en: "new failure type in TLS-RPT reports",
  },
  event_observed: { fr: "observé", en: "observed" },
  event_confirmed: { fr: "confirmé par un second audit", en: "confirmed by a second audit" },
  event_opened: { fr: "ouvert", en: "opened" },
  event_seen_again: { fr: "toujours présent", en: "seen again" },
  event_could_not_check: { fr: "non vérifiable", en: "could not check" },
  event_threshold: { fr: "seuil d'expiration franchi", en: "expiry threshold crossed" },
  event_acknowledged: { fr: "pris en compte", en: "acknowledged" },
  event_comment: { fr: "commentaire", en: "comment" },
  event_resolved: { fr: "résolu (un audit voit TLS rétabli)", en: "resolved (an audit sees TLS back)" },
  event_reopened: { fr: "rouvert", en: "reopened" },
  event_notice: { fr: "avis envoyé", en: "notice sent" },
  ...notifyMessages,
  ...indicatorsMessages,
  ...annexMessages,
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof catalogue;

export const t = (lang: Lang, key: MessageKey): string => catalogue[key][lang];

export const isMessageKey = (text: string): text is MessageKey => Object.hasOwn(catalogue, text);

/** The first supported language of an Accept-Language header, by quality; French by default. */
export function negotiateLang(acceptLanguage: string | undefined): Lang {
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().toLowerCase().split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? "1",
      );
      return { primary: tag.split("-")[0] ?? "", q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const found = ranked.find((r) => langs.includes(r.primary as Lang));
  return (found?.primary as Lang | undefined) ?? "fr";
}

export const isLang = (text: unknown): text is Lang => text === "fr" || text === "en";
