/** The terminal rendering of an outbound test (pure; English and French from one table). */
import type { OutboundTestDocument } from "./result-document.js";

export type Lang = "fr" | "en";

type Doc = OutboundTestDocument;
type AnyConclusion = Doc["conclusions"][keyof Doc["conclusions"]];

const words: Readonly<Record<string, { fr: string; en: string }>> = {
  always: { fr: "toujours", en: "always" },
  sometimes: { fr: "parfois seulement", en: "only sometimes" },
  never: { fr: "jamais", en: "never" },
  verifies: {
    fr: "vérifie le certificat (refuse ou diffère sur un certificat invalide)",
    en: "verifies the certificate (refuses or defers on an invalid one)",
  },
  opportunistic: {
    fr: "opportuniste (remet malgré un certificat invalide)",
    en: "opportunistic (delivers despite an invalid certificate)",
  },
  "falls-back-to-clear": { fr: "envoie en clair", en: "falls back to clear text" },
  "refuses-clear": { fr: "refuse d'envoyer en clair (TLS imposé)", en: "refuses clear text (TLS enforced)" },
  waiting: { fr: "en attente (le test court encore)", en: "waiting (the test is still running)" },
  "nothing-arrived": { fr: "non observé : rien n'est arrivé", en: "not observed: nothing arrived" },
  "valid-not-arrived": {
    fr: "non observé : le message vers le certificat valide n'est pas arrivé",
    en: "not observed: the message to the valid certificate did not arrive",
  },
  "not-configured": {
    fr: "non observé : aucune variante de la configuration ne le montre",
    en: "not observed: no variant of the configuration shows it",
  },
  arrived: { fr: "arrivé", en: "arrived" },
  "not-arrived": { fr: "pas arrivé avant l'échéance", en: "did not arrive by the deadline" },
};

const say = (key: string, lang: Lang) => words[key]?.[lang] ?? key;

const conclusionText = (c: AnyConclusion, lang: Lang) =>
  c.status === "observed" ? `${say(c.value, lang)} [${c.basis.join(", ")}]` : say(c.reason, lang);

export function outboundTestText(doc: Doc, lang: Lang): string {
  const fr = lang === "fr";
  const lines = [
    fr
      ? `Test sortant ${doc.id} pour ${doc.domain} — ${doc.state === "complete" ? "terminé" : "en cours"} (échéance ${doc.expiresAt})`
      : `Outbound test ${doc.id} for ${doc.domain} — ${doc.state} (deadline ${doc.expiresAt})`,
    fr
      ? "Envoyez un message depuis le MTA du domaine à chacune de ces adresses :"
      : "Send one message from the domain's MTA to each of these addresses:",
    ...doc.variants.map((v) => {
      const m = v.messages[0];
      const how = m
        ? ` — ${m.remoteAddress}${m.reverseName ? ` (${m.reverseName})` : ""}, EHLO ${m.ehlo}, ${m.starttls ? `${m.tlsVersion} ${m.cipherSuite}${m.group ? ` ${m.group}` : ""}` : fr ? "en clair" : "clear text"}`
        : "";
      return `  ${v.kind.padEnd(12)} ${v.address}  ${say(v.state, lang)}${how}`;
    }),
    `${fr ? "STARTTLS quand proposé" : "STARTTLS when offered"}: ${conclusionText(doc.conclusions.starttlsWhenOffered, lang)}`,
    `${fr ? "Vérification du certificat" : "Certificate verification"}: ${conclusionText(doc.conclusions.certificateVerification, lang)}`,
    `${fr ? "Sans STARTTLS" : "Without STARTTLS"}: ${conclusionText(doc.conclusions.withoutStarttls, lang)}`,
  ];
  return `${lines.join("\n")}\n`;
}
