/**
 * The texts of the notices' delivery log page, in French and English; src/web/i18n.ts merges them
 * into its one catalogue.
 */
export const notifyMessages = {
  deliveriesTitle: { fr: "Journal des notifications", en: "Notification delivery log" },
  deliveriesIntro: {
    fr: "Chaque tentative d'envoi d'une notification (courriel, webhook) ou d'un rapport TLS-RPT, la plus récente d'abord.",
    en: "Every attempt to deliver a notice (e-mail, webhook) or a TLS-RPT report, newest first.",
  },
  deliveriesEmpty: { fr: "Aucune tentative d'envoi pour l'instant.", en: "No delivery attempt yet." },
  deliveryAt: { fr: "Tentative (UTC)", en: "Attempt (UTC)" },
  deliveryChannel: { fr: "Canal", en: "Channel" },
  deliveryDestination: { fr: "Destinataire", en: "Destination" },
  deliveryAbout: { fr: "Objet", en: "About" },
  deliveryResult: { fr: "Résultat", en: "Result" },
  deliveryError: { fr: "Erreur", en: "Error" },
  deliveryNext: { fr: "Prochain essai", en: "Next attempt" },
  deliverySent: { fr: "envoyé", en: "sent" },
  deliveryRetry: { fr: "à réessayer", en: "will retry" },
  deliveryFailed: { fr: "abandonné", en: "given up" },
} as const;
