/**
 * What to change when a charter measure does not pass, in the words of the usual servers (docs/standards.md §6:
 * Postfix, Dovecot, nginx). Data, shown by the renderers under failing and warning measures.
 */
import type { MeasureId } from "../measures/measure.js";

export const advice: Readonly<Partial<Record<MeasureId, { readonly fr: string; readonly en: string }>>> = {
  "mx.starttls": {
    en: "Postfix: smtpd_tls_security_level = may, with smtpd_tls_cert_file and smtpd_tls_key_file.",
    fr: "Postfix : smtpd_tls_security_level = may, avec smtpd_tls_cert_file et smtpd_tls_key_file.",
  },
  "mx.tls-version": {
    en: "Postfix: smtpd_tls_protocols = >=TLSv1.2 (1.0/1.1 only if old peers need them).",
    fr: "Postfix : smtpd_tls_protocols = >=TLSv1.2 (1.0/1.1 seulement si des pairs anciens l'exigent).",
  },
  "mx.cipher": {
    en: "Offer AES suites and apply the server's order (Postfix: tls_preempt_cipherlist = yes), AES before 3DES/RC4.",
    fr: "Proposer AES et imposer l'ordre du serveur (Postfix : tls_preempt_cipherlist = yes), AES avant 3DES/RC4.",
  },
  "mx.key-exchange": {
    en: "Enable ECDHE (tls_eecdh_auto_curves), drop kRSA or rank it last with tls_preempt_cipherlist = yes.",
    fr: "Activer ECDHE (tls_eecdh_auto_curves), retirer kRSA ou le placer en dernier avec tls_preempt_cipherlist = yes.",
  },
  "mx.hash": {
    en: "Prefer AEAD or SHA-256/384 suites; use a certificate signed with SHA-256 or better.",
    fr: "Préférer les suites AEAD ou SHA-256/384 ; utiliser un certificat signé en SHA-256 ou mieux.",
  },
  "mx.certificate": {
    en: "A certificate from a CA of the trust store, in its validity period, naming the MX host; send the intermediates.",
    fr: "Un certificat d'une AC reconnue, en cours de validité, au nom de l'hôte MX ; envoyer les certificats intermédiaires.",
  },
  "mx.territory": {
    en: "Host the MX in the territory, or document the address's location with --geo-file if the database is wrong.",
    fr: "Héberger le MX sur le territoire, ou documenter la localisation avec --geo-file si la base se trompe.",
  },
  "access.tls": {
    en: "Offer TLS on every access service: IMAP 993, POP3 995, submission 465/587, HTTPS for the webmail.",
    fr: "Offrir TLS sur chaque service d'accès : IMAP 993, POP3 995, soumission 465/587, HTTPS pour le webmail.",
  },
  "access.certificate": {
    en: "A certificate from a CA of the trust store, valid, naming the service host, with its intermediates.",
    fr: "Un certificat d'une AC reconnue, valide, au nom de l'hôte du service, avec ses intermédiaires.",
  },
  "access.pfs": {
    en: "Enable ECDHE suites (Dovecot ssl_cipher_list, nginx ssl_ciphers); TLS 1.3 is always forward-secret.",
    fr: "Activer les suites ECDHE (ssl_cipher_list de Dovecot, ssl_ciphers de nginx) ; TLS 1.3 est toujours PFS.",
  },
  "access.tls-parameters": {
    en: "Dovecot: ssl_min_protocol = TLSv1.2; remove RC4, DES, NULL, EXPORT and anonymous suites everywhere.",
    fr: "Dovecot : ssl_min_protocol = TLSv1.2 ; retirer partout RC4, DES, NULL, EXPORT et les suites anonymes.",
  },
  "access.implicit-tls": {
    en: "Open implicit TLS on 993 (IMAP), 995 (POP3) and 465 (submission), RFC 8314.",
    fr: "Ouvrir le TLS implicite sur 993 (IMAP), 995 (POP3) et 465 (soumission), RFC 8314.",
  },
  "access.starttls": {
    en: "Dovecot: disable_plaintext_auth = yes; Postfix 587: smtpd_tls_security_level = encrypt (auth only after TLS).",
    fr: "Dovecot : disable_plaintext_auth = yes ; Postfix 587 : smtpd_tls_security_level = encrypt (authentification après TLS).",
  },
  "webmail.https": {
    en: "Redirect http:// to https:// on the same host, serve the login page and post its form over HTTPS only.",
    fr: "Rediriger http:// vers https:// sur le même hôte, servir la page et poster le formulaire en HTTPS uniquement.",
  },
  "webmail.session": {
    en: "Strict-Transport-Security: max-age=31536000; session cookies Secure, HttpOnly, SameSite=Lax; X-Frame-Options DENY or CSP frame-ancestors.",
    fr: "Strict-Transport-Security : max-age=31536000 ; cookies de session Secure, HttpOnly, SameSite=Lax ; X-Frame-Options DENY ou CSP frame-ancestors.",
  },
};
