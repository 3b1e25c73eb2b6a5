/**
 * The catalogue of evidence sentences, French and English, one entry per evidence code. Values are
 * the observed facts (names, versions, suites, server replies): they are quoted as seen; the words
 * around them, and the words of the closed sets (certificate statuses, probe steps, failure
 * reasons), are the reader's language. Pure.
 */
import type { EvidenceValue, EvidenceValues } from "./evidence.js";

export type Lang = "fr" | "en";

type Words = Readonly<Record<string, { readonly fr: string; readonly en: string }>>;

/** Words of the closed sets that appear as values. Unknown values are shown as they are. */
const glossary: Words = {
  // certificate statuses and problems
  valid: { fr: "valide", en: "valid" },
  expired: { fr: "expiré", en: "expired" },
  not_yet_valid: { fr: "pas encore valide", en: "not yet valid" },
  wrong_host: { fr: "ne nomme pas l'hôte", en: "wrong host" },
  self_signed: { fr: "auto-signé", en: "self-signed" },
  untrusted: { fr: "AC non reconnue", en: "untrusted" },
  incomplete_chain: { fr: "chaîne incomplète", en: "incomplete chain" },
  // outbound test: what could not be observed, and why
  "starttls-when-offered": { fr: "STARTTLS quand il est proposé", en: "STARTTLS when offered" },
  "certificate-verification": { fr: "vérification du certificat", en: "certificate verification" },
  "without-starttls": { fr: "envoi sans STARTTLS", en: "sending without STARTTLS" },
  waiting: { fr: "test en cours", en: "test still running" },
  "nothing-arrived": { fr: "rien n'est arrivé", en: "nothing arrived" },
  "valid-not-arrived": {
    fr: "le message vers le certificat valide n'est pas arrivé",
    en: "the message to the valid certificate did not arrive",
  },
  // probe steps
  dns: { fr: "DNS", en: "DNS" },
  connect: { fr: "connexion", en: "connect" },
  greeting: { fr: "accueil", en: "greeting" },
  starttls: { fr: "STARTTLS", en: "STARTTLS" },
  handshake: { fr: "négociation TLS", en: "handshake" },
  "post-tls": { fr: "après TLS", en: "after TLS" },
  // failure reasons
  refused: { fr: "refusée", en: "refused" },
  timeout: { fr: "délai dépassé", en: "timeout" },
  reset: { fr: "connexion réinitialisée", en: "reset" },
  closed: { fr: "connexion fermée", en: "closed" },
  too_large: { fr: "réponse trop longue", en: "too large" },
  protocol_error: { fr: "erreur de protocole", en: "protocol error" },
  tls_alert: { fr: "alerte TLS", en: "TLS alert" },
  rejected: { fr: "refusé par le serveur", en: "rejected" },
  throttled: { fr: "limité par le serveur", en: "throttled" },
  not_offered: { fr: "non proposé", en: "not offered" },
  not_allowed: { fr: "adresse interdite", en: "not allowed" },
  plaintext: { fr: "en clair", en: "plaintext" },
  not_found: { fr: "nom inexistant", en: "name does not exist" },
  no_data: { fr: "aucun enregistrement", en: "no record" },
  error: { fr: "erreur", en: "error" },
  // TLS modes and orders
  implicit: { fr: "TLS implicite", en: "implicit TLS" },
  server: { fr: "ordre du serveur", en: "server order" },
  client: { fr: "ordre du client", en: "client order" },
  // what a rule could not observe
  "all-versions": { fr: "l'ensemble des versions", en: "all versions" },
  "all-suites": { fr: "l'ensemble des suites", en: "all suites" },
  "accepted-suites": { fr: "les suites acceptées", en: "accepted suites" },
  certificate: { fr: "le certificat", en: "certificate" },
  "key-size": { fr: "la taille de clé", en: "key size" },
  // suite classes and names of rules
  "forward-secret": { fr: "suite à confidentialité persistante", en: "forward-secret suite" },
  "static RSA": { fr: "RSA statique", en: "static RSA" },
  // services
  imap: { fr: "IMAP", en: "IMAP" },
  pop3: { fr: "POP3", en: "POP3" },
  submission: { fr: "soumission", en: "submission" },
  https: { fr: "HTTPS", en: "HTTPS" },
  smtp: { fr: "SMTP", en: "SMTP" },
  incoming: { fr: "entrant", en: "incoming" },
  outgoing: { fr: "sortant", en: "outgoing" },
};

