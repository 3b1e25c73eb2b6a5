/** mx.tls-version — charter annex §2.2: TLS 1.2 (or 1.3) accepted; 1.0/1.1 still accepted warn; SSL fails. */
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules, mxJudgement, perTlsEndpoint } from "./mx-endpoints.js";

export const mxTlsVersion: Measure = {
  id: "mx.tls-version",
  ref: "§2.2",
  charter: true,
  title: { fr: "Versions TLS des MX", en: "TLS versions of the MX hosts" },
  judge: (facts) =>
    mxJudgement(
      facts,
      perTlsEndpoint(facts.mxEndpoints, (e) => judgeRules(e, rulesOf(annexOf(facts), "mx.tls-version"))),
    ),
};
