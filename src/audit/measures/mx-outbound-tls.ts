/**
 * mx.outbound-tls — charter annex §2.1: how the provider's own MTA sends to us, observed by a
 * receiving test endpoint. Not measured by this version: listed as `error`, never a silent pass.
 */
import { evidence, finding } from "../findings/evidence.js";
import type { Measure } from "./measure.js";

export const mxOutboundTls: Measure = {
  id: "mx.outbound-tls",
  ref: "§2.1",
  charter: false,
  title: { fr: "TLS sortant", en: "Outbound TLS" },
  words: {
    error: {
      fr: "pas encore mesuré (nécessite un point de réception de test)",
      en: "not measured yet (needs a receiving test endpoint)",
    },
  },
  judge: ({ domain }) => ({ evidence: [evidence(domain, finding("error", "outbound.not-measured"))] }),
};
