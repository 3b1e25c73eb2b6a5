/**
 * mail.spf — beyond the 2015 text (ANSSI PA-066 R44): one SPF record (RFC 7208 §4.5) ending in
 * `-all`; `~all`/`?all` warn; `+all` (or a bare `all`) allows any sender and fails.
 */
import { evidence, finding } from "../findings/evidence.js";
import { dnsFailed, lookupFailed } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { recordsOf } from "./txt-records.js";

export const mailSpf: Measure = {
  id: "mail.spf",
  ref: "ANSSI PA-066 R44",
  charter: false,
  title: { fr: "SPF", en: "SPF" },
  judge({ domain, dns }) {
    const at = (f: ReturnType<typeof finding>) => [evidence(domain, f)];
    if (lookupFailed(dns.spf)) return { evidence: [dnsFailed(domain, dns.spf)] };
    const found = recordsOf(dns.spf, /^v=spf1(\s|$)/i);
    if (found.length === 0)
      return {
        evidence: at(finding("fail", "spf.none")),
        summary: { fr: "SPF : aucun enregistrement", en: "SPF: no record" },
      };
    if (found.length > 1)
      return {
        evidence: at(finding("fail", "spf.several", { records: found })),
        summary: { fr: "SPF : plusieurs enregistrements", en: "SPF: several records" },
      };
    const record = found[0] ?? "";
    const terms = record.split(/\s+/).slice(1);
    // RFC 7208 §5.1: "all" with the "+" qualifier (explicit or implied) matches every sender.
    if (terms.some((t) => /^\+?all$/i.test(t)))
      return {
        evidence: at(finding("fail", "spf.allows-all", { record })),
        summary: { fr: "SPF : autorise tout expéditeur", en: "SPF: allows any sender" },
      };
    const strict = terms.some((t) => /^-all$/i.test(t));
    return {
      evidence: at(finding(strict ? "pass" : "warn", "spf.record", { record, strict })),
      summary: strict
        ? { fr: "SPF : publié, -all", en: "SPF: published, -all" }
        : { fr: "SPF : publié, sans -all", en: "SPF: published without -all" },
    };
  },
};
