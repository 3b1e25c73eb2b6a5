/** mx.hash — charter annex §2.2: SHA-256/384 (or AEAD) chosen over MD5 and SHA-1; certificate not signed with MD5/SHA-1. */
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules, mxJudgement, perTlsEndpoint } from "./mx-endpoints.js";

export const mxHash: Measure = {
  id: "mx.hash",
  ref: "§2.2",
  charter: true,
  title: { fr: "Fonctions de hachage SHA-2", en: "SHA-2 hash functions" },
  judge: (facts) =>
    mxJudgement(
      facts,
      perTlsEndpoint(facts.mxEndpoints, (e) => judgeRules(e, rulesOf(annexOf(facts), "mx.hash"))),
    ),
};
