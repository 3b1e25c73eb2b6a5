/**
 * Measures beyond the 2015 text (docs/contract.md §3), reported beside the charter verdict: SPF (RFC 7208),
 * DMARC (RFC 7489), TLS-RPT (RFC 8460 §3), MTA-STS (RFC 8461 §3). DANE, DNSSEC, autoconfig and
 * outbound TLS are listed with status `error` until implemented: never a silent pass.
 */

import type { SecureAnswer, TlsaRecord } from "../../net/dns-secure.js";
import type { DnsAnswer } from "../../net/resolver.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { HttpFetchResult } from "../probe/http-fetch.js";
import type { CertificateSummary } from "../tls/certificate.js";
import type { Evidence, MeasureResult, MeasureStatus } from "./measure.js";

const result = (
  id: MeasureResult["id"],
  ref: string,
  status: MeasureStatus,
  fr: string,
  en: string,
  evidence: Evidence[],
): MeasureResult => ({
  id,
  ref,
  charter: false,
  status,
  summary: { fr, en },
  evidence,
});

const records = (answer: DnsAnswer<readonly string[]>, prefix: RegExp) =>
  answer.ok ? answer.value.filter((r) => prefix.test(r)) : [];
const dnsError = (answer: DnsAnswer<readonly string[]>) =>
  !answer.ok && answer.reason !== "no_data" && answer.reason !== "not_found";

export function spf(domain: string, txt: DnsAnswer<readonly string[]>): MeasureResult {
  const ref = "ANSSI PA-066 R44";
  if (dnsError(txt))
    return result("mail.spf", ref, "error", "SPF : indéterminé", "SPF: could not be determined", [
      { endpoint: domain, status: "error", observed: txt.ok ? "" : txt.message },
    ]);
  const found = records(txt, /^v=spf1(\s|$)/i);
  const at = (status: MeasureStatus, observed: string): Evidence[] => [
    { endpoint: domain, status, observed },
  ];
  if (found.length === 0)
    return result(
      "mail.spf",
      ref,
      "fail",
      "SPF : aucun enregistrement",
      "SPF: no record",
      at("fail", "no v=spf1 TXT record"),
    );
  if (found.length > 1)
    return result(
      "mail.spf",
      ref,
      "fail",
      "SPF : plusieurs enregistrements (RFC 7208 §4.5)",
      "SPF: several records (RFC 7208 §4.5)",
      at("fail", found.join(" | ")),
    );
  const record = found[0] ?? "";
  if (
    /\+all\b/i.test(record) ||
    / all\b/i.test(` ${record.split(/\s+/).slice(1).join(" ")}`.replace(/[-~?]all/gi, ""))
  ) {
    return result(
      "mail.spf",
      ref,
      "fail",
      "SPF : autorise tout expéditeur",
      "SPF: allows any sender",
      at("fail", record),
    );
  }
  const strict = /-all\b/i.test(record);
  const status: MeasureStatus = strict ? "pass" : "warn";
  return result(
    "mail.spf",
    ref,
    status,
    strict ? "SPF : publié, -all" : "SPF : publié, sans -all",
    strict ? "SPF: published, -all" : "SPF: published without -all",
    at(status, record),
  );
}

export function dmarc(domain: string, txt: DnsAnswer<readonly string[]>): MeasureResult {
  const ref = "ANSSI PA-066 R48+";
  const name = `_dmarc.${domain}`;
  if (dnsError(txt))
    return result("mail.dmarc", ref, "error", "DMARC : indéterminé", "DMARC: could not be determined", [
      { endpoint: name, status: "error", observed: txt.ok ? "" : txt.message },
    ]);
  const found = records(txt, /^v=DMARC1\s*;/);
  const at = (status: MeasureStatus, observed: string): Evidence[] => [{ endpoint: name, status, observed }];
  if (found.length !== 1) {
    return result(
      "mail.dmarc",
      ref,
      "fail",
      "DMARC : absent ou multiple",
      "DMARC: missing or multiple",
      at("fail", found.join(" | ") || "no v=DMARC1 record"),
    );
  }
  const record = found[0] ?? "";
  const policy = /(?:^|;)\s*p\s*=\s*(\w+)/i.exec(record)?.[1]?.toLowerCase();
  const status: MeasureStatus = policy === "reject" ? "pass" : policy === "quarantine" ? "warn" : "fail";
  return result(
    "mail.dmarc",
    ref,
    status,
    `DMARC : politique ${policy ?? "absente"}`,
    `DMARC: policy ${policy ?? "missing"}`,
    at(status, record),
  );
}

