/** mx.key-exchange — charter annex §2.2: ECDHE or DHE accepted and chosen over static RSA. */
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules, mxJudgement, perTlsEndpoint } from "./mx-endpoints.js";

export const mxKeyExchange: Measure = {
  id: "mx.key-exchange",
  ref: "§2.2",
  charter: true,
  title: { fr: "Échange de clés ECDHE ou DHE", en: "ECDHE or DHE key exchange" },
  judge: (facts) =>
    mxJudgement(
      facts,
      perTlsEndpoint(facts.mxEndpoints, (e) => judgeRules(e, rulesOf(annexOf(facts), "mx.key-exchange"))),
    ),
};
