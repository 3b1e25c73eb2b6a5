/**
 * The charter measures judged by the rules of the annex's profile (Charte art. 8: the annex can change
 * without code): each names, in the profile, the rules it applies (`Profile.measures`). The other
 * measures (STARTTLS offered, certificates, territory, webmail…) are judged by their own code.
 * An audit judges under the profile of the charter version the signatory accepted (default: the 2015
 * annex, `charter-2015`).
 */
import type { Profile, Rule } from "../profiles/profile.js";
import { charter2015 } from "../profiles/profiles.js";
import type { AuditFacts } from "./audit-facts.js";
import type { MeasureId } from "./measure.js";

export const ruleJudgedMeasures = [
  "mx.tls-version",
  "mx.cipher",
  "mx.key-exchange",
  "mx.hash",
  "access.pfs",
  "access.tls-parameters",
] as const satisfies readonly MeasureId[];

export type RuleJudgedMeasure = (typeof ruleJudgedMeasures)[number];

export const isRuleJudged = (id: string): id is RuleJudgedMeasure =>
  (ruleJudgedMeasures as readonly string[]).includes(id);

/** The rules `measure` applies under `profile`, in the profile's order for that measure. */
export function rulesOf(profile: Profile, measure: RuleJudgedMeasure): Rule[] {
  return (profile.measures?.[measure] ?? []).map((id) => {
    const found = profile.rules.find((r) => r.id === id);
    // A loaded profile was validated (annex/profile-file.ts): a dangling id is a bug in a built-in one.
    if (!found) throw new Error(`internal: profile ${profile.id} has no rule ${id} for ${measure}`);
    return found.rule;
  });
}

/** The annex profile the facts are judged under. */
export const annexOf = (facts: Pick<AuditFacts, "annex">): Profile => facts.annex ?? charter2015;