export function tlsRpt(domain: string, txt: DnsAnswer<readonly string[]>): MeasureResult {
  const ref = "RFC 8460 §3";
  const name = `_smtp._tls.${domain}`;
  if (dnsError(txt))
    return result("mx.tls-rpt", ref, "error", "TLS-RPT : indéterminé", "TLS-RPT: could not be determined", [
      { endpoint: name, status: "error", observed: txt.ok ? "" : txt.message },
    ]);
  const found = records(txt, /^v=TLSRPTv1\s*;/);
  const valid = found.length === 1 && /rua\s*=\s*(mailto:|https:)/i.test(found[0] ?? "");
  const status: MeasureStatus = valid ? "pass" : "fail";
  return result(
    "mx.tls-rpt",
    ref,
    status,
    valid ? "TLS-RPT : publié" : "TLS-RPT : absent ou invalide",
    valid ? "TLS-RPT: published" : "TLS-RPT: missing or invalid",
    [{ endpoint: name, status, observed: found.join(" | ") || "no v=TLSRPTv1 record" }],
  );
}

export interface StsPolicy {
  readonly version: string | null;
  readonly mode: string | null;
  readonly maxAge: number | null;
  readonly mx: readonly string[];
}

/** RFC 8461 §3.2: "key: value" lines, LF or CRLF. */
export function parseStsPolicy(text: string): StsPolicy {
  const fields = text
    .split(/\r?\n/)
    .map((l) => /^([a-z_]+):\s*(.*?)\s*$/i.exec(l))
    .filter((m) => m !== null);
  const get = (k: string) => fields.filter((m) => m?.[1] === k).map((m) => m?.[2] ?? "");
  const maxAge = Number(get("max_age")[0]);
  return {
    version: get("version")[0] ?? null,
    mode: get("mode")[0] ?? null,
    maxAge: Number.isFinite(maxAge) ? maxAge : null,
    mx: get("mx"),
  };
}

/** RFC 8461 §4.1: "*." matches exactly one left-most label. */
export const stsMatches = (pattern: string, host: string) =>
  pattern.startsWith("*.")
    ? host.split(".").slice(1).join(".") === pattern.slice(2) &&
      host.split(".").length > pattern.split(".").length - 1
    : pattern === host;

export function mtaSts(
  domain: string,
  txt: DnsAnswer<readonly string[]>,
  policy: HttpFetchResult | null,
  mxHosts: readonly string[],
): MeasureResult {
  const ref = "RFC 8461";
  const evidence: Evidence[] = [];
  const finish = (status: MeasureStatus, fr: string, en: string) =>
    result("mx.mta-sts", ref, status, fr, en, evidence);
  if (dnsError(txt)) {
    evidence.push({ endpoint: `_mta-sts.${domain}`, status: "error", observed: txt.ok ? "" : txt.message });
    return finish("error", "MTA-STS : indéterminé", "MTA-STS: could not be determined");
  }
  // RFC 8461 §3.1: records must start with "v=STSv1;"; exactly one.
  const found = records(txt, /^v=STSv1;/);
  if (found.length !== 1) {
    evidence.push({
      endpoint: `_mta-sts.${domain}`,
      status: "fail",
      observed: found.join(" | ") || "no v=STSv1 record",
    });
    return finish("fail", "MTA-STS : pas de politique", "MTA-STS: no policy");
  }
  evidence.push({ endpoint: `_mta-sts.${domain}`, status: "pass", observed: found[0] ?? "" });
  const hop = policy?.hops[0];
  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  // RFC 8461 §3.3: HTTP 200 only, no redirects, a WebPKI-valid certificate.
  if (hop && !hop.error && hop.certificate !== null && hop.certificate !== "valid") {
    evidence.push({
      endpoint: url,
      status: "fail",
      observed: `certificate ${hop.certificate} (RFC 8461 §3.3 needs a WebPKI-valid one)`,
    });
    return finish("fail", "MTA-STS : certificat invalide", "MTA-STS: invalid certificate");
  }
  if (!policy || !hop || hop.error || hop.status !== 200 || policy.hops.length !== 1 || !policy.body) {
    const why =
      hop?.error?.message ??
      (hop?.status
        ? `HTTP ${hop.status}${policy && policy.hops.length > 1 ? " (redirects are not allowed)" : ""}`
        : "no answer");
    evidence.push({ endpoint: url, status: "fail", observed: why });
    return finish("fail", "MTA-STS : politique inaccessible", "MTA-STS: policy not fetched");
  }
  const parsed = parseStsPolicy(policy.body);
  if (parsed.version !== "STSv1" || !parsed.mode || parsed.maxAge === null || parsed.mx.length === 0) {
    evidence.push({
      endpoint: url,
      status: "fail",
      observed: `invalid policy: ${policy.body.slice(0, 200)}`,
    });
    return finish("fail", "MTA-STS : politique invalide", "MTA-STS: invalid policy");
  }
  const unmatched = mxHosts.filter((h) => !parsed.mx.some((p) => stsMatches(p.toLowerCase(), h)));
  if (unmatched.length > 0)
    evidence.push({
      endpoint: url,
      status: "fail",
      observed: `MX not covered by the policy: ${unmatched.join(", ")}`,
    });
  const modeStatus: MeasureStatus =
    parsed.mode === "enforce" ? "pass" : parsed.mode === "testing" ? "warn" : "fail";
  evidence.push({
    endpoint: url,
    status: modeStatus,
    observed: `mode ${parsed.mode}, max_age ${parsed.maxAge}, mx ${parsed.mx.join(" ")}`,
  });
  const status = unmatched.length > 0 ? "fail" : modeStatus;
  return finish(status, `MTA-STS : mode ${parsed.mode}`, `MTA-STS: mode ${parsed.mode}`);
}

