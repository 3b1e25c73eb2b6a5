/** The interpreter of profile rules over one endpoint's observed facts. Pure. */

import { endpointLabel } from "../findings/endpoint-label.js";
import { type Finding, finding } from "../findings/evidence.js";
import { phrase } from "../findings/phrases.js";
import { type MeasureStatus, worst } from "../findings/status.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { CipherSuite } from "../tls/cipher-suites.js";
import type { Profile, Rule, SuiteSelector } from "./profile.js";
import { preference, tlsFacts } from "./tls-facts.js";

export interface RuleFinding extends Finding {
  readonly rule: string;
  readonly source: string;
  /** The English sentence of `code` and `values`. */
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

/** Block ciphers, whose non-AEAD suites are CBC (RFC 5246 §6.2.3.2). */
const blockCiphers = ["AES", "CAMELLIA", "ARIA", "SEED", "IDEA", "DES", "3DES", "RC2"];

export const isCbc = (s: CipherSuite): boolean => !s.aead && blockCiphers.includes(s.cipher);

/** Whether a suite is selected: any one criterion of the selector matching is enough. */
export const matches = (s: CipherSuite, select: SuiteSelector): boolean =>
  !(select.excludeAnonymous && s.anonymous) &&
  ((select.cbc === true && isCbc(s)) ||
    (select.not !== undefined && !matches(s, select.not)) ||
    (select.aead === true && s.aead) ||
    (select.ciphers?.includes(s.cipher) ?? false) ||
    (select.keyExchanges?.includes(s.keyExchange) ?? false) ||
    ((select.macs?.includes(s.mac) ?? false) && !s.aead) ||
    (select.export === true && s.export) ||
    (select.anonymous === true && s.anonymous) ||
    (select.nullCipher === true && s.nullCipher) ||
    (select.names?.includes(s.name) ?? false));

const names = (suites: readonly CipherSuite[]) => suites.map((s) => s.name).slice(0, 6);

export function judge(rule: Rule, e: EndpointReport): Finding {
  const facts = tlsFacts(e);
  const cert = e.tls?.certificate ?? null;
  const enumeration = e.tls?.enumeration;
  const unknown = (what: string) => finding("error", "rule.not-observed", { what });
  const complete = facts?.complete === true;
  switch (rule.kind) {
    case "forbid-versions": {
      const found = facts?.versions.filter((v) => rule.versions.includes(v)) ?? [];
      if (found.length > 0) return finding(rule.level, "rule.versions-accepted", { versions: found });
      return complete
        ? finding("pass", "rule.versions-absent", { versions: rule.versions })
        : unknown("all-versions");
    }
    case "require-one-version": {
      const found = facts?.versions.filter((v) => rule.versions.includes(v)) ?? [];
      return found.length > 0
        ? finding("pass", "rule.versions-accepted", { versions: found })
        : finding("fail", "rule.versions-absent", { versions: rule.versions });
    }
    case "forbid-suites": {
      const found = facts?.all.filter((s) => matches(s, rule.select)) ?? [];
      if (found.length > 0) return finding(rule.level, "rule.suites-accepted", { suites: names(found) });
      return complete ? finding("pass", "rule.suites-absent") : unknown("all-suites");
    }
    case "require-suites": {
      const found = facts?.all.filter((s) => matches(s, rule.select)) ?? [];
      if (found.length > 0)
        return finding("pass", "rule.suite-required-found", { suite: found[0]?.name ?? "" });
      // "None seen" is only a failure when every suite was enumerated.
      return complete
        ? finding("fail", "rule.suite-required-missing", { what: rule.what })
        : finding("error", "rule.suite-required-unseen", { what: rule.what });
    }
    case "only-suites": {
      const outside = facts?.all.filter((s) => !rule.names.includes(s.name)) ?? [];
      if (outside.length > 0) return finding(rule.level, "rule.suites-outside", { suites: names(outside) });
      return complete ? finding("pass", "rule.suites-inside") : unknown("all-suites");
    }
    case "prefer": {
      if (!facts || facts.all.length === 0) return unknown("accepted-suites");
      const good = (s: CipherSuite) => matches(s, rule.good);
      const bad = (s: CipherSuite) => matches(s, rule.bad);
      const both = { good: rule.names.good, bad: rule.names.bad };
      if (!facts.all.some(good)) return finding("fail", "rule.prefer-no-good", both);
      const choice = preference(facts, good, bad, rule.versions);
      if (choice === "bad-first") return finding("fail", "rule.prefer-bad-first", both);
      if (!complete) return unknown("all-suites");
      if (choice === "client") return finding("warn", "rule.prefer-client", both);
      if (choice === "chosen") return finding("pass", "rule.prefer-chosen", both);
      return finding("pass", "rule.prefer-clean", both);
    }
    case "server-order":
    case "client-order": {
      const order = e.tls?.serverPreference;
      if (order === null || order === undefined) return finding("not_applicable", "rule.order-unknown");
      const wanted = rule.kind === "server-order";
      return finding(order === wanted ? "pass" : rule.level, "rule.order", {
        order: order ? "server" : "client",
      });
    }
    case "min-dh-bits": {
      const bits = enumeration?.dhBits ?? null;
      if (bits === null) return finding("not_applicable", "rule.dh-none");
      return bits >= rule.bits
        ? finding("pass", "rule.dh-bits", { bits })
        : finding(rule.level, "rule.dh-bits", { bits, minimum: rule.bits });
    }
    case "certificate-key": {
      if (!cert) return unknown("certificate");
      const ec = cert.keyType.startsWith("EC");
      const need = ec ? rule.ecBits : rule.rsaBits;
      if (cert.keyBits === null) return unknown("key-size");
      return cert.keyBits >= need
        ? finding("pass", "rule.key", { keyType: cert.keyType, bits: cert.keyBits })
        : finding("fail", "rule.key", { keyType: cert.keyType, bits: cert.keyBits, minimum: need });
    }
    case "certificate-signature": {
      if (!cert) return unknown("certificate");
      const hash = cert.signatureHash ?? "unknown";
      return finding(rule.forbidden.includes(hash) ? "fail" : "pass", "rule.signature", { hash });
    }
    case "max-certificate-days": {
      if (!cert) return unknown("certificate");
      const days = Math.round((Date.parse(cert.notAfter) - Date.parse(cert.notBefore)) / 86_400_000);
      return days <= rule.days
        ? finding("pass", "rule.lifetime", { days })
        : finding(rule.level, "rule.lifetime", { days, maximum: rule.days });
    }
    case "no-compression": {
      const c = enumeration?.compression;
      if (c === null || c === undefined) return finding("not_applicable", "rule.compression-unknown");
      return c ? finding("fail", "rule.compression-on") : finding("pass", "rule.compression-off");
    }
    case "secure-renegotiation": {
      const r = enumeration?.secureRenegotiation;
      if (r === null || r === undefined) return finding("not_applicable", "rule.renegotiation-unknown");
      return r
        ? finding("pass", "rule.renegotiation-secure")
        : finding(rule.level, "rule.renegotiation-insecure");
    }
  }
}

export function evaluateProfile(profile: Profile, endpoints: readonly EndpointReport[]): ProfileResult {
  const results = endpoints
    .filter((e) => e.tls)
    .map((e): ProfileEndpointResult => {
      const findings = profile.rules.map((r): RuleFinding => {
        const f = judge(r.rule, e);
        return { rule: r.id, source: r.source, ...f, observed: phrase(f.code, f.values, "en") };
      });
      return { endpoint: endpointLabel(e), status: worst(findings.map((f) => f.status)), findings };
    });
  return {
    profile: profile.id,
    title: profile.title,
    status: worst(results.map((r) => r.status)),
    endpoints: results,
  };
}
