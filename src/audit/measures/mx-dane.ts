/**
 * mx.dane — beyond the 2015 text (RFC 7672): each MX host publishes TLSA records at `_25._tcp.<mx>`,
 * validated by DNSSEC (the resolver's AD bit, RFC 7672 §2.2), that match the chain each of its
 * addresses serves. A failed TLSA lookup is `error`; NXDOMAIN/NODATA proves there are none (`fail`).
 */

import { endpointLabel } from "../findings/endpoint-label.js";
import { type Evidence, evidence, finding } from "../findings/evidence.js";
import { daneMatches } from "./dane-match.js";
import { dnsFailed, lookupFailed } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { mxJudgement } from "./mx-endpoints.js";

export const mxDane: Measure = {
  id: "mx.dane",
  ref: "RFC 7672",
  charter: false,
  title: { fr: "DANE", en: "DANE" },
  words: {
    pass: { fr: "TLSA publiés et conformes", en: "TLSA published and matching" },
    fail: { fr: "absent ou non conforme", en: "missing or not matching" },
  },
  judge(facts) {
    const items: Evidence[] = [];
    for (const { host } of facts.mx.hosts) {
      const name = `_25._tcp.${host}`;
      const answer = facts.dns.tlsa.get(host);
      if (!answer) {
        items.push(evidence(name, finding("error", "dns.failed", { reason: "error", message: "not asked" })));
        continue;
      }
      if (lookupFailed(answer)) {
        items.push(dnsFailed(name, answer));
        continue;
      }
      if (!answer.ok || answer.value.tlsa.length === 0) {
        items.push(evidence(name, finding("fail", "dane.no-tlsa")));
        continue;
      }
      if (!answer.value.authenticated) {
        items.push(evidence(name, finding("fail", "dane.not-validated")));
        continue;
      }
      const records = answer.value.tlsa;
      const shown = records.map((r) => `${r.usage} ${r.selector} ${r.matchingType}`);
      for (const e of facts.mxEndpoints.filter((x) => x.host === host)) {
        const chain = e.tls?.certificate?.chain ?? [];
        const label = endpointLabel(e);
        if (chain.length === 0) {
          items.push(evidence(label, finding("error", "dane.no-certificate")));
          continue;
        }
        const results = records.map((r) => daneMatches(r, chain));
        if (results.some((m) => m === true))
          items.push(evidence(label, finding("pass", "dane.match", { records: shown })));
        else if (results.every((m) => m === null))
          items.push(evidence(label, finding("fail", "dane.unusable", { records: shown })));
        else items.push(evidence(label, finding("fail", "dane.mismatch", { records: shown })));
      }
    }
    return mxJudgement(facts, items);
  },
};
