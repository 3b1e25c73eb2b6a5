/** mx.cipher — charter annex §2.2: AES accepted and chosen over 3DES and RC4 when the client offers both. */
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules, mxJudgement, perTlsEndpoint } from "./mx-endpoints.js";

export const mxCipher: Measure = {
  id: "mx.cipher",
  ref: "§2.2",
  charter: true,
  title: { fr: "Chiffrement AES entre MTA", en: "AES between MTAs" },
  judge: (facts) =>
    mxJudgement(
      facts,
      perTlsEndpoint(facts.mxEndpoints, (e) => judgeRules(e, rulesOf(annexOf(facts), "mx.cipher"))),
    ),
};