/** Listed, not yet measured: `error`, so nobody reads a pass that was never checked. */
export function notYetMeasured(): MeasureResult[] {
  const pending = (id: MeasureResult["id"], ref: string, en: string, fr: string) =>
    result(
      id,
      ref,
      "error",
      `${fr} : pas encore mesuré par cette version`,
      `${en}: not measured by this version yet`,
      [],
    );
  return [
    pending(
      "access.autoconfig",
      "charte art. 5",
      "Client autoconfiguration",
      "Autoconfiguration des clients",
    ),
    pending(
      "mx.outbound-tls",
      "§2.1",
      "Outbound TLS (needs a receiving test endpoint)",
      "TLS sortant (nécessite un point de réception de test)",
    ),
  ];
}

/** Charter art. 5: the client configuration a provider publishes turns TLS on by default. */
export function autoconfigMeasure(
  domain: string,
  found: import("../discovery/autoconfig.js").Autoconfig | null,
): MeasureResult {
  const ref = "charte art. 5";
  if (!found) {
    return result(
      "access.autoconfig",
      ref,
      "not_applicable",
      "Autoconfiguration : aucune publiée",
      "Autoconfig: none published",
      [
        {
          endpoint: domain,
          status: "not_applicable",
          observed: "no autoconfig file over HTTPS (autoconfig.<domain> or .well-known)",
        },
      ],
    );
  }
  const evidence: Evidence[] = found.servers.map((s) => ({
    endpoint: `${s.hostname}:${s.port}`,
    status: /^(ssl|tls)$/i.test(s.socketType) ? "pass" : /starttls/i.test(s.socketType) ? "pass" : "fail",
    observed: `${s.direction} ${s.type} socketType ${s.socketType}`,
  }));
  const certificate = found.fetch.hops.at(-1)?.certificate;
  if (certificate && certificate !== "valid")
    evidence.push({
      endpoint: found.url,
      status: "warn",
      observed: `served with a ${certificate} certificate`,
    });
  if (evidence.length === 0)
    evidence.push({ endpoint: found.url, status: "error", observed: "no server entry could be read" });
  const status = evidence.some((e) => e.status === "fail")
    ? "fail"
    : evidence.some((e) => e.status === "error")
      ? "error"
      : evidence.some((e) => e.status === "warn")
        ? "warn"
        : "pass";
  return result(
    "access.autoconfig",
    ref,
    status,
    status === "pass" ? "Autoconfiguration : TLS par défaut" : "Autoconfiguration : TLS pas toujours activé",
    status === "pass" ? "Autoconfig: TLS on by default" : "Autoconfig: TLS not always on",
    evidence,
  );
}

