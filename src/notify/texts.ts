/**
 * Every text of the notices, in French and English, from this one catalogue (the pages have theirs in
 * src/web/i18n.ts). Functions take the values they insert; nothing here does I/O.
 */
import type { Audience, NoticeKind } from "./notice.js";

export type Lang = "fr" | "en";

type Text = { readonly fr: string; readonly en: string };

const kindTitle: Readonly<Record<NoticeKind, Text>> = {
  "incident-opened": { fr: "Incident ouvert", en: "Incident opened" },
  "incident-acknowledged": { fr: "Incident pris en compte", en: "Incident acknowledged" },
  "incident-resolved": { fr: "Incident résolu", en: "Incident resolved" },
  "certificate-expiring": { fr: "Certificat bientôt expiré", en: "Certificate expiring" },
  test: { fr: "Notification d'essai", en: "Test notice" },
};

/** Why this recipient receives it (Charte art. 4.6: the agency and the other signatories are told). */
const audienceReason: Readonly<Record<Audience | "test", (org: string) => Text>> = {
  organisation: (org) => ({
    fr: `Vous recevez ce message en tant que contact de ${org}, organisation concernée.`,
    en: `You receive this message as the contact of ${org}, the organisation concerned.`,
  }),
  agency: () => ({
    fr: "Vous recevez ce message en tant qu'agence (Charte art. 4.6).",
    en: "You receive this message as the agency (Charte art. 4.6).",
  }),
  signatories: () => ({
    fr: "Vous recevez ce message en tant que signataire : la Charte (art. 4.6) prévoit que l'agence et les autres signataires soient informés sans délai d'une interruption.",
    en: "You receive this message as a signatory: the Charte (art. 4.6) requires the agency and the other signatories to be told of an interruption without delay.",
  }),
  test: () => ({
    fr: "Ce message vérifie le canal de notification ; il n'y a rien à faire.",
    en: "This message checks the notification channel; there is nothing to do.",
  }),
};

const labels = {
  organisation: { fr: "Organisation", en: "Organisation" },
  domain: { fr: "Domaine", en: "Domain" },
  occurredAt: { fr: "Date (UTC)", en: "Date (UTC)" },
  incident: { fr: "Incident", en: "Incident" },
  audit: { fr: "Audit", en: "Audit" },
  signature: {
    fr: "— mailcharter, service de la Charte pour la sécurité des services de courriers électroniques",
    en: "— mailcharter, service of the e-mail services security charter",
  },
} as const;

export const texts = {
  kindTitle: (kind: NoticeKind, lang: Lang) => kindTitle[kind][lang],
  audienceReason: (audience: Audience | "test", organisation: string, lang: Lang) =>
    audienceReason[audience](organisation)[lang],
  label: (key: keyof typeof labels, lang: Lang) => labels[key][lang],
  /** `[mailcharter] Incident ouvert — a.example` */
  subject: (title: string, domain: string | null) => `[mailcharter] ${title}${domain ? ` — ${domain}` : ""}`,
  /** Line separating the French and English versions of one message. */
  separator: "—— English version below / version anglaise ci-dessous ——",
} as const;
