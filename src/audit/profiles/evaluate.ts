/** The interpreter of profile rules over one endpoint's observed facts. Pure. */

import type { MeasureStatus } from "../measures/measure.js";
import { worst } from "../measures/measure.js";
import { endpointLabel, preference, tlsFacts } from "../measures/tls-facts.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { CipherSuite } from "../tls/cipher-suites.js";
import type { Profile, Rule, SuiteSelector } from "./profile.js";

export interface RuleFinding {
  readonly rule: string;
  readonly source: string;
  readonly status: MeasureStatus;
  readonly observed: string;
}

export interface ProfileEndpointResult {
  readonly endpoint: string;
  readonly status: MeasureStatus;
  readonly findings: readonly RuleFinding[];
}

export interface ProfileResult {
  readonly profile: string;
  readonly title: string;
  readonly status: MeasureStatus;
  readonly endpoints: readonly ProfileEndpointResult[];
}

export const matches = (s: CipherSuite, select: SuiteSelector): boolean =>
  !(select.excludeAnonymous && s.anonymous) &&
  ((select.aead === true && s.aead) ||
    (select.ciphers?.includes(s.cipher) ?? false) ||
    (select.keyExchanges?.includes(s.keyExchange) ?? false) ||
    ((select.macs?.includes(s.mac) ?? false) && !s.aead) ||
    (select.export === true && s.export) ||
    (select.anonymous === true && s.anonymous) ||
    (select.nullCipher === true && s.nullCipher) ||
    (select.names?.includes(s.name) ?? false));

export function judge(rule: Rule, e: EndpointReport): { status: MeasureStatus; observed: string } {
  const facts = tlsFacts(e);
  const cert = e.tls?.certificate ?? null;
  const enumeration = e.tls?.enumeration;
  const unknown = (what: string) => ({ status: "error" as const, observed: `${what} not observed` });
  const complete = facts?.complete === true;
  switch (rule.kind) {
    case "forbid-versions": {
      const found = facts?.versions.filter((v) => rule.versions.includes(v)) ?? [];
      if (found.length > 0) return { status: rule.level, observed: found.join(", ") };
      return complete
        ? { status: "pass", observed: `none of ${rule.versions.join(", ")}` }
        : unknown("all versions");
    }
    case "require-one-version": {
      const found = facts?.versions.filter((v) => rule.versions.includes(v)) ?? [];
      return found.length > 0
        ? { status: "pass", observed: found.join(", ") }
        : { status: "fail", observed: `none of ${rule.versions.join(", ")}` };
    }
    case "forbid-suites": {
      const found = facts?.all.filter((s) => matches(s, rule.select)) ?? [];
      if (found.length > 0)
        return {
          status: rule.level,
          observed: found
            .map((s) => s.name)
            .slice(0, 6)
            .join(", "),
        };
      return complete ? { status: "pass", observed: "none" } : unknown("all suites");
    }
    case "require-suites": {
      const found = facts?.all.filter((s) => matches(s, rule.select)) ?? [];
      return found.length > 0
        ? { status: "pass", observed: found[0]?.name ?? "" }
        : { status: "fail", observed: `no ${rule.what}` };
    }
    case "only-suites": {
      const outside = facts?.all.filter((s) => !rule.names.includes(s.name)) ?? [];
      if (outside.length > 0)
        return {
          status: rule.level,
          observed: `outside the list: ${outside
            .map((s) => s.name)
            .slice(0, 6)
            .join(", ")}`,
        };
      return complete ? { status: "pass", observed: "only listed suites" } : unknown("all suites");
    }
    case "prefer": {
      if (!facts || facts.all.length === 0) return unknown("accepted suites");
      const good = (s: CipherSuite) => matches(s, rule.good);
      const bad = (s: CipherSuite) => matches(s, rule.bad);
      if (!facts.all.some(good)) return { status: "fail", observed: `no ${rule.names.good} suite accepted` };
      const choice = preference(facts, good, bad, rule.versions);
      if (choice === "bad-first")
        return {
          status: "fail",
          observed: `${rule.names.bad} chosen over ${rule.names.good} (server order, or no ${rule.names.good} in a version)`,
        };
      if (!complete) return unknown("all suites");
      if (choice === "client")
        return { status: "warn", observed: `${rule.names.bad} accepted; the client's order decides` };
      if (choice === "chosen")
        return {
          status: "pass",
          observed: `${rule.names.bad} accepted but ${rule.names.good} chosen first by the server`,
        };
      return { status: "pass", observed: `${rule.names.good} accepted, no ${rule.names.bad}` };
    }
    case "server-order":
    case "client-order": {
      const order = e.tls?.serverPreference;
      if (order === null || order === undefined)
        return { status: "not_applicable", observed: "fewer than two suites per version" };
      const wanted = rule.kind === "server-order";
      return order === wanted
        ? { status: "pass", observed: wanted ? "server order" : "client order" }
        : { status: rule.level, observed: order ? "server order" : "client order" };
    }
    case "min-dh-bits": {
      const bits = enumeration?.dhBits ?? null;
      if (bits === null) return { status: "not_applicable", observed: "no DHE exchange seen" };
      return bits >= rule.bits
        ? { status: "pass", observed: `${bits} bits` }
        : { status: rule.level, observed: `${bits} bits < ${rule.bits}` };
    }
    case "certificate-key": {
      if (!cert) return unknown("certificate");
      const ec = cert.keyType.startsWith("EC");
      const need = ec ? rule.ecBits : rule.rsaBits;
      if (cert.keyBits === null) return unknown("key size");
      return cert.keyBits >= need
        ? { status: "pass", observed: `${cert.keyType} ${cert.keyBits}` }
        : { status: "fail", observed: `${cert.keyType} ${cert.keyBits} < ${need}` };
    }
    case "certificate-signature": {
      if (!cert) return unknown("certificate");
      const hash = cert.signatureHash ?? "unknown";
      return rule.forbidden.includes(hash)
        ? { status: "fail", observed: hash }
        : { status: "pass", observed: hash };
    }
    case "max-certificate-days": {
      if (!cert) return unknown("certificate");
      const days = Math.round((Date.parse(cert.notAfter) - Date.parse(cert.notBefore)) / 86_400_000);
      return days <= rule.days
        ? { status: "pass", observed: `${days} days` }
        : { status: rule.level, observed: `${days} days > ${rule.days}` };
    }
    case "no-compression": {
      const c = enumeration?.compression;
      if (c === null || c === undefined) return { status: "not_applicable", observed: "not observed" };
      return c
        ? { status: "fail", observed: "TLS compression accepted" }
        : { status: "pass", observed: "no compression" };
    }
    case "secure-renegotiation": {
      const r = enumeration?.secureRenegotiation;
      if (r === null || r === undefined)
        return { status: "not_applicable", observed: "TLS 1.3 only or not observed" };
      return r
        ? { status: "pass", observed: "RFC 5746 renegotiation_info" }
        : { status: rule.level, observed: "no secure renegotiation" };
    }
  }
}

export function evaluateProfile(profile: Profile, endpoints: readonly EndpointReport[]): ProfileResult {
  const results = endpoints
    .filter((e) => e.tls)
    .map((e): ProfileEndpointResult => {
      const findings = profile.rules.map((r) => ({ rule: r.id, source: r.source, ...judge(r.rule, e) }));
      return { endpoint: endpointLabel(e), status: worst(findings.map((f) => f.status)), findings };
    });
  return {
    profile: profile.id,
    title: profile.title,
    status: worst(results.map((r) => r.status)),
    endpoints: results,
  };
}
