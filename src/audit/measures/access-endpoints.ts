/**
 * What the access measures share (charter annex §1): they judge the access endpoints discovery
 * found and that answered; an endpoint found only by a conventional name that does not answer is not
 * a service and is left out, a declared one (SRV, override) that does not answer is `error`. With no
 * evidence a measure is `not_applicable` only when discovery proved there is no access service:
 * a failed SRV or name lookup makes it `error`.
 */
import { type Evidence, evidence, finding } from "../findings/evidence.js";
import type { EndpointReport } from "../probe/endpoint.js";
import type { AuditFacts, LookupFailure } from "./audit-facts.js";
import { at, unreached } from "./endpoint-evidence.js";
import type { Judgement, Wording } from "./measure.js";

/** Endpoints that answered; declared ones that did not are errors. */
export function answered(facts: AuditFacts): { live: EndpointReport[]; missing: Evidence[] } {
  const live: EndpointReport[] = [];
  const missing: Evidence[] = [];
  for (const { report, declared } of facts.access) {
    if (!unreached(report)) live.push(report);
    else if (declared)
      missing.push(
        at(report, finding("error", "access.declared-unreached", { message: report.error?.message ?? "" })),
      );
  }
  return { live, missing };
}

export const withTls = (live: readonly EndpointReport[]) =>
  live.filter((e) => e.tls !== null && e.tlsMode !== "none");

/** Evidence that discovery could not prove absence, when `failures` is not empty. */
export function lookupEvidence(domain: string, failures: readonly LookupFailure[]): Evidence[] {
  if (failures.length === 0) return [];
  return [
    evidence(
      domain,
      finding("error", "discovery.lookup-failed", {
        names: failures.map((f) => f.name),
        message: failures[0]?.message ?? "",
      }),
    ),
  ];
}

const isWebmailName = (f: LookupFailure) => f.name.startsWith("webmail.");

/** An access measure's judgement: with no evidence, `error` unless absence is proven. */
export function accessJudgement(facts: AuditFacts, items: readonly Evidence[]): Judgement {
  if (items.length > 0) return { evidence: items };
  return {
    evidence: lookupEvidence(
      facts.domain,
      facts.lookupFailures.filter((f) => !isWebmailName(f)),
    ),
  };
}

/** The same for the webmail measures, whose host comes from the `webmail.` name or an override. */
export function webmailJudgement(facts: AuditFacts, items: readonly Evidence[]): Judgement {
  if (items.length > 0) return { evidence: items };
  return { evidence: lookupEvidence(facts.domain, facts.lookupFailures.filter(isWebmailName)) };
}

export const accessWords: Partial<Record<"not_applicable", Wording>> = {
  not_applicable: { fr: "aucun service d'accès trouvé", en: "no access service found" },
};
