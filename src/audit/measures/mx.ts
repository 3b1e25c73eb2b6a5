/**
 * Charter annex §2: links between MTAs. Judged on every address of every MX host (port 25).
 * docs/standards.md §7: port 25 is judged on the charter-2015 profile (opportunistic TLS: a weak suite beats
 * plaintext), so old versions and suites are warnings here, not failures, unless SSL is offered.
 */
import type { EndpointReport } from "../probe/endpoint.js";
import { judge } from "../profiles/evaluate.js";
import type { Rule } from "../profiles/profile.js";
import { charter2015 } from "../profiles/profiles.js";
import {
  charterMeasure,
  type Evidence,
  type MeasureResult,
  type MeasureStatus,
  type Wording,
  worst,
} from "./measure.js";
import type { Territory } from "./territory.js";
import { evidenceAt, unreached } from "./tls-facts.js";

const measure = (
  id: MeasureResult["id"],
  ref: string,
  evidence: readonly Evidence[],
  what: Wording,
  empty: MeasureStatus,
): MeasureResult => charterMeasure(id, ref, what, evidence, { empty });

const ev = evidenceAt;

/** Endpoints we could not reach make the measure undeterminable, never passing. */
function reachOrError(e: EndpointReport): Evidence | null {
  if (!unreached(e)) return null;
  return ev(e, "error", `not reached: ${e.error?.step} ${e.error?.reason} — ${e.error?.message ?? ""}`);
}

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
    { fr: "STARTTLS sur les MX", en: "STARTTLS on the MX hosts" },
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

/** The charter-2015 profile's rules (profiles.ts): the measures judge with the same data. */
export function charterRule(id: string): Rule {
  const found = charter2015.rules.find((r) => r.id === id);
  if (!found) throw new Error(`internal: charter-2015 has no rule ${id}`);
  return found.rule;
}

/** Judges an endpoint on several charter rules: the worst finding speaks, with what was seen. */
export function judgeRules(e: EndpointReport, ids: readonly string[]): Evidence {
  const findings = ids.map((id) => judge(charterRule(id), e));
  const status = worst(findings.map((f) => f.status));
  const observed = findings.filter((f) => f.status === status).map((f) => f.observed);
  return ev(e, status, [...new Set(observed)].join("; "));
}

export function mxTlsVersion(mx: readonly EndpointReport[]): MeasureResult {
  const evidence = perTlsEndpoint(mx, (e) => judgeRules(e, ["no-ssl", "tls12", "old-tls"]));
  return measure(
    "mx.tls-version",
    "§2.2",
    evidence,
    { fr: "Versions TLS des MX", en: "TLS versions of the MX hosts" },
    "not_applicable",
  );
}

const suiteMeasure = (
  mx: readonly EndpointReport[],
  id: "mx.cipher" | "mx.key-exchange" | "mx.hash",
  rules: readonly string[],
  what: { fr: string; en: string },
): MeasureResult =>
  measure(
    id,
    "§2.2",
    perTlsEndpoint(mx, (e) => judgeRules(e, rules)),
    what,
    "not_applicable",
  );

export const mxCipher = (mx: readonly EndpointReport[]) =>
  suiteMeasure(mx, "mx.cipher", ["aes-first"], { fr: "Chiffrement AES entre MTA", en: "AES between MTAs" });

export const mxKeyExchange = (mx: readonly EndpointReport[]) =>
  suiteMeasure(mx, "mx.key-exchange", ["ecdhe-first"], {
    fr: "Échange de clés ECDHE ou DHE",
    en: "ECDHE or DHE key exchange",
  });

export const mxHash = (mx: readonly EndpointReport[]) =>
  suiteMeasure(mx, "mx.hash", ["sha2-first", "signature"], {
    fr: "Fonctions de hachage SHA-2",
    en: "SHA-2 hash functions",
  });

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
    { fr: "Certificat des MX", en: "MX certificates" },
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
    { fr: "Localisation des MX sur le territoire", en: "MX hosts located in the territory" },
    "not_applicable",
  );
}
