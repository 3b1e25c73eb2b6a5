/**
 * What a proposed annex would change (Charte art. 8: before the agency sends the modified annex for
 * consent): every signatory's latest stored audits re-judged under the proposed profile and under the
 * profile of the version it accepted — the same facts, two rule sets, so a difference is the rules'
 * and nothing else — per signatory, domain and measure, with the endpoints concerned, the rules that
 * speak, and the configuration advice of the reports (report/advice.ts). Pure.
 */
import type { AuditReport } from "../audit/audit.js";
import { endpointLabel } from "../audit/findings/endpoint-label.js";
import type { EvidenceValues } from "../audit/findings/evidence.js";
import { type EvidenceCode, phrase } from "../audit/findings/phrases.js";
import { type RuleJudgedMeasure, ruleJudgedMeasures } from "../audit/measures/annex-measures.js";
import type { Evidence, MeasureStatus, Verdict, Wording } from "../audit/measures/measure.js";
import { measureRegistry } from "../audit/measures/registry.js";
import { judge } from "../audit/profiles/evaluate.js";
import type { Profile } from "../audit/profiles/profile.js";
import { advice } from "../audit/report/advice.js";
import { rejudge, storedFacts } from "./rejudge.js";

export const impactSchemaId = "mailcharter/annex-impact/1";

/** One signatory as the impact reads it: the version it accepted and its domains' latest audits. */
export interface ImpactSignatory {
  readonly organisation: string;
  readonly acceptedVersion: string;
  /** The profile of the accepted version's annex. */
  readonly baseline: Profile;
  readonly domains: readonly {
    readonly domain: string;
    /** The latest finished audit, or null when the domain was never audited. */
    readonly audit: { readonly runId: number; readonly report: AuditReport } | null;
  }[];
}

export interface RuleSaying {
  readonly rule: string;
  readonly source: string;
  readonly status: MeasureStatus;
  readonly code: EvidenceCode;
  readonly values: EvidenceValues;
  readonly observed: string;
  readonly advice?: Wording;
}

export interface EndpointChange {
  readonly endpoint: string;
  readonly status: MeasureStatus;
  /** The evidence of the measure on this endpoint (after the change; before it, for an improvement). */
  readonly evidence: readonly Evidence[];
  /** The proposed rules of the measure that give this endpoint its status. */
  readonly rules: readonly RuleSaying[];
}

/** worse / better: the status changes; same: it does not, and it is `fail` under the proposed annex. */
export type Direction = "worse" | "better" | "same";

export interface MeasureChange {
  readonly measure: RuleJudgedMeasure;
  readonly title: Wording;
  readonly before: MeasureStatus;
  readonly after: MeasureStatus;
  readonly direction: Direction;
  readonly endpoints: readonly EndpointChange[];
  /** What to change, in the words of the usual servers (the reports' advice), unless it got better. */
  readonly advice: Wording | null;
}

export interface DomainImpact {
  readonly domain: string;
  readonly runId: number | null;
  readonly auditedAt: string | null;
  readonly verdictBefore: Verdict | null;
  readonly verdictAfter: Verdict | null;
  /** The rule-judged measures whose status would change, and those that would fail anyway. */
  readonly measures: readonly MeasureChange[];
}

export interface SignatoryImpact {
  readonly organisation: string;
  readonly acceptedVersion: string;
  readonly baselineProfile: string;
  readonly domains: readonly DomainImpact[];
  /** Some domain's verdict would become non_compliant under the proposed annex. */
  readonly wouldFail: boolean;
}

export interface MeasureTotal {
  readonly measure: RuleJudgedMeasure;
  /** Domains where the measure would be judged worse / better. */
  readonly worse: number;
  readonly better: number;
  /** Domains that would newly fail the measure (any other status → fail). */
  readonly newlyFailing: number;
  /** Domains that would fail the measure under the proposed annex (newly or not). */
  readonly failing: number;
  readonly signatoriesWorse: number;
}

export interface ImpactReport {
  readonly schema: typeof impactSchemaId;
  readonly generatedAt: string;
  readonly proposed: { readonly id: string; readonly title: string; readonly reference: string };
  readonly signatories: readonly SignatoryImpact[];
  readonly totals: readonly MeasureTotal[];
  readonly summary: {
    readonly signatories: number;
    readonly domains: number;
    readonly audited: number;
    /** Signatories with a domain whose verdict would become non_compliant. */
    readonly wouldFail: number;
    /** Signatories with a change for the better and none for the worse. */
    readonly improved: number;
    /** Domains failing a rule-judged measure under the proposed annex, newly or not. */
    readonly failingDomains: number;
  };
}

const severity: Readonly<Record<MeasureStatus, number>> = {
  fail: 4,
  error: 3,
  warn: 2,
  pass: 1,
  not_applicable: 0,
};

const isMxMeasure = (m: RuleJudgedMeasure) => m.startsWith("mx.");

