/**
 * The outbound test as the audit sees it (mx.outbound-tls): the latest result of a domain turned into
 * the audit's plain facts. The audit receives this lookup as an option and never reads a store itself.
 */
import type { OutboundFacts, OutboundLookup } from "../audit/measures/outbound-facts.js";
import type { Store } from "../store/database.js";
import { latestOutboundResult } from "./outbound-tests.js";
import type { OutboundTestDocument } from "./result-document.js";

export function outboundFacts(doc: OutboundTestDocument): OutboundFacts {
  return {
    testId: doc.id,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    state: doc.state,
    starttlsWhenOffered: doc.conclusions.starttlsWhenOffered,
    certificateVerification: doc.conclusions.certificateVerification,
    withoutStarttls: doc.conclusions.withoutStarttls,
    sessions: doc.variants.flatMap((v) =>
      v.messages.map((m) => ({
        variant: v.kind,
        address: v.address,
        receivedAt: m.receivedAt,
        remoteAddress: m.remoteAddress,
        starttls: m.starttls,
        tlsVersion: m.tlsVersion,
        cipherSuite: m.cipherSuite,
        group: m.group,
      })),
    ),
  };
}

export function outboundLookup(store: Store, now: () => Date = () => new Date()): OutboundLookup {
  return async (domain) => {
    const doc = await latestOutboundResult(store, domain, now());
    return doc ? outboundFacts(doc) : null;
  };
}
