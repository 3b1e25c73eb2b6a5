/** mx.tls-rpt — beyond the 2015 text: one TLS-RPT record (RFC 8460 §3) with a mailto: or https: rua. */
import { evidence, finding } from "../findings/evidence.js";
import { dnsFailed, lookupFailed } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { recordsOf } from "./txt-records.js";

export const mxTlsRpt: Measure = {
  id: "mx.tls-rpt",
  ref: "RFC 8460 §3",
  charter: false,
  title: { fr: "TLS-RPT", en: "TLS-RPT" },
  judge({ domain, dns }) {
    const name = `_smtp._tls.${domain}`;
    if (lookupFailed(dns.tlsRpt)) return { evidence: [dnsFailed(name, dns.tlsRpt)] };
    const found = recordsOf(dns.tlsRpt, /^v=TLSRPTv1\s*;/);
    // RFC 8460 §3: rua is required; its URIs are mailto: or https:.
    const valid = found.length === 1 && /(?:^|;)\s*rua\s*=\s*(mailto:|https:)/i.test(found[0] ?? "");
    return valid
      ? {
          evidence: [evidence(name, finding("pass", "tlsrpt.record", { record: found[0] ?? "" }))],
          summary: { fr: "TLS-RPT : publié", en: "TLS-RPT: published" },
        }
      : {
          evidence: [evidence(name, finding("fail", "tlsrpt.invalid", { records: found }))],
          summary: { fr: "TLS-RPT : absent ou invalide", en: "TLS-RPT: missing or invalid" },
        };
  },
};
