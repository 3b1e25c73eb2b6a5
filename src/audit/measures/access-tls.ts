/** access.tls — charter annex §1.1: every discovered access service is reachable over TLS. */
import type { Evidence } from "../findings/evidence.js";
import { finding } from "../findings/evidence.js";
import { accessJudgement, accessWords, answered, withTls } from "./access-endpoints.js";
import { at } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";

export const accessTls: Measure = {
  id: "access.tls",
  ref: "§1.1",
  charter: true,
  title: { fr: "Accès utilisateurs en TLS", en: "User access over TLS" },
  words: accessWords,
  judge(facts) {
    const { live, missing } = answered(facts);
    const evidence: Evidence[] = [...missing];
    for (const service of new Set(live.map((e) => e.service))) {
      const ofService = live.filter((e) => e.service === service);
      const secured = withTls(ofService);
      for (const e of ofService) {
        if (e.tls)
          evidence.push(
            at(
              e,
              finding("pass", "access.tls", {
                mode: e.tlsMode === "implicit" ? "implicit" : "starttls",
                version: e.tls.negotiated?.version ?? "",
              }),
            ),
          );
        // http:// is judged by webmail.https
        else if (!(e.tlsMode === "none" && service === "https"))
          evidence.push(
            at(
              e,
              finding(secured.length > 0 ? "warn" : "fail", "access.no-tls", {
                reason: e.error?.reason ?? "plaintext",
                elsewhere: secured.length > 0,
              }),
            ),
          );
      }
    }
    return accessJudgement(facts, evidence);
  },
};