/** The proposed rules of `measure` on one endpoint that give it `status` (the reasons). */
function rulesSaying(
  profile: Profile,
  measure: RuleJudgedMeasure,
  report: AuditReport,
  endpoint: string,
  status: MeasureStatus,
): RuleSaying[] {
  const facts = storedFacts(report, profile);
  const candidates = isMxMeasure(measure) ? facts.mxEndpoints : facts.access.map((a) => a.report);
  const e = candidates.find((c) => endpointLabel(c) === endpoint);
  if (!e?.tls) return [];
  return (profile.measures?.[measure] ?? []).flatMap((id) => {
    const r = profile.rules.find((x) => x.id === id);
    if (!r) return [];
    const f = judge(r.rule, e);
    if (f.status !== status) return [];
    return [
      {
        rule: r.id,
        source: r.source,
        status: f.status,
        code: f.code,
        values: f.values,
        observed: phrase(f.code, f.values, "en"),
        ...(r.advice ? { advice: r.advice } : {}),
      },
    ];
  });
}

function endpointsOf(
  evidence: readonly Evidence[],
  status: MeasureStatus,
  reasons: (endpoint: string) => RuleSaying[],
): EndpointChange[] {
  const labels = [...new Set(evidence.filter((e) => e.status === status).map((e) => e.endpoint ?? ""))];
  return labels.map((endpoint) => ({
    endpoint,
    status,
    evidence: evidence.filter((e) => (e.endpoint ?? "") === endpoint && e.status === status),
    rules: reasons(endpoint),
  }));
}

/** One stored audit under the baseline and the proposed profiles, measure by measure. */
export function domainImpact(
  domain: string,
  audit: ImpactSignatory["domains"][number]["audit"],
  baseline: Profile,
  proposed: Profile,
): DomainImpact {
  if (!audit)
    return { domain, runId: null, auditedAt: null, verdictBefore: null, verdictAfter: null, measures: [] };
  const before = rejudge(audit.report, baseline);
  const after = rejudge(audit.report, proposed);
  const changes: MeasureChange[] = [];
  for (const measure of ruleJudgedMeasures) {
    const b = before.measures.find((m) => m.id === measure);
    const a = after.measures.find((m) => m.id === measure);
    if (!a || !b || (a.status === b.status && a.status !== "fail")) continue;
    const direction: Direction =
      a.status === b.status ? "same" : severity[a.status] > severity[b.status] ? "worse" : "better";
    const endpoints =
      direction === "better"
        ? endpointsOf(b.evidence, b.status, (ep) =>
            rulesSaying(baseline, measure, audit.report, ep, b.status),
          )
        : endpointsOf(a.evidence, a.status, (ep) =>
            rulesSaying(proposed, measure, audit.report, ep, a.status),
          );
    changes.push({
      measure,
      title: measureRegistry[measure].title,
      before: b.status,
      after: a.status,
      direction,
      endpoints,
      advice: direction === "better" ? null : (advice[measure] ?? null),
    });
  }
  return {
    domain,
    runId: audit.runId,
    auditedAt: audit.report.finishedAt,
    verdictBefore: before.verdict,
    verdictAfter: after.verdict,
    measures: changes,
  };
}

export function annexImpact(
  signatories: readonly ImpactSignatory[],
  proposed: Profile,
  generatedAt: string,
): ImpactReport {
  const results: SignatoryImpact[] = signatories.map((s) => {
    const domains = s.domains.map((d) => domainImpact(d.domain, d.audit, s.baseline, proposed));
    return {
      organisation: s.organisation,
      acceptedVersion: s.acceptedVersion,
      baselineProfile: s.baseline.id,
      domains,
      wouldFail: domains.some(
        (d) => d.verdictAfter === "non_compliant" && d.verdictBefore !== "non_compliant",
      ),
    };
  });
  const allDomains = results.flatMap((s) => s.domains);
  const totals: MeasureTotal[] = ruleJudgedMeasures.map((measure) => {
    const of = (d: DomainImpact) => d.measures.find((c) => c.measure === measure);
    return {
      measure,
      worse: allDomains.filter((d) => of(d)?.direction === "worse").length,
      better: allDomains.filter((d) => of(d)?.direction === "better").length,
      newlyFailing: allDomains.filter((d) => of(d)?.after === "fail" && of(d)?.direction === "worse").length,
      failing: allDomains.filter((d) => of(d)?.after === "fail").length,
      signatoriesWorse: results.filter((s) => s.domains.some((d) => of(d)?.direction === "worse")).length,
    };
  });
  const anyChange = (s: SignatoryImpact, dir: Direction) =>
    s.domains.some((d) => d.measures.some((c) => c.direction === dir));
  return {
    schema: impactSchemaId,
    generatedAt,
    proposed: { id: proposed.id, title: proposed.title, reference: proposed.reference },
    signatories: results,
    totals,
    summary: {
      signatories: results.length,
      domains: allDomains.length,
      audited: allDomains.filter((d) => d.runId !== null).length,
      wouldFail: results.filter((s) => s.wouldFail).length,
      improved: results.filter((s) => anyChange(s, "better") && !anyChange(s, "worse")).length,
      failingDomains: allDomains.filter((d) => d.measures.some((c) => c.after === "fail")).length,
    },
  };
}
