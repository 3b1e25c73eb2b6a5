/**
 * mx.starttls — charter annex §2.1, §2.2: every MX host advertises STARTTLS in its EHLO reply
 * (RFC 3207 §4) and completes a TLS handshake. A 454 ("TLS not available due to temporary reason",
 * RFC 3207 §4) that persists after the audit's retry is a failure: a sender gets no TLS.
 */
import { finding } from "../findings/evidence.js";
import { at, reachOrError } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { mxJudgement } from "./mx-endpoints.js";

export const mxStarttls: Measure = {
  id: "mx.starttls",
  ref: "§2.1, §2.2",
  charter: true,
  title: { fr: "STARTTLS sur les MX", en: "STARTTLS on the MX hosts" },
  judge(facts) {
    const evidence = facts.mxEndpoints.map((e) => {
      const unreachable = reachOrError(e);
      if (unreachable) return unreachable;
      if (e.starttlsAdvertised === false) return at(e, finding("fail", "starttls.not-advertised"));
      if (e.error?.step === "starttls" && e.error.reason === "rejected")
        return at(
          e,
          finding("fail", "starttls.refused", {
            reply: e.error.message.replace(/^STARTTLS: /, ""),
            pauseMs: facts.starttlsRetryPauseMs,
          }),
        );
      if (e.error?.step === "handshake")
        return at(
          e,
          finding("fail", "starttls.handshake-failed", { reason: e.error.reason, message: e.error.message }),
        );
      if (e.tls?.negotiated)
        return at(e, finding("pass", "starttls.completed", { version: e.tls.negotiated.version ?? "" }));
      if (e.error)
        return at(e, finding("error", "probe.failed", { step: e.error.step, message: e.error.message }));
      return at(e, finding("error", "probe.nothing-recorded"));
    });
    return mxJudgement(facts, evidence);
  },
};
