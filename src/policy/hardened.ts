/**
 * Hardened server configuration (charter-2015 profile, docs/standards.md §6): Postfix main.cf and master.cf
 * fragments (25 opportunistic STARTTLS, 587 TLS required before auth, 465 implicit TLS, client side),
 * Dovecot ssl settings, an nginx server block for a webmail. Pure text, golden-file tested; the
 * values are those the audit checks, so a server set up with them passes it.
 */
import { MailcharterError } from "../core/errors.js";
export interface HardenedOptions {
  readonly hostname: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** ECDHE with AEAD only for TLS 1.2 (TLS 1.3 suites are all AEAD): ANSSI annex A.1 for RSA keys. */
export const strongCipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!SHA1:!SHA256:!SHA384";

export function postfixMainCf(o: HardenedOptions): string {
  return `# --- mailcharter: hardened TLS for ${o.hostname} (Postfix 3.6+) ---
# Inbound, port 25: STARTTLS offered, never required on a public MX (RFC 3207 §4).
smtpd_tls_cert_file = ${o.certFile}
smtpd_tls_key_file = ${o.keyFile}
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = ${strongCipherList}
# The server's order applies: AES-GCM and ECDHE before anything else (charter annex §2.2).
tls_preempt_cipherlist = yes
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
# Outbound: opportunistic toward everyone, verified toward signatories (policy map from the registry).
smtp_tls_security_level = may
smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt
smtp_tls_policy_maps = texthash:/etc/postfix/tls_policy
smtp_tls_loglevel = 1
`;
}

export function postfixMasterCf(): string {
  return `# --- mailcharter: submission services ---
# 587: STARTTLS required before anything else, authentication only after it.
submission inet n - y - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
# 465: implicit TLS (RFC 8314).
submissions inet n - y - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
`;
}

export function dovecotSsl(o: HardenedOptions): string {
  return `# --- mailcharter: hardened TLS for ${o.hostname} (Dovecot 2.3) ---
ssl = required
ssl_cert = <${o.certFile}
ssl_key = <${o.keyFile}
ssl_min_protocol = TLSv1.2
ssl_cipher_list = ${strongCipherList}
ssl_prefer_server_ciphers = yes
# No password before TLS (LOGINDISABLED on 143, no USER on 110).
disable_plaintext_auth = yes
# Implicit TLS on 993 and 995 (RFC 8314) beside STARTTLS on 143 and 110.
service imap-login {
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
`;
}

export function nginxWebmail(o: HardenedOptions): string {
  return `# --- mailcharter: webmail ${o.hostname} (nginx 1.19.3+) ---
server {
  listen 80;
  server_name ${o.hostname};
  # Plain HTTP only redirects, on the same host (charter annex §1.2).
  return 301 https://$host$request_uri;
}
server {
  listen 443 ssl;
  server_name ${o.hostname};
  ssl_certificate ${o.certFile};
  ssl_certificate_key ${o.keyFile};
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ${strongCipherList};
  ssl_prefer_server_ciphers on;
  add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
  add_header Content-Security-Policy "frame-ancestors 'none'" always;
  add_header X-Frame-Options DENY always;
  add_header X-Content-Type-Options nosniff always;
  add_header Referrer-Policy strict-origin-when-cross-origin always;
  location / {
    proxy_pass http://127.0.0.1:8080;
    # Session cookies: Secure, HttpOnly, SameSite=Lax whatever the application sets (OWASP, ANSSI PA-009 R26–R33).
    proxy_cookie_flags ~ secure httponly samesite=lax;
  }
}
`;
}

/** A host name the configurations can carry: LDH labels, at least two (no spaces, quotes or braces). */
const fqdn =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** A file path the configurations can carry unquoted: absolute, no whitespace, quote, brace or ';'. */
const safePath = /^\/[A-Za-z0-9._@+/-]+$/;

export function checkConfigPath(path: string, what: string): string {
  if (!safePath.test(path))
    throw new MailcharterError(
      "usage",
      `${what}: "${path}" must be an absolute path without spaces, quotes, braces or ';'`,
    );
  return path;
}

/** The fragments; anything that could break out of a configuration line is refused first. */
export function hardenedConfigs(o: HardenedOptions): Record<string, string> {
  if (!fqdn.test(o.hostname))
    throw new MailcharterError("usage", `--hostname: "${o.hostname}" is not a fully qualified host name`);
  checkConfigPath(o.certFile, "--cert");
  checkConfigPath(o.keyFile, "--key");
  return {
    "postfix/main.cf": postfixMainCf(o),
    "postfix/master.cf": postfixMasterCf(),
    "dovecot/conf.d/10-ssl.conf": dovecotSsl(o),
    "nginx/sites-available/webmail": nginxWebmail(o),
  };
}
