/**
 * Terminal rendering of probed endpoints. Pure: takes the report data and a colour set, returns text.
 */
import type { EndpointReport } from "../probe/endpoint.js";

export type Lang = "fr" | "en";

export interface Colors {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

export const noColors: Colors = {
  green: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  bold: (s) => s,
  dim: (s) => s,
};

const words = {
  en: {
    endpoint: "Endpoint",
    outcome: { completed: "probe completed", failed: "probe failed" },
    failedAt: "failed at step",
    starttls: "STARTTLS advertised",
    yes: "yes",
    no: "no",
    tls: "TLS",
    noTls: "no TLS session",
    certificate: "Certificate",
    subject: "subject",
    issuer: "issuer",
    validity: "valid",
    key: "key",
    signature: "signature",
    chain: "chain served",
    certs: "certificate(s)",
    anchor: "trust anchor",
    problems: "problems",
    ocsp: "OCSP staple",
    injection: "plaintext injected after the STARTTLS go-ahead",
    authBeforeTls: "AUTH offered before TLS",
    readvertised: "STARTTLS advertised again after TLS (RFC 3207 §4.2)",
    loginDisabled: "LOGINDISABLED before TLS",
    userBeforeTls: "USER accepted before TLS",
    http: "HTTP",
    connections: "connections",
    bytes: "bytes",
    versions: "Versions",
    serverOrder: "server order",
    clientOrder: "client order",
    groups: "Groups",
    compression: "TLS compression accepted (CRIME)",
    noSecureRenegotiation: "no secure renegotiation (RFC 5746)",
    incomplete: "enumeration incomplete",
    rawOnly: "no full TLS handshake possible; versions and suites from raw handshakes",
  },
  fr: {
    endpoint: "Point d'accès",
    outcome: { completed: "sonde terminée", failed: "sonde en échec" },
    failedAt: "échec à l'étape",
    starttls: "STARTTLS annoncé",
    yes: "oui",
    no: "non",
    tls: "TLS",
    noTls: "pas de session TLS",
    certificate: "Certificat",
    subject: "sujet",
    issuer: "émetteur",
    validity: "valide",
    key: "clé",
    signature: "signature",
    chain: "chaîne servie",
    certs: "certificat(s)",
    anchor: "racine de confiance",
    problems: "problèmes",
    ocsp: "agrafage OCSP",
    injection: "texte en clair injecté après l'accord STARTTLS",
    authBeforeTls: "AUTH proposé avant TLS",
    readvertised: "STARTTLS annoncé de nouveau après TLS (RFC 3207 §4.2)",
    loginDisabled: "LOGINDISABLED avant TLS",
    userBeforeTls: "USER accepté avant TLS",
    http: "HTTP",
    connections: "connexions",
    bytes: "octets",
    versions: "Versions",
    serverOrder: "ordre du serveur",
    clientOrder: "ordre du client",
    groups: "Groupes",
    compression: "compression TLS acceptée (CRIME)",
    noSecureRenegotiation: "pas de renégociation sécurisée (RFC 5746)",
    incomplete: "énumération incomplète",
    rawOnly: "pas de poignée de main TLS complète possible ; versions et suites par poignées de main brutes",
  },
} as const;

function dialogueLines(endpoint: EndpointReport, w: (typeof words)[Lang], c: Colors): string[] {
  const facts = (endpoint.dialogue?.facts ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const yesNo = (v: boolean) => (v ? w.yes : w.no);
  if (
    Array.isArray(facts.authBeforeTls) &&
    facts.authBeforeTls.length > 0 &&
    endpoint.tlsMode !== "implicit"
  ) {
    out.push(`  ${c.yellow(w.authBeforeTls)}: ${facts.authBeforeTls.join(" ")}`);
  }
  if (facts.starttlsAdvertisedAfterTls === true || facts.stlsAdvertisedAfterTls === true) {
    out.push(`  ${c.yellow(w.readvertised)}`);
  }
  if (typeof facts.loginDisabledBeforeTls === "boolean" && endpoint.tlsMode === "starttls") {
    out.push(`  ${w.loginDisabled}: ${yesNo(facts.loginDisabledBeforeTls)}`);
  }
  if (typeof facts.userBeforeTls === "boolean" && endpoint.tlsMode === "starttls") {
    out.push(
      `  ${facts.userBeforeTls ? c.yellow(w.userBeforeTls) : w.userBeforeTls}: ${yesNo(facts.userBeforeTls)}`,
    );
  }
  const response = facts.response as { status?: number; reason?: string } | null | undefined;
  if (response?.status) out.push(`  ${w.http}: ${response.status} ${response.reason ?? ""}`.trimEnd());
  return out;
}

export function renderEndpointText(endpoint: EndpointReport, lang: Lang, c: Colors = noColors): string {
  const w = words[lang];
  const lines: string[] = [];
  const addr = endpoint.address ?? "?";
  lines.push(
    c.bold(
      `${w.endpoint} ${endpoint.host} [${addr}]:${endpoint.port} — ${endpoint.service}, TLS ${endpoint.tlsMode}`,
    ),
  );
  const outcome = endpoint.outcome === "completed" ? c.green(w.outcome.completed) : c.red(w.outcome.failed);
  lines.push(
    `  ${outcome} (${endpoint.stats.connections} ${w.connections}, ${endpoint.stats.durationMs} ms)`,
  );
  if (endpoint.error) {
    lines.push(
      `  ${c.red(`${w.failedAt} ${endpoint.error.step}: ${endpoint.error.reason}`)} — ${endpoint.error.message}`,
    );
  }
  if (endpoint.starttlsAdvertised !== null) {
    const value = endpoint.starttlsAdvertised ? c.green(w.yes) : c.red(w.no);
    lines.push(`  ${w.starttls}: ${value}`);
  }
  if (endpoint.plaintextInjection) {
    lines.push(`  ${c.red(w.injection)}: ${endpoint.plaintextInjection.bytes} ${w.bytes}`);
  }
  lines.push(...dialogueLines(endpoint, w, c));
  const tls = endpoint.tls;
  if (!tls) {
    if (endpoint.tlsMode !== "none") lines.push(`  ${c.red(w.noTls)}`);
    return lines.join("\n");
  }
  const n = tls.negotiated;
  if (n) {
    const kx = n.group
      ? `${n.keyExchange} ${n.group}`
      : n.keyExchangeBits
        ? `${n.keyExchange} ${n.keyExchangeBits} bits`
        : n.keyExchange;
    lines.push(`  ${w.tls}: ${n.version} ${n.cipherSuite} (${kx})`);
  } else {
    lines.push(`  ${c.yellow(w.rawOnly)}`);
  }
  if (tls.versions) {
    lines.push(`  ${w.versions}: ${tls.versions.join(", ") || "—"}`);
    for (const version of tls.versions) {
      if (version === "SSLv2") {
        lines.push(`    ${c.red("SSLv2")}`);
        continue;
      }
      const suites = tls.cipherSuites?.[version] ?? [];
      const pref = tls.enumeration?.serverPreferenceByVersion[version];
      const order = pref === true ? w.serverOrder : pref === false ? w.clientOrder : "";
      lines.push(`    ${version}${order ? ` (${order})` : ""}:`);
      for (const suite of suites) lines.push(`      ${suite}`);
    }
    if (tls.groups && tls.groups.length > 0) lines.push(`  ${w.groups}: ${tls.groups.join(", ")}`);
    const e = tls.enumeration;
    if (e) {
      if (e.dhBits !== null) lines.push(`  DHE: ${e.dhBits} bits`);
      if (e.compression) lines.push(`  ${c.red(w.compression)}`);
      if (e.secureRenegotiation === false) lines.push(`  ${c.yellow(w.noSecureRenegotiation)}`);
      if (!e.complete) lines.push(`  ${c.yellow(w.incomplete)}: ${e.notes.join("; ")}`);
    }
  }
  const cert = tls.certificate;
  if (cert) {
    const status = cert.status === "valid" ? c.green(cert.status) : c.red(cert.status);
    lines.push(`  ${w.certificate}: ${status}`);
    lines.push(`    ${w.subject}: ${cert.subject}`);
    if (cert.subjectAltNames.length > 0) lines.push(`    SAN: ${cert.subjectAltNames.join(", ")}`);
    lines.push(`    ${w.issuer}: ${cert.issuer}`);
    lines.push(`    ${w.validity}: ${cert.notBefore} → ${cert.notAfter}`);
    lines.push(
      `    ${w.key}: ${cert.keyType}${cert.keyBits ? ` ${cert.keyBits} bits` : ""}; ${w.signature}: ${cert.signatureAlgorithm}`,
    );
    lines.push(`    ${w.chain}: ${cert.chainServed} ${w.certs}; ${w.anchor}: ${cert.trustAnchor ?? "—"}`);
    if (cert.problems.length > 1) lines.push(`    ${w.problems}: ${cert.problems.join(", ")}`);
    lines.push(`    ${w.ocsp}: ${tls.ocspStapled ? w.yes : w.no}`);
  }
  return lines.join("\n");
}
