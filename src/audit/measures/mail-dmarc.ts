/** mail.dmarc — beyond the 2015 text (ANSSI PA-066 R48+): one DMARC record (RFC 7489 §6.1); p=reject passes, quarantine warns. */
import { evidence, finding } from "../findings/evidence.js";
import { dnsFailed, lookupFailed } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { recordsOf } from "./txt-records.js";

export const mailDmarc: Measure = {
  id: "mail.dmarc",
  ref: "ANSSI PA-066 R48+",
  charter: false,
  title: { fr: "DMARC", en: "DMARC" },
  judge({ domain, dns }) {
    const name = `_dmarc.${domain}`;
    if (lookupFailed(dns.dmarc)) return { evidence: [dnsFailed(name, dns.dmarc)] };
    const found = recordsOf(dns.dmarc, /^v=DMARC1\s*;/);
    if (found.length !== 1)
      return {
        evidence: [evidence(name, finding("fail", "dmarc.missing", { records: found }))],
        summary: { fr: "DMARC : absent ou multiple", en: "DMARC: missing or multiple" },
      };
    const record = found[0] ?? "";
    const policy = /(?:^|;)\s*p\s*=\s*(\w+)/i.exec(record)?.[1]?.toLowerCase() ?? "";
    const status = policy === "reject" ? "pass" : policy === "quarantine" ? "warn" : "fail";
    return {
      evidence: [evidence(name, finding(status, "dmarc.record", { record, policy }))],
      summary: {
        fr: `DMARC : politique ${policy || "absente"}`,
        en: `DMARC: policy ${policy || "missing"}`,
      },
    };
  },
};