const term = (value: EvidenceValue | undefined, lang: Lang): string => {
  if (value === undefined) return "?";
  if (Array.isArray(value)) return value.map((v) => term(v, lang)).join(", ");
  const text = String(value);
  return glossary[text]?.[lang] ?? text;
};

/** A value quoted as seen (a server reply, a record, a name). */
const raw = (value: EvidenceValue | undefined): string =>
  value === undefined ? "?" : Array.isArray(value) ? value.join(", ") : String(value);

/** A list value, or none: a sentence never fails on a value it did not get. */
const asList = (value: EvidenceValue | undefined): readonly string[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [String(value)];

type Sentence = (v: EvidenceValues, t: (value: EvidenceValue | undefined) => string) => string;
interface Phrase {
  readonly en: Sentence;
  readonly fr: Sentence;
}

const catalogue = {
  // ——— reaching an endpoint
  "probe.unreached": {
    en: (v, t) => `not reached: ${t(v.step)}, ${t(v.reason)} — ${raw(v.message)}`,
    fr: (v, t) => `injoignable : ${t(v.step)}, ${t(v.reason)} — ${raw(v.message)}`,
  },
  "probe.failed": {
    en: (v, t) => `${t(v.step)}: ${raw(v.message)}`,
    fr: (v, t) => `${t(v.step)} : ${raw(v.message)}`,
  },
  "probe.nothing-recorded": {
    en: () => "no TLS session and no error recorded",
    fr: () => "ni session TLS ni erreur enregistrée",
  },
  "access.declared-unreached": {
    en: (v) => `declared but not reached: ${raw(v.message)}`,
    fr: (v) => `déclaré mais injoignable : ${raw(v.message)}`,
  },
  "discovery.mx-not-found": {
    en: (v) => `no MX host found: ${raw(v.message)}`,
    fr: (v) => `aucun MX trouvé : ${raw(v.message)}`,
  },
  "discovery.lookup-failed": {
    en: (v) => `DNS lookups failed, absence not proven: ${raw(v.names)} (${raw(v.message)})`,
    fr: (v) => `échec de requêtes DNS, absence non prouvée : ${raw(v.names)} (${raw(v.message)})`,
  },
  "dns.failed": {
    en: (v, t) => `DNS lookup failed (${t(v.reason)}): ${raw(v.message)}`,
    fr: (v, t) => `échec de la requête DNS (${t(v.reason)}) : ${raw(v.message)}`,
  },
  "tls.not-observed": {
    en: (v, t) => `no TLS session to judge (${t(v.step)}: ${t(v.reason)})`,
    fr: (v, t) => `aucune session TLS à juger (${t(v.step)} : ${t(v.reason)})`,
  },
  // ——— STARTTLS between MTAs
  "starttls.not-advertised": {
    en: () => "STARTTLS not advertised in the EHLO reply",
    fr: () => "STARTTLS absent de la réponse EHLO",
  },
  "starttls.refused": {
    en: (v) => `STARTTLS advertised but refused, also after a pause of ${raw(v.pauseMs)} ms: ${raw(v.reply)}`,
    fr: (v) =>
      `STARTTLS annoncé mais refusé, encore après une pause de ${raw(v.pauseMs)} ms : ${raw(v.reply)}`,
  },
  "starttls.handshake-failed": {
    en: (v, t) => `STARTTLS advertised, handshake failed: ${t(v.reason)} — ${raw(v.message)}`,
    fr: (v, t) => `STARTTLS annoncé, échec de la négociation TLS : ${t(v.reason)} — ${raw(v.message)}`,
  },
  "starttls.completed": {
    en: (v) => `STARTTLS advertised, ${raw(v.version)} handshake completed`,
    fr: (v) => `STARTTLS annoncé, négociation ${raw(v.version)} réussie`,
  },
  // ——— profile rules (shared by measures and profiles)
  "rule.not-observed": {
    en: (v, t) => `${t(v.what)} not observed`,
    fr: (v, t) => `non observé : ${t(v.what)}`,
  },
  "rule.versions-accepted": {
    en: (v) => `accepted: ${raw(v.versions)}`,
    fr: (v) => `acceptées : ${raw(v.versions)}`,
  },
  "rule.versions-absent": {
    en: (v) => `none of ${raw(v.versions)}`,
    fr: (v) => `aucune de ${raw(v.versions)}`,
  },
  "rule.suites-accepted": {
    en: (v) => `accepted: ${raw(v.suites)}`,
    fr: (v) => `acceptées : ${raw(v.suites)}`,
  },
  "rule.suites-absent": {
    en: () => "no forbidden suite accepted",
    fr: () => "aucune suite interdite acceptée",
  },
  "rule.suite-required-found": {
    en: (v) => `accepted: ${raw(v.suite)}`,
    fr: (v) => `acceptée : ${raw(v.suite)}`,
  },
  "rule.suite-required-missing": {
    en: (v, t) => `no ${t(v.what)} accepted`,
    fr: (v, t) => `aucune ${t(v.what)} acceptée`,
  },
  "rule.suite-required-unseen": {
    en: (v, t) => `no ${t(v.what)} seen, and the enumeration was incomplete`,
    fr: (v, t) => `aucune ${t(v.what)} vue, et l'énumération est incomplète`,
  },
  "rule.suites-outside": {
    en: (v) => `outside the list: ${raw(v.suites)}`,
    fr: (v) => `hors de la liste : ${raw(v.suites)}`,
  },
  "rule.suites-inside": {
    en: () => "only listed suites",
    fr: () => "seulement des suites de la liste",
  },
  "rule.prefer-no-good": {
    en: (v, t) => `no ${t(v.good)} suite accepted`,
    fr: (v, t) => `aucune suite ${t(v.good)} acceptée`,
  },
  "rule.prefer-bad-first": {
    en: (v, t) => `${t(v.bad)} chosen over ${t(v.good)} (server order, or no ${t(v.good)} in a version)`,
    fr: (v, t) =>
      `${t(v.bad)} choisi avant ${t(v.good)} (ordre du serveur, ou pas de ${t(v.good)} dans une version)`,
  },
  "rule.prefer-client": {
    en: (v, t) => `${t(v.bad)} accepted; the client's order decides`,
    fr: (v, t) => `${t(v.bad)} accepté ; l'ordre du client décide`,
  },
  "rule.prefer-chosen": {
    en: (v, t) => `${t(v.bad)} accepted but ${t(v.good)} chosen first by the server`,
    fr: (v, t) => `${t(v.bad)} accepté mais ${t(v.good)} choisi d'abord par le serveur`,
  },
  "rule.prefer-clean": {
    en: (v, t) => `${t(v.good)} accepted, no ${t(v.bad)}`,
    fr: (v, t) => `${t(v.good)} accepté, pas de ${t(v.bad)}`,
  },
  "rule.order-unknown": {
    en: () => "fewer than two suites per version",
    fr: () => "moins de deux suites par version",
  },
  "rule.order": {
    en: (v, t) => t(v.order),
    fr: (v, t) => t(v.order),
  },
  "rule.dh-none": {
    en: () => "no DHE exchange seen",
    fr: () => "aucun échange DHE observé",
  },
  "rule.dh-bits": {
    en: (v) => `${raw(v.bits)}-bit DH group${v.minimum !== undefined ? ` < ${raw(v.minimum)}` : ""}`,
    fr: (v) => `groupe DH de ${raw(v.bits)} bits${v.minimum !== undefined ? ` < ${raw(v.minimum)}` : ""}`,
  },
  "rule.key": {
    en: (v) => `${raw(v.keyType)} ${raw(v.bits)}${v.minimum !== undefined ? ` < ${raw(v.minimum)}` : ""}`,
    fr: (v) => `${raw(v.keyType)} ${raw(v.bits)}${v.minimum !== undefined ? ` < ${raw(v.minimum)}` : ""}`,
  },
  "rule.signature": {
    en: (v) => `certificate signed with ${raw(v.hash)}`,
    fr: (v) => `certificat signé avec ${raw(v.hash)}`,
  },
  "rule.lifetime": {
    en: (v) => `valid for ${raw(v.days)} days${v.maximum !== undefined ? ` > ${raw(v.maximum)}` : ""}`,
    fr: (v) => `valable ${raw(v.days)} jours${v.maximum !== undefined ? ` > ${raw(v.maximum)}` : ""}`,
  },
  "rule.compression-unknown": { en: () => "compression not observed", fr: () => "compression non observée" },
  "rule.compression-on": { en: () => "TLS compression accepted", fr: () => "compression TLS acceptée" },
  "rule.compression-off": { en: () => "no compression", fr: () => "pas de compression" },
  "rule.renegotiation-unknown": {
    en: () => "TLS 1.3 only or not observed",
    fr: () => "TLS 1.3 seul ou non observé",
  },
  "rule.renegotiation-secure": {
    en: () => "RFC 5746 renegotiation_info",
    fr: () => "renegotiation_info (RFC 5746)",
  },
  "rule.renegotiation-insecure": {
    en: () => "no secure renegotiation",
    fr: () => "pas de renégociation sécurisée",
  },
  // ——— certificates
  "certificate.judged": {
    en: (v, t) =>
      `${t(v.status)}${asList(v.problems).length ? ` (${t(v.problems)})` : ""}: ${raw(v.subject)}, issuer ${raw(v.issuer)}`,
    fr: (v, t) =>
      `${t(v.status)}${asList(v.problems).length ? ` (${t(v.problems)})` : ""} : ${raw(v.subject)}, émetteur ${raw(v.issuer)}`,
  },
  "certificate.not-seen": {
    en: () => "no certificate seen (raw handshakes only)",
    fr: () => "aucun certificat vu (négociations brutes seulement)",
  },
  // ——— territory
  "territory.inside": {
    en: (v) => `${raw(v.country)} (source: ${raw(v.source)})`,
    fr: (v) => `${raw(v.country)} (source : ${raw(v.source)})`,
  },
  "territory.outside": {
    en: (v) => `${raw(v.country)} outside ${raw(v.countries)} (source: ${raw(v.source)})`,
    fr: (v) => `${raw(v.country)} hors de ${raw(v.countries)} (source : ${raw(v.source)})`,
  },
  "territory.unknown": {
    en: (v) =>
      `location unknown (source: ${raw(v.source)}); if you know where it is, give it with --geo-file FILE (lines CIDR,CC)`,
    fr: (v) =>
      `localisation inconnue (source : ${raw(v.source)}) ; si vous la connaissez, donnez-la avec --geo-file FICHIER (lignes CIDR,CC)`,
  },
  // ——— access services
  "access.tls": {
    en: (v, t) => `${t(v.mode)}: ${raw(v.version) || "raw handshakes only"}`,
    fr: (v, t) => `${t(v.mode)} : ${raw(v.version) || "négociations brutes seulement"}`,
  },
  "access.no-tls": {
    en: (v, t) => `no TLS here (${t(v.reason)})${v.elsewhere ? "; TLS offered on another port" : ""}`,
    fr: (v, t) => `pas de TLS ici (${t(v.reason)})${v.elsewhere ? " ; TLS offert sur un autre port" : ""}`,
  },
  "access.implicit": {
    en: (v, t) => `implicit TLS for ${t(v.service)}`,
    fr: (v, t) => `TLS implicite pour ${t(v.service)}`,
  },
  "access.no-implicit": {
    en: (v, t) => `${t(v.service)} offered without implicit TLS (RFC 8314: 993/995/465)`,
    fr: (v, t) => `pas de TLS implicite pour ${t(v.service)} (RFC 8314 : 993/995/465)`,
  },
  "access.starttls-missing": { en: () => "STARTTLS not offered", fr: () => "STARTTLS non proposé" },
  "access.auth-before-tls": {
    en: (v) => `authentication accepted before TLS: ${raw(v.mechanisms)}`,
    fr: (v) => `authentification acceptée avant TLS : ${raw(v.mechanisms)}`,
  },
  "access.starttls-ok": {
    en: () => "STARTTLS offered, no authentication before it",
    fr: () => "STARTTLS proposé, aucune authentification avant lui",
  },
  // ——— webmail
  "webmail.redirects": {
    en: (v) => `http:// redirects to ${raw(v.url)}`,
    fr: (v) => `http:// redirige vers ${raw(v.url)}`,
  },
  "webmail.no-redirect": {
    en: (v) => `http://${raw(v.host)}/ does not redirect to HTTPS (ends at ${raw(v.url)})`,
    fr: (v) => `http://${raw(v.host)}/ ne redirige pas vers HTTPS (aboutit à ${raw(v.url)})`,
  },
  "webmail.https-failed": {
    en: (v) => `https://${raw(v.host)}/: ${raw(v.message)}`,
    fr: (v) => `https://${raw(v.host)}/ : ${raw(v.message)}`,
  },
  "webmail.https-only-plain": {
    en: (v) => `served over plain HTTP only (https://${raw(v.host)}/: ${raw(v.message)})`,
    fr: (v) => `servi seulement en HTTP clair (https://${raw(v.host)}/ : ${raw(v.message)})`,
  },
  "webmail.leaves-https": {
    en: (v) => `the HTTPS page redirects to ${raw(v.url)}`,
    fr: (v) => `la page HTTPS redirige vers ${raw(v.url)}`,
  },
  "webmail.no-form": {
    en: (v) => `no login form found at ${raw(v.url)}`,
    fr: (v) => `aucun formulaire de connexion trouvé à ${raw(v.url)}`,
  },
  "webmail.form-plain": {
    en: (v) => `the login form posts to ${raw(v.action)}`,
    fr: (v) => `le formulaire de connexion est envoyé à ${raw(v.action)}`,
  },
  "webmail.form-https": {
    en: (v) => `login form at ${raw(v.url)} posts to ${raw(v.action)}`,
    fr: (v) => `le formulaire de ${raw(v.url)} est envoyé à ${raw(v.action)}`,
  },
  "webmail.mixed-content": {
    en: (v) => `plain-http links or resources: ${raw(v.urls)}`,
    fr: (v) => `liens ou ressources en http clair : ${raw(v.urls)}`,
  },
  "webmail.no-https-response": { en: () => "no HTTPS response", fr: () => "aucune réponse HTTPS" },
  "webmail.hsts-missing": {
    en: () => "no Strict-Transport-Security header",
    fr: () => "pas d'en-tête Strict-Transport-Security",
  },
  "webmail.hsts-short": {
    en: (v) => `HSTS max-age ${raw(v.maxAge)} s is below six months`,
    fr: (v) => `HSTS max-age ${raw(v.maxAge)} s : moins de six mois`,
  },
  "webmail.hsts": {
    en: (v) => `HSTS: ${raw(v.header)}${v.subdomains ? "" : " (without includeSubDomains)"}`,
    fr: (v) => `HSTS : ${raw(v.header)}${v.subdomains ? "" : " (sans includeSubDomains)"}`,
  },
  "webmail.cookie-lacks": {
    en: (v) => `cookie ${raw(v.name)} lacks ${raw(v.flags)}`,
    fr: (v) => `le cookie ${raw(v.name)} n'a pas ${raw(v.flags)}`,
  },
  "webmail.cookie-in-clear": {
    en: (v) => `cookie ${raw(v.name)} sent over plain HTTP`,
    fr: (v) => `cookie ${raw(v.name)} envoyé en HTTP clair`,
  },
  "webmail.cookie-ok": {
    en: (v) => `cookie ${raw(v.name)}: flags set`,
    fr: (v) => `cookie ${raw(v.name)} : attributs présents`,
  },
  "webmail.session-in-url": {
    en: (v) => `session id in a URL: ${raw(v.url)}`,
    fr: (v) => `identifiant de session dans une URL : ${raw(v.url)}`,
  },
  "webmail.framing-refused": {
    en: (v) => `framing refused (${raw(v.by)})`,
    fr: (v) => `intégration dans un cadre refusée (${raw(v.by)})`,
  },
  "webmail.framing-allowed": {
    en: () => "framing allowed: no CSP frame-ancestors nor X-Frame-Options",
    fr: () => "intégration dans un cadre permise : ni CSP frame-ancestors ni X-Frame-Options",
  },
  // ——— DNS policy records
  "spf.none": { en: () => "no v=spf1 TXT record", fr: () => "aucun enregistrement TXT v=spf1" },
  "spf.several": {
    en: (v) => `several v=spf1 records (RFC 7208 §4.5): ${raw(v.records)}`,
    fr: (v) => `plusieurs enregistrements v=spf1 (RFC 7208 §4.5) : ${raw(v.records)}`,
  },
  "spf.allows-all": {
    en: (v) => `allows any sender: ${raw(v.record)}`,
    fr: (v) => `autorise tout expéditeur : ${raw(v.record)}`,
  },
  "spf.record": {
    en: (v) => `${raw(v.record)}${v.strict ? "" : " (without -all)"}`,
    fr: (v) => `${raw(v.record)}${v.strict ? "" : " (sans -all)"}`,
  },
  "dmarc.missing": {
    en: (v) => (asList(v.records).length ? `several records: ${raw(v.records)}` : "no v=DMARC1 record"),
    fr: (v) =>
      asList(v.records).length
        ? `plusieurs enregistrements : ${raw(v.records)}`
        : "aucun enregistrement v=DMARC1",
  },
  "dmarc.record": {
    en: (v) => `policy ${raw(v.policy) || "missing"}: ${raw(v.record)}`,
    fr: (v) => `politique ${raw(v.policy) || "absente"} : ${raw(v.record)}`,
  },
  "tlsrpt.record": { en: (v) => raw(v.record), fr: (v) => raw(v.record) },
  "tlsrpt.invalid": {
    en: (v) =>
      asList(v.records).length
        ? `invalid or several records (one v=TLSRPTv1 with rua=mailto: or https:): ${raw(v.records)}`
        : "no v=TLSRPTv1 record",
    fr: (v) =>
      asList(v.records).length
        ? `enregistrements invalides ou multiples (un seul v=TLSRPTv1 avec rua=mailto: ou https:) : ${raw(v.records)}`
        : "aucun enregistrement v=TLSRPTv1",
  },
  // ——— MTA-STS
  "sts.record": { en: (v) => raw(v.record), fr: (v) => raw(v.record) },
  "sts.no-record": {
    en: (v) =>
      asList(v.records).length ? `several v=STSv1 records: ${raw(v.records)}` : "no v=STSv1 record",
    fr: (v) =>
      asList(v.records).length
        ? `plusieurs enregistrements v=STSv1 : ${raw(v.records)}`
        : "aucun enregistrement v=STSv1",
  },
  "sts.certificate": {
    en: (v, t) => `certificate ${t(v.status)} (RFC 8461 §3.3 needs a WebPKI-valid one)`,
    fr: (v, t) => `certificat ${t(v.status)} (la RFC 8461 §3.3 exige un certificat valide)`,
  },
  "sts.fetch-failed": {
    en: (v) => `policy not fetched: ${raw(v.message)}`,
    fr: (v) => `politique non récupérée : ${raw(v.message)}`,
  },
  "sts.http-status": {
    en: (v) => `HTTP ${raw(v.status)}${v.redirected ? " (redirects are not allowed, RFC 8461 §3.3)" : ""}`,
    fr: (v) => `HTTP ${raw(v.status)}${v.redirected ? " (redirections interdites, RFC 8461 §3.3)" : ""}`,
  },
  "sts.invalid": {
    en: (v) => `invalid policy: ${raw(v.excerpt)}`,
    fr: (v) => `politique invalide : ${raw(v.excerpt)}`,
  },
  "sts.uncovered": {
    en: (v) => `MX not covered by the policy: ${raw(v.hosts)}`,
    fr: (v) => `MX non couverts par la politique : ${raw(v.hosts)}`,
  },
  "sts.policy": {
    en: (v) => `mode ${raw(v.mode)}, max_age ${raw(v.maxAge)}, mx ${asList(v.mx).join(" ")}`,
    fr: (v) => `mode ${raw(v.mode)}, max_age ${raw(v.maxAge)}, mx ${asList(v.mx).join(" ")}`,
  },
  // ——— autoconfig
  "autoconfig.none": {
    en: () => "no autoconfig file over HTTPS (autoconfig.<domain> or .well-known)",
    fr: () => "aucun fichier d'autoconfiguration en HTTPS (autoconfig.<domaine> ou .well-known)",
  },
  "autoconfig.unknown": {
    en: (v) => `autoconfig not determined (${raw(v.message)})`,
    fr: (v) => `autoconfiguration indéterminée (${raw(v.message)})`,
  },
  "autoconfig.server": {
    en: (v, t) => `${t(v.direction)} ${raw(v.type)}: socketType ${raw(v.socketType)}`,
    fr: (v, t) => `${t(v.direction)} ${raw(v.type)} : socketType ${raw(v.socketType)}`,
  },
  "autoconfig.certificate": {
    en: (v, t) => `served with a certificate: ${t(v.status)}`,
    fr: (v, t) => `servi avec un certificat : ${t(v.status)}`,
  },
  "autoconfig.empty": {
    en: () => "no server entry could be read",
    fr: () => "aucune entrée de serveur lisible",
  },
  // ——— DNSSEC, DANE
  "dnssec.validated": {
    en: (v) => `AD bit set (resolver ${raw(v.resolver)})`,
    fr: (v) => `bit AD positionné (résolveur ${raw(v.resolver)})`,
  },
  "dnssec.not-validated": {
    en: (v) => `no AD bit: unsigned zone, or a resolver that does not validate (resolver ${raw(v.resolver)})`,
    fr: (v) =>
      `pas de bit AD : zone non signée, ou résolveur qui ne valide pas (résolveur ${raw(v.resolver)})`,
  },
  "dane.no-tlsa": { en: () => "no TLSA record", fr: () => "aucun enregistrement TLSA" },
  "dane.not-validated": {
    en: () => "TLSA records not DNSSEC-validated: unusable (RFC 7672 §2.2)",
    fr: () => "enregistrements TLSA non validés par DNSSEC : inutilisables (RFC 7672 §2.2)",
  },
  "dane.no-certificate": {
    en: () => "no certificate seen to compare",
    fr: () => "aucun certificat vu à comparer",
  },
  "dane.match": {
    en: (v) => `TLSA (${raw(v.records)}) matches the served chain`,
    fr: (v) => `TLSA (${raw(v.records)}) correspond à la chaîne servie`,
  },
  "dane.unusable": {
    en: (v) => `no usable TLSA record (${raw(v.records)}; usages 0/1 are unusable for SMTP, RFC 7672 §3.1.3)`,
    fr: (v) =>
      `aucun TLSA utilisable (${raw(v.records)} ; usages 0/1 inutilisables en SMTP, RFC 7672 §3.1.3)`,
  },
  "dane.mismatch": {
    en: (v) => `TLSA (${raw(v.records)}) does not match the served chain`,
    fr: (v) => `TLSA (${raw(v.records)}) ne correspond pas à la chaîne servie`,
  },
  // ——— outbound TLS, observed by the outbound test's receiving endpoint
  "outbound.not-measured": {
    en: () => "not measured by this version: needs a receiving test endpoint the provider sends to",
    fr: () => "pas mesuré par cette version : nécessite un point de réception de test",
  },
  "outbound.no-store": {
    en: () => "not measured: no outbound-test store given to the audit (--db)",
    fr: () => "pas mesuré : aucune base de tests sortants fournie à l'audit (--db)",
  },
  "outbound.no-test": {
    en: () => "no outbound test of this domain yet (mailcharter outbound-test start)",
    fr: () => "aucun test sortant de ce domaine pour l'instant (mailcharter outbound-test start)",
  },
  "outbound.read-failed": {
    en: (v) => `the outbound tests could not be read: ${raw(v.message)}`,
    fr: (v) => `les tests sortants n'ont pas pu être lus : ${raw(v.message)}`,
  },
  "outbound.session": {
    en: (v) =>
      `received over STARTTLS: ${raw(v.version)}, ${raw(v.suite)}${v.group ? `, ${raw(v.group)}` : ""}`,
    fr: (v) => `reçu avec STARTTLS : ${raw(v.version)}, ${raw(v.suite)}${v.group ? `, ${raw(v.group)}` : ""}`,
  },
  "outbound.clear-while-offered": {
    en: (v) => `mail came in clear text although STARTTLS was offered (${raw(v.variants)})`,
    fr: (v) => `courrier reçu en clair alors que STARTTLS était proposé (${raw(v.variants)})`,
  },
  "outbound.opportunistic": {
    en: (v) =>
      `delivered despite an invalid certificate (${raw(v.variants)}): the receiver is not authenticated`,
    fr: (v) =>
      `remis malgré un certificat invalide (${raw(v.variants)}) : le destinataire n'est pas authentifié`,
  },
  "outbound.verifies": {
    en: (v) => `delivered to the valid certificate only; nothing reached ${raw(v.variants)} by the deadline`,
    fr: (v) => `remis au seul certificat valide ; rien n'est parvenu à ${raw(v.variants)} avant l'échéance`,
  },
  "outbound.clear-fallback": {
    en: () => "delivered in clear text to the receiver that offers no STARTTLS",
    fr: () => "remis en clair au destinataire qui ne propose pas STARTTLS",
  },
  "outbound.refuses-clear": {
    en: () => "nothing reached the receiver without STARTTLS by the deadline: no clear-text fallback",
    fr: () => "rien n'est parvenu au destinataire sans STARTTLS avant l'échéance : pas de repli en clair",
  },
  "outbound.not-observed": {
    en: (v, t) => `not observed: ${t(v.what)} (${t(v.reason)}; deadline ${raw(v.expiresAt)})`,
    fr: (v, t) => `non observé : ${t(v.what)} (${t(v.reason)} ; échéance ${raw(v.expiresAt)})`,
  },
} satisfies Readonly<Record<string, Phrase>>;

export type EvidenceCode = keyof typeof catalogue;

export const evidenceCodes = Object.keys(catalogue) as EvidenceCode[];

export function phrase(code: EvidenceCode, values: EvidenceValues, lang: Lang): string {
  const entry: Phrase = catalogue[code];
  return entry[lang](values, (value) => term(value, lang));
}
