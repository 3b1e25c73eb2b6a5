/**
 * The texts of the agency's management pages (registry, accounts, tokens, cadence) and of their form
 * errors, in French and English; src/web/i18n.ts merges them into its one catalogue.
 */
import type { Lang } from "./i18n.js";

export const agencyMessages = {
  agencyNav: { fr: "Gestion par l'agence", en: "Agency management" },
  navRegistryList: { fr: "Registre", en: "Registry" },
  navAdhesion: { fr: "Nouvelle adhésion", en: "New adhesion" },
  registryTitle: { fr: "Registre des signataires", en: "Registry of signatories" },
  registryEmpty: {
    fr: "Aucune organisation dans le registre. Enregistrez une première adhésion.",
    en: "No organisation in the registry. Record a first adhesion.",
  },
  stateInForce: { fr: "en vigueur", en: "in force" },
  stateNoticeGiven: { fr: "préavis de retrait", en: "withdrawal notice given" },
  stateWithdrawn: { fr: "retirée", en: "withdrawn" },
  stateNotYet: { fr: "pas encore en vigueur", en: "not yet in force" },
  charterVersion: { fr: "Version de la charte", en: "Charter version" },
  contact: { fr: "Contact", en: "Contact" },
  contactTitle: { fr: "Contact de l'organisation", en: "Organisation contact" },
  contactHint: {
    fr: "L'adresse où l'agence et les signataires écrivent (incidents, préavis).",
    en: "The address the agency and the signatories write to (incidents, notices).",
  },
  noDomains: { fr: "aucun domaine", en: "no domain" },
  adhesionTitle: { fr: "Nouvelle adhésion à la charte", en: "New adhesion to the charter" },
  adhesionIntro: {
    fr: "Une organisation adhère en signant la charte (art. 7) ; ses domaines de messagerie et leurs serveurs MX entrent dans la liste publiée.",
    en: "An organisation adheres by signing the charter (art. 7); its mail domains and their MX servers enter the published list.",
  },
  organisationName: { fr: "Nom de l'organisation", en: "Organisation name" },
  adhesionDate: { fr: "Date d'adhésion", en: "Adhesion date" },
  dateHint: { fr: "AAAA-MM-JJ", en: "YYYY-MM-DD" },
  domainsWithMx: { fr: "Domaines et motifs MX", en: "Domains and MX patterns" },
  domainsHint: {
    fr: "Un domaine par ligne, suivi de ses motifs MX : « exemple.fr: mx1.exemple.fr, *.mail.exemple.fr ». Facultatif : des domaines peuvent être ajoutés ensuite.",
    en: "One domain per line, then its MX patterns: “example.org: mx1.example.org, *.mail.example.org”. Optional: domains can be added later.",
  },
  recordAdhesion: { fr: "Enregistrer l'adhésion", en: "Record the adhesion" },
  adhesionRecorded: {
    fr: "Adhésion enregistrée ; la liste publiée est signée à nouveau.",
    en: "Adhesion recorded; the published list is signed again.",
  },
  contactSaved: { fr: "Contact enregistré.", en: "Contact saved." },
  domainAdded: {
    fr: "Domaine ajouté ; la liste publiée est signée à nouveau.",
    en: "Domain added; the published list is signed again.",
  },
  domainRemoved: {
    fr: "Domaine retiré ; la liste publiée est signée à nouveau.",
    en: "Domain removed; the published list is signed again.",
  },
  noticeSaved: { fr: "Préavis de retrait enregistré.", en: "Withdrawal notice recorded." },
  mxPatterns: { fr: "Motifs MX", en: "MX patterns" },
  mxHint: {
    fr: "Noms d'hôtes ou « *.domaine » (RFC 8461 §4.1), séparés par des virgules.",
    en: "Host names or “*.domain” (RFC 8461 §4.1), separated by commas.",
  },
  addDomain: { fr: "Ajouter un domaine", en: "Add a domain" },
  removeDomain: { fr: "Retirer", en: "Remove" },
  withdrawalTitle: { fr: "Préavis de retrait", en: "Withdrawal notice" },
  withdrawalRule: {
    fr: "Charte, art. 7 : un signataire met fin à son adhésion en prévenant par écrit les autres signataires et l'ANSSI au moins trois mois à l'avance. Le retrait prend effet trois mois après la date du préavis ; l'organisation reste dans la liste publiée jusque-là.",
    en: "Charter art. 7: a signatory ends its adhesion by telling the other signatories and ANSSI in writing at least three months ahead. The withdrawal takes effect three months after the notice's date; the organisation stays in the published list until then.",
  },
  noticeRecorded: { fr: "Préavis reçu le", en: "Notice received on" },
  effectiveOn: { fr: "retrait effectif le", en: "withdrawal effective on" },
  noticeDate: { fr: "Date du préavis écrit", en: "Date of the written notice" },
  noticeHint: {
    fr: "AAAA-MM-JJ ; le retrait prend effet trois mois plus tard.",
    en: "YYYY-MM-DD; the withdrawal takes effect three months later.",
  },
  replaceNotice: {
    fr: "Remplacer le préavis déjà enregistré par cette date",
    en: "Replace the notice already recorded with this date",
  },
  recordNotice: { fr: "Enregistrer le préavis", en: "Record the notice" },
  formHasErrors: {
    fr: "Le formulaire n'a pas été enregistré : corrigez les champs signalés.",
    en: "The form was not saved: correct the fields marked below.",
  },
  errRequired: { fr: "Ce champ est obligatoire.", en: "This field is required." },
  errTooLong: { fr: "Ce champ est trop long.", en: "This field is too long." },
  errEmail: {
    fr: "Saisissez une adresse électronique (nom@domaine).",
    en: "Enter an e-mail address (name@domain).",
  },
  errDate: { fr: "Saisissez une date réelle au format AAAA-MM-JJ.", en: "Enter a real date as YYYY-MM-DD." },
  errUnknownVersion: {
    fr: "Cette version de la charte n'est pas dans le registre.",
    en: "This charter version is not in the registry.",
  },
  errDomainName: { fr: "« {1} » n'est pas un nom de domaine.", en: "“{1}” is not a domain name." },
  errNoMx: { fr: "{1} : indiquez au moins un motif MX.", en: "{1}: give at least one MX pattern." },
  errTooManyMx: { fr: "{1} : au plus {2} motifs MX.", en: "{1}: at most {2} MX patterns." },
  errMxPattern: {
    fr: "« {1} » n'est pas un motif MX (un nom d'hôte ou *.domaine).",
    en: "“{1}” is not an MX pattern (a host name or *.domain).",
  },
  errTooManyDomains: { fr: "Au plus {1} domaines.", en: "At most {1} domains." },
  errOnLine: { fr: "Ligne {1} : {2}", en: "Line {1}: {2}" },
  errDomainTwice: { fr: "{1} figure deux fois.", en: "{1} appears twice." },
} as const satisfies Record<string, Record<Lang, string>>;