/** dns.dnssec: the domain's MX answer validated by the resolver (AD bit, RFC 4035 §3.2.3). */
export function dnssec(domain: string, answer: DnsAnswer<SecureAnswer>, resolver: string): MeasureResult {
  const ref = "ANSSI PA-066 R50+";
  if (!answer.ok && answer.reason !== "no_data") {
    return result("dns.dnssec", ref, "error", "DNSSEC : indéterminé", "DNSSEC: could not be determined", [
      { endpoint: domain, status: "error", observed: answer.message },
    ]);
  }
  const validated = answer.ok && answer.value.authenticated;
  const status: MeasureStatus = validated ? "pass" : "fail";
  return result(
    "dns.dnssec",
    ref,
    status,
    validated ? "DNSSEC : réponses validées" : "DNSSEC : réponses non validées",
    validated ? "DNSSEC: answers validated" : "DNSSEC: answers not validated",
    [
      {
        endpoint: domain,
        status,
        observed: `${validated ? "AD bit set" : "no AD bit: unsigned zone, or a resolver that does not validate"} (resolver ${resolver})`,
      },
    ],
  );
}

/** RFC 6698 §2.1 / RFC 7671: does one TLSA record match the served chain? Usages 0/1 are unusable for SMTP (RFC 7672 §3.1.3). */
export function daneMatches(record: TlsaRecord, chain: readonly CertificateSummary[]): boolean | null {
  if (record.usage !== 2 && record.usage !== 3) return null;
  if (record.matchingType !== 1 && record.matchingType !== 2) return null; // full-data matching is not evaluated
  const candidates = record.usage === 3 ? chain.slice(0, 1) : chain.slice(1);
  const want = record.data.toString("hex");
  return candidates.some((c) => {
    const d = c.digests;
    const digest =
      record.selector === 0
        ? record.matchingType === 1
          ? d.certSha256
          : d.certSha512
        : record.matchingType === 1
          ? d.spkiSha256
          : d.spkiSha512;
    return digest === want;
  });
}

export function dane(
  mxHosts: readonly string[],
  tlsa: ReadonlyMap<string, DnsAnswer<SecureAnswer>>,
  mx: readonly EndpointReport[],
): MeasureResult {
  const ref = "RFC 7672";
  const evidence: Evidence[] = [];
  for (const host of mxHosts) {
    const name = `_25._tcp.${host}`;
    const answer = tlsa.get(host);
    if (!answer || (!answer.ok && answer.reason !== "no_data" && answer.reason !== "not_found")) {
      evidence.push({
        endpoint: name,
        status: "error",
        observed: answer && !answer.ok ? answer.message : "not asked",
      });
      continue;
    }
    if (!answer.ok || answer.value.tlsa.length === 0) {
      evidence.push({ endpoint: name, status: "fail", observed: "no TLSA record" });
      continue;
    }
    if (!answer.value.authenticated) {
      evidence.push({
        endpoint: name,
        status: "fail",
        observed: "TLSA records not DNSSEC-validated: unusable (RFC 7672 §2.2)",
      });
      continue;
    }
    const records = answer.value.tlsa;
    for (const e of mx.filter((x) => x.host === host)) {
      const chain = e.tls?.certificate?.chain ?? [];
      const label = `${host} [${e.address ?? "?"}]:25`;
      if (chain.length === 0) {
        evidence.push({ endpoint: label, status: "error", observed: "no certificate seen to compare" });
        continue;
      }
      const results = records.map((r) => daneMatches(r, chain));
      const shown = records.map((r) => `${r.usage} ${r.selector} ${r.matchingType}`).join(", ");
      if (results.some((m) => m === true))
        evidence.push({
          endpoint: label,
          status: "pass",
          observed: `TLSA (${shown}) matches the served chain`,
        });
      else if (results.every((m) => m === null))
        evidence.push({ endpoint: label, status: "fail", observed: `no usable TLSA record (${shown})` });
      else
        evidence.push({
          endpoint: label,
          status: "fail",
          observed: `TLSA (${shown}) does not match the served chain`,
        });
    }
  }
  const status: MeasureStatus =
    evidence.length === 0
      ? "not_applicable"
      : evidence.reduce<MeasureStatus>(
          (w, e) =>
            e.status === "fail" || w === "fail"
              ? "fail"
              : e.status === "error" || w === "error"
                ? "error"
                : "pass",
          "pass",
        );
  return result("mx.dane", ref, status, `DANE : ${status}`, `DANE: ${status}`, evidence);
}
