/**
 * access.pfs — charter annex §1.1: each access endpoint accepts at least one forward-secret suite
 * (ECDHE, DHE, or TLS 1.3). The charter-2015 profile's rule: "none seen" fails only when every
 * suite was enumerated, else it is undetermined.
 */
import { accessJudgement, accessWords, answered, withTls } from "./access-endpoints.js";
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules } from "./mx-endpoints.js";

export const accessPfs: Measure = {
  id: "access.pfs",
  ref: "§1.1",
  charter: true,
  title: { fr: "Confidentialité persistante (PFS)", en: "Forward secrecy" },
  words: accessWords,
  judge: (facts) =>
    accessJudgement(
      facts,
      withTls(answered(facts).live).flatMap((e) => judgeRules(e, rulesOf(annexOf(facts), "access.pfs"))),
    ),
};
