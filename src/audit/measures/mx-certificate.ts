/** mx.certificate — charter annex §2.2: issued by a CA of the trust store, valid, naming the MX host. */
import { certificateEvidence } from "./certificate-evidence.js";
import type { Measure } from "./measure.js";
import { mxJudgement, perTlsEndpoint } from "./mx-endpoints.js";

export const mxCertificate: Measure = {
  id: "mx.certificate",
  ref: "§2.2",
  charter: true,
  title: { fr: "Certificat des MX", en: "MX certificates" },
  judge: (facts) => mxJudgement(facts, perTlsEndpoint(facts.mxEndpoints, certificateEvidence)),
};
