/**
 * Charter annex §2: links between MTAs. Judged on every address of every MX host (port 25).
 * NORMS §7: port 25 is judged on the charter-2015 profile (opportunistic TLS: a weak suite beats
 * plaintext), so old versions and suites are warnings here, not failures, unless SSL is offered.
 */
import type { EndpointReport } from "../probe/endpoint.js";
import { type Evidence, type MeasureResult, type MeasureStatus, worst } from "./measure.js";
import type { Territory } from "./territory.js";
import { endpointLabel, preference, tlsFacts, unreached } from "./tls-facts.js";

const measure = (
  id: MeasureResult["id"],
  ref: string,
  evidence: readonly Evidence[],
  summary: Readonly<Record<MeasureStatus, { fr: string; en: string }>>,
  noEndpoint: MeasureStatus,
): MeasureResult => {
  const status = evidence.length === 0 ? noEndpoint : worst(evidence.map((e) => e.status));
  return { id, ref, charter: true, status, summary: summary[status], evidence };
};

const ev = (e: EndpointReport, status: MeasureStatus, observed: string): Evidence => ({
  endpoint: endpointLabel(e),
  status,
  observed,
});

/** Endpoints we could not reach make the measure undeterminable, never passing. */
function reachOrError(e: EndpointReport): Evidence | null {
  if (!unreached(e)) return null;
  return ev(e, "error", `not reached: ${e.error?.step} ${e.error?.reason} — ${e.error?.message ?? ""}`);
}

const generic = (what: { fr: string; en: string }) => ({
  pass: { fr: `${what.fr} : conforme`, en: `${what.en}: compliant` },
  warn: { fr: `${what.fr} : toléré, à améliorer`, en: `${what.en}: tolerated, to improve` },
  fail: { fr: `${what.fr} : non conforme`, en: `${what.en}: not compliant` },
  error: { fr: `${what.fr} : indéterminé`, en: `${what.en}: could not be determined` },
  not_applicable: { fr: `${what.fr} : sans objet`, en: `${what.en}: not applicable` },
});

export function mxStarttls(mx: readonly EndpointReport[], noMx: boolean): MeasureResult {
  const evidence = mx.map((e): Evidence => {
    const unreachable = reachOrError(e);
    if (unreachable) return unreachable;
    if (e.starttlsAdvertised === false) return ev(e, "fail", "STARTTLS not advertised in the EHLO reply");
    if (e.error?.step === "handshake")
      return ev(e, "fail", `STARTTLS advertised, handshake failed: ${e.error.reason} — ${e.error.message}`);
    if (e.tls?.negotiated)
      return ev(e, "pass", `STARTTLS advertised, ${e.tls.negotiated.version} handshake completed`);
    if (e.error) return ev(e, "error", `${e.error.step}: ${e.error.message}`);
    return ev(e, "error", "no TLS session and no error recorded");
  });
  return measure(
    "mx.starttls",
    "§2.1, §2.2",
    evidence,
    generic({ fr: "STARTTLS sur les MX", en: "STARTTLS on the MX hosts" }),
    noMx ? "not_applicable" : "error",
  );
}

/** Applies `judge` to every MX endpoint with a TLS session; others are left to mx.starttls. */
function perTlsEndpoint(mx: readonly EndpointReport[], judge: (e: EndpointReport) => Evidence): Evidence[] {
  return mx.flatMap((e) => {
    const unreachable = reachOrError(e);
    if (unreachable) return [unreachable];
    return e.tls ? [judge(e)] : [];
  });
}

export function mxTlsVersion(mx: readonly EndpointReport[]): MeasureResult {
  const evidence = perTlsEndpoint(mx, (e) => {
    const facts = tlsFacts(e);
    const versions = facts?.versions ?? [];
    const list = versions.join(", ") || "none";
    if (versions.includes("SSLv2") || versions.includes("SSLv3"))
      return ev(e, "fail", `SSL accepted (${list})`);
    if (!versions.includes("TLSv1.2") && !versions.includes("TLSv1.3"))
      return ev(e, "fail", `neither TLS 1.2 nor 1.3 (${list})`);
    if (!facts?.complete) return ev(e, "error", `versions not fully enumerated (${list})`);
    if (versions.includes("TLSv1") || versions.includes("TLSv1.1"))
      return ev(e, "warn", `TLS 1.0/1.1 still accepted (${list})`);
    return ev(e, "pass", list);
  });
  return measure(
    "mx.tls-version",
    "§2.2",
    evidence,
    generic({ fr: "Versions TLS des MX", en: "TLS versions of the MX hosts" }),
    "not_applicable",
  );
}

