/**
 * What the MX measures share (charter annex §2): each judges every address of every MX host on
 * port 25; with no evidence the measure is `not_applicable` only when the domain proved it takes no
 * mail (RFC 7505 null MX) or the MX proved it offers no TLS — a failed lookup is `error`.
 * Port 25 is judged on the annex profile's rules — charter-2015 by default (opportunistic TLS, RFC 7435: a weak suite beats
 * plaintext; docs/standards.md §7), so old versions and suites are warnings here, not failures, unless SSL is offered.
 */
import { type Evidence, evidence, finding } from "../findings/evidence.js";
import { worst } from "../findings/status.js";
import type { EndpointReport } from "../probe/endpoint.js";
import { judge } from "../profiles/evaluate.js";
import type { Rule } from "../profiles/profile.js";
import { charter2015 } from "../profiles/profiles.js";
import type { AuditFacts } from "./audit-facts.js";
import { at, reachOrError } from "./endpoint-evidence.js";
import type { Judgement } from "./measure.js";

/** The judgement of an MX measure from its evidence, with the proof of absence the empty case needs. */
export function mxJudgement(facts: AuditFacts, items: readonly Evidence[]): Judgement {
  if (items.length > 0 || facts.mx.kind === "null") return { evidence: items };
  if (facts.mx.kind === "none" || facts.mx.kind === "error")
    return {
      evidence: [
        evidence(
          facts.domain,
          finding("error", "discovery.mx-not-found", { message: facts.mx.message ?? "no MX host found" }),
        ),
      ],
    };
  return { evidence: items };
}

/**
 * Applies `judgeOne` to every MX endpoint with a TLS session. An MX that proved it has no TLS
 * (STARTTLS not advertised, or refused) is left to mx.starttls; one where nothing was observed is
 * `error` here too.
 */
export function perTlsEndpoint(
  mx: readonly EndpointReport[],
  judgeOne: (e: EndpointReport) => Evidence | readonly Evidence[],
): Evidence[] {
  return mx.flatMap((e) => {
    const unreachable = reachOrError(e);
    if (unreachable) return [unreachable];
    if (e.tls) return [judgeOne(e)].flat();
    const provenWithoutTls =
      e.starttlsAdvertised === false || (e.error?.step === "starttls" && e.error.reason === "rejected");
    if (provenWithoutTls) return [];
    return [
      at(
        e,
        finding("error", "tls.not-observed", {
          step: e.error?.step ?? "",
          reason: e.error?.reason ?? "",
        }),
      ),
    ];
  });
}

/** A rule of the charter-2015 profile by id (measures beyond the annex judge with it). */
export function charterRule(id: string): Rule {
  const found = charter2015.rules.find((r) => r.id === id);
  if (!found) throw new Error(`internal: charter-2015 has no rule ${id}`);
  return found.rule;
}

/** Judges an endpoint on the annex rules of a measure (annex-measures.ts): the worst findings speak. */
export function judgeRules(e: EndpointReport, rules: readonly Rule[]): Evidence[] {
  const findings = rules.map((rule) => judge(rule, e));
  const status = worst(findings.map((f) => f.status));
  return findings.filter((f) => f.status === status).map((f) => at(e, f));
}
