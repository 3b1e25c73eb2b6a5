/**
 * dns.dnssec — beyond the 2015 text (ANSSI PA-066 R50+): the domain's MX answer validated by the
 * resolver (AD bit, RFC 4035 §3.2.3). A failed lookup (SERVFAIL — which is also how a validating
 * resolver answers bogus data, RFC 4035 §5.5 — or a timeout) is `error`.
 */
import { evidence, finding } from "../findings/evidence.js";
import { dnsFailed } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";

export const dnsDnssec: Measure = {
  id: "dns.dnssec",
  ref: "ANSSI PA-066 R50+",
  charter: false,
  title: { fr: "DNSSEC", en: "DNSSEC" },
  words: {
    pass: { fr: "réponses validées", en: "answers validated" },
    fail: { fr: "réponses non validées", en: "answers not validated" },
  },
  judge({ domain, dns }) {
    const answer = dns.dnssec;
    if (!answer.ok && answer.reason !== "no_data") return { evidence: [dnsFailed(domain, answer)] };
    const validated = answer.ok && answer.value.authenticated;
    return {
      evidence: [
        evidence(
          domain,
          finding(validated ? "pass" : "fail", validated ? "dnssec.validated" : "dnssec.not-validated", {
            resolver: dns.resolver,
          }),
        ),
      ],
    };
  },
};
