/**
 * access.tls-parameters — charter annex §1.1: no SSLv2/SSLv3, no NULL, anonymous, export, RC4 or
 * single-DES suites; TLS 1.0/1.1 or 3DES tolerated for old clients (warn), per ANSSI's TLS guide.
 */
import { accessJudgement, accessWords, answered, withTls } from "./access-endpoints.js";
import { annexOf, rulesOf } from "./annex-measures.js";
import type { Measure } from "./measure.js";
import { judgeRules } from "./mx-endpoints.js";

export const accessTlsParameters: Measure = {
  id: "access.tls-parameters",
  ref: "§1.1",
  charter: true,
  title: { fr: "Paramètres TLS des accès", en: "TLS parameters of the access services" },
  words: accessWords,
  judge: (facts) =>
    accessJudgement(
      facts,
      withTls(answered(facts).live).flatMap((e) =>
        judgeRules(e, rulesOf(annexOf(facts), "access.tls-parameters")),
      ),
    ),
};
