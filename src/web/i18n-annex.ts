/**
 * The texts of the annex-version pages (Charte art. 8: charter versions, drafted annexes, their
 * impact, consultations and answers), in French and English; src/web/i18n.ts merges them into its one
 * catalogue. The impact's own words are the printable summary's (src/annex/impact-words.ts).
 */
import type { Lang } from "./i18n.js";

export const annexMessages = {
  navAnnex: { fr: "Annexe", en: "Annex" },
  navVersions: { fr: "Versions de la charte", en: "Charter versions" },
  versionsTitle: { fr: "Versions de la charte", en: "Charter versions" },
  versionsIntro: {
    fr: "Chaque version de la charte nomme le profil (les règles) de son annexe ; chaque signataire est jugé selon la version qu'il a acceptée (art. 8).",
    en: "Each charter version names the profile (the rules) of its annex; each signatory is judged under the version it accepted (art. 8).",
  },
  version: { fr: "Version", en: "Version" },
  published: { fr: "Publiée le", en: "Published" },
  title: { fr: "Titre", en: "Title" },
  profile: { fr: "Profil", en: "Profile" },
  annexTitle: { fr: "Évolutions de l'annexe", en: "Annex changes" },
  annexIntro: {
    fr: "L'ANSSI et les signataires modifient l'annexe d'un commun accord ; l'ANSSI communique au préalable l'annexe modifiée à chaque signataire pour recueillir son accord (art. 8).",
    en: "The agency and the signatories change the annex by common agreement; the agency first sends the modified annex to each signatory for its consent (art. 8).",
  },
  profiles: { fr: "Profils", en: "Profiles" },
  origin: { fr: "Origine", en: "Origin" },
  originBuiltIn: { fr: "intégré", en: "built in" },
  originDrafted: { fr: "rédigé", en: "drafted" },
  rules: { fr: "Règles", en: "Rules" },
  impact: { fr: "Impact", en: "Impact" },
  seeImpact: { fr: "voir l'impact", en: "see the impact" },
  draftTitle: {
    fr: "Rédiger une annexe proposée (profil JSON)",
    en: "Draft a proposed annex (JSON profile)",
  },
  draftHelp: {
    fr: "Le profil est vérifié : une règle ou un champ inconnu, un mauvais type, une mesure inconnue sont refusés avec leur chemin.",
    en: "The profile is checked: an unknown rule or field, a wrong type, an unknown measure are refused with their path.",
  },
  draftSubmit: { fr: "Enregistrer le profil", en: "Keep the profile" },
  consultations: { fr: "Consultations", en: "Consultations" },
  noConsultation: { fr: "Aucune consultation.", en: "No consultation." },
  openTitle: { fr: "Ouvrir une consultation", en: "Open a consultation" },
  openSubmit: { fr: "Ouvrir la consultation", en: "Open the consultation" },
  proposedVersion: { fr: "Version proposée", en: "Proposed version" },
  consultationStatus: { fr: "État", en: "Status" },
  consultation_open: { fr: "ouverte", en: "open" },
  consultation_adopted: { fr: "adoptée", en: "adopted" },
  consultation_closed: { fr: "close sans adoption", en: "closed without adoption" },
  consultationOpenedAt: { fr: "Ouverte le", en: "Opened" },
  consultationTitle: { fr: "Consultation sur l'annexe", en: "Consultation on the annex" },
  answers: { fr: "Réponses", en: "Answers" },
  consent: { fr: "accord", en: "consent" },
  objection: { fr: "objection", en: "objection" },
  pending: { fr: "sans réponse", en: "no answer yet" },
  answerComment: { fr: "Commentaire", en: "Comment" },
  answeredAt: { fr: "Répondu le", en: "Answered" },
  answeredBy: { fr: "par", en: "by" },
  acceptedVersion: { fr: "Version acceptée", en: "Accepted version" },
  answerTitle: { fr: "Réponse de", en: "Answer of" },
  answerSubmit: { fr: "Enregistrer la réponse", en: "Record the answer" },
  answerReplaces: {
    fr: "Une nouvelle réponse remplace la précédente.",
    en: "A new answer replaces the earlier one.",
  },
  ownAnswerOnly: {
    fr: "Vous voyez la réponse de votre organisation ; les autres réponses sont vues par l'agence.",
    en: "You see your organisation's answer; the agency sees the others.",
  },
  adoptTitle: { fr: "Adopter : créer la version de la charte", en: "Adopt: create the charter version" },
  adoptSubmit: { fr: "Adopter", en: "Adopt" },
  publishedOn: { fr: "Date de publication", en: "Publication date" },
  closeSubmit: { fr: "Clore sans adopter", en: "Close without adopting" },
  impactTitle: { fr: "Impact de l'annexe proposée", en: "Impact of the proposed annex" },
  printHint: {
    fr: "Cette page s'imprime telle quelle pour accompagner la consultation ; `mailcharter annex impact --html` en fait un fichier.",
    en: "This page prints as it is to go with the consultation; `mailcharter annex impact --html` makes it a file.",
  },
  counts: { fr: "Bilan", en: "Tally" },
} as const satisfies Record<string, Record<Lang, string>>;
