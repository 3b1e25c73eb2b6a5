/**
 * access.certificate — charter annex §1.1: each access endpoint's certificate chains to a root of
 * the trust store, is in its validity period, names the service host, and comes with its intermediates.
 */
import { accessJudgement, accessWords, answered, withTls } from "./access-endpoints.js";
import { certificateEvidence } from "./certificate-evidence.js";
import type { Measure } from "./measure.js";

export const accessCertificate: Measure = {
  id: "access.certificate",
  ref: "§1.1",
  charter: true,
  title: { fr: "Certificats des accès utilisateurs", en: "User access certificates" },
  words: accessWords,
  judge: (facts) => accessJudgement(facts, withTls(answered(facts).live).map(certificateEvidence)),
};
