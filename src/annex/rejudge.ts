/**
 * The re-judgement of a stored audit under another annex profile, without probing again: the
 * rule-judged measures (audit/measures/annex-measures.ts) are judged anew on the endpoints the report
 * kept (versions, suites, order, certificate — all of the probe's facts are in the report), the other
 * measures keep their stored result, and the verdict follows. Pure: the same report and profile give
 * the same judgement as the audit that produced the report would have under that profile.
 */
import { type AuditReport, endpointRoles } from "../audit/audit.js";
import { isRuleJudged } from "../audit/measures/annex-measures.js";
import type { AuditFacts } from "../audit/measures/audit-facts.js";
import { type MeasureResult, resultOf, type Verdict, verdictOf } from "../audit/measures/measure.js";
import { measureRegistry } from "../audit/measures/registry.js";
import type { Profile } from "../audit/profiles/profile.js";

/** What a report does not keep (DNS answers, fetches): a measure reading it would say `error`, visibly. */
const notStored = { ok: false as const, reason: "error" as const, message: "not kept in the stored report" };

/** The audit facts a stored report keeps, judged under `profile`. */
export function storedFacts(report: AuditReport, profile: Profile): AuditFacts {
  const { mx, access } = endpointRoles(report.endpoints);
  return {
    domain: report.domain,
    mx: report.discovery.mx,
    mxEndpoints: mx,
    access,
    webmail: [],
    lookupFailures: report.discovery.failures ?? [],
    dns: {
      spf: notStored,
      dmarc: notStored,
      tlsRpt: notStored,
      mtaSts: notStored,
      dnssec: notStored,
      tlsa: new Map(),
      resolver: "stored report",
    },
    stsPolicy: null,
    autoconfig: { found: null, tried: [] },
    territory: {
      countries: [],
      locate: () => {
        throw new Error("internal: the territory is not re-judged from a stored report");
      },
    },
    starttlsRetryPauseMs: 0,
    annex: profile,
  };
}

export interface Rejudged {
  readonly verdict: Verdict;
  readonly measures: readonly MeasureResult[];
}

/** The report's measures and verdict under `profile`: rule-judged measures anew, the others as stored. */
export function rejudge(report: AuditReport, profile: Profile): Rejudged {
  const facts = storedFacts(report, profile);
  const measures = report.measures.map((m) => {
    if (!isRuleJudged(m.id)) return m;
    const measure = measureRegistry[m.id];
    return resultOf(measure, measure.judge(facts));
  });
  return { verdict: verdictOf(measures), measures };
}