function suiteMeasure(
  mx: readonly EndpointReport[],
  id: "mx.cipher" | "mx.key-exchange" | "mx.hash",
  good: (s: import("../tls/cipher-suites.js").CipherSuite) => boolean,
  bad: (s: import("../tls/cipher-suites.js").CipherSuite) => boolean,
  names: { good: string; bad: string },
  what: { fr: string; en: string },
  extra?: (e: EndpointReport) => Evidence | null,
  versions?: readonly import("../tls/cipher-suites.js").ReportedVersion[],
): MeasureResult {
  const evidence = perTlsEndpoint(mx, (e) => {
    const more = extra?.(e);
    if (more) return more;
    const facts = tlsFacts(e);
    if (!facts || facts.all.length === 0) return ev(e, "error", "accepted suites unknown");
    if (!facts.all.some(good)) return ev(e, "fail", `no ${names.good} suite accepted`);
    const choice = preference(facts, good, bad, versions);
    if (choice === "bad-first") {
      return ev(
        e,
        "fail",
        `${names.bad} chosen over ${names.good} (server order, or no ${names.good} in a version)`,
      );
    }
    if (!facts.complete) return ev(e, "error", "suites not fully enumerated");
    if (choice === "client") return ev(e, "warn", `${names.bad} accepted; the client's order decides`);
    if (choice === "chosen")
      return ev(e, "pass", `${names.bad} accepted but ${names.good} chosen first by the server`);
    return ev(e, "pass", `${names.good} accepted, no ${names.bad}`);
  });
  return measure(id, "§2.2", evidence, generic(what), "not_applicable");
}

export const mxCipher = (mx: readonly EndpointReport[]) =>
  suiteMeasure(
    mx,
    "mx.cipher",
    (s) => s.cipher.startsWith("AES"),
    (s) => s.cipher === "3DES" || s.cipher === "RC4",
    { good: "AES", bad: "3DES/RC4" },
    { fr: "Chiffrement AES entre MTA", en: "AES between MTAs" },
  );

export const mxKeyExchange = (mx: readonly EndpointReport[]) =>
  suiteMeasure(
    mx,
    "mx.key-exchange",
    (s) => s.forwardSecret && !s.anonymous,
    (s) => s.keyExchange === "RSA",
    { good: "ECDHE/DHE", bad: "static RSA" },
    { fr: "Échange de clés ECDHE ou DHE", en: "ECDHE or DHE key exchange" },
  );

export const mxHash = (mx: readonly EndpointReport[]) =>
  suiteMeasure(
    mx,
    "mx.hash",
    (s) => s.aead || s.mac === "SHA256" || s.mac === "SHA384",
    (s) => s.mac === "MD5" || s.mac === "SHA1",
    { good: "SHA-256/384 or AEAD", bad: "MD5/SHA-1" },
    { fr: "Fonctions de hachage SHA-2", en: "SHA-2 hash functions" },
    (e) => {
      const hash = e.tls?.certificate?.signatureHash;
      return hash === "MD5" || hash === "SHA-1" ? ev(e, "fail", `certificate signed with ${hash}`) : null;
    },
    // SHA-2 suites exist from TLS 1.2 (RFC 5246); older versions are judged by mx.tls-version.
    ["TLSv1.2", "TLSv1.3"],
  );

export function mxCertificate(mx: readonly EndpointReport[]): MeasureResult {
  const evidence = perTlsEndpoint(mx, (e) => {
    const cert = e.tls?.certificate;
    if (!cert) return ev(e, "error", "no certificate seen (raw handshakes only)");
    const problems = cert.problems.length ? ` (${cert.problems.join(", ")})` : "";
    return ev(
      e,
      cert.status === "valid" ? "pass" : "fail",
      `${cert.status}${problems}: ${cert.subject}, issuer ${cert.issuer}`,
    );
  });
  return measure(
    "mx.certificate",
    "§2.2",
    evidence,
    generic({ fr: "Certificat des MX", en: "MX certificates" }),
    "not_applicable",
  );
}

export function mxTerritory(mx: readonly EndpointReport[], territory: Territory): MeasureResult {
  const addresses = [...new Map(mx.filter((e) => e.address).map((e) => [e.address, e])).values()];
  const evidence = addresses.map((e): Evidence => {
    const found = territory.locate(e.address ?? "");
    const source = `source: ${found.source}`;
    if (!found.country) return ev(e, "error", `location unknown (${source})`);
    const inside = territory.countries.includes(found.country);
    return ev(
      e,
      inside ? "pass" : "fail",
      `${found.country}${inside ? "" : ` outside ${territory.countries.join(",")}`} (${source})`,
    );
  });
  return measure(
    "mx.territory",
    "§2.1",
    evidence,
    generic({ fr: "Localisation des MX sur le territoire", en: "MX hosts located in the territory" }),
    "not_applicable",
  );
}
