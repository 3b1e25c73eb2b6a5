/** access.implicit-tls — charter annex §1.3: implicit TLS (RFC 8314) on 993, 995 and 465 for each protocol offered. */
import type { Evidence } from "../findings/evidence.js";
import { finding } from "../findings/evidence.js";
import { accessJudgement, accessWords, answered } from "./access-endpoints.js";
import { at } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";

export const accessImplicitTls: Measure = {
  id: "access.implicit-tls",
  ref: "§1.3",
  charter: true,
  title: { fr: "TLS implicite (993, 995, 465)", en: "Implicit TLS (993, 995, 465)" },
  words: accessWords,
  judge(facts) {
    const { live } = answered(facts);
    const evidence: Evidence[] = [];
    for (const service of ["imap", "pop3", "submission"] as const) {
      const ofService = live.filter((e) => e.service === service);
      const good = ofService.find((e) => e.tlsMode === "implicit" && e.tls);
      const sample = good ?? ofService[0];
      if (!sample) continue;
      evidence.push(
        good
          ? at(good, finding("pass", "access.implicit", { service }))
          : at(sample, finding("fail", "access.no-implicit", { service })),
      );
    }
    return accessJudgement(facts, evidence);
  },
};
