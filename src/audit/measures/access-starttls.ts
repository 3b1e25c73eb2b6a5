/**
 * access.starttls — charter annex §1.3: where 143, 110 or 587 answer, they offer STARTTLS/STLS
 * (RFC 3207, RFC 2595) and refuse authentication before it (RFC 8314 §3).
 */
import { finding } from "../findings/evidence.js";
import { accessJudgement, accessWords, answered } from "./access-endpoints.js";
import { at } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";

interface PlaintextFacts {
  readonly authBeforeTls?: readonly string[] | null;
  readonly saslBeforeTls?: readonly string[] | null;
  readonly userBeforeTls?: boolean;
  readonly loginDisabledBeforeTls?: boolean;
}

export const accessStarttls: Measure = {
  id: "access.starttls",
  ref: "§1.3",
  charter: true,
  title: { fr: "STARTTLS avant authentification", en: "STARTTLS before authentication" },
  words: accessWords,
  judge(facts) {
    const evidence = answered(facts)
      .live.filter((e) => e.tlsMode === "starttls" && e.service !== "smtp")
      .map((e) => {
        if (e.starttlsAdvertised !== true) return at(e, finding("fail", "access.starttls-missing"));
        const f = (e.dialogue?.facts ?? {}) as PlaintextFacts;
        // IMAP: LOGIN is allowed before TLS unless LOGINDISABLED is advertised (RFC 3501 §6.2.3).
        const loginOk = e.service === "imap" ? f.loginDisabledBeforeTls !== true : false;
        const offered = [
          ...(f.authBeforeTls ?? []),
          ...(f.saslBeforeTls ?? []),
          ...(f.userBeforeTls === true ? ["USER"] : []),
          ...(loginOk ? ["LOGIN"] : []),
        ];
        return offered.length > 0
          ? at(e, finding("fail", "access.auth-before-tls", { mechanisms: offered }))
          : at(e, finding("pass", "access.starttls-ok"));
      });
    return accessJudgement(facts, evidence);
  },
};
