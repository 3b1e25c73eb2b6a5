/**
 * New TLS-RPT failure types (pure): a result type (RFC 8460 §4.3: starttls-not-supported,
 * certificate-expired, validation-failure, sts-policy-invalid, tlsa-invalid, dnssec-invalid, …)
 * reported for a signatory's policy domain in the recent reports, that no report about the same domain
 * showed in the baseline window before. The reports that show it are the evidence.
 *
 * A domain with no report at all in the baseline window is only learnt: with nothing to compare, a
 * type is not "new", only unknown. A type seen before is not new however often it comes back (its
 * volume is the link figures' business). An open incident of a new type resolves when reports about
 * the domain cover `typeResolveDays` distinct days after the last day the type was reported and none
 * of them shows it (resolution seen in reports, never declared by the absence of reports).
 */
import type { linkDetectionLimits } from "../../core/limits.js";
import { addDays } from "./link-share.js";

export type TypeLimits = Pick<
  typeof linkDetectionLimits,
  "recentReportDays" | "typeBaselineDays" | "typeResolveDays"
>;

/** One failure-details entry's count, with the report it comes from. */
export interface ReportedFailure {
  /** The stored report (GET /api/v1/indicators/tlsrpt/reports/{row}). */
  readonly reportRow: number;
  readonly reportId: string;
  readonly organization: string;
  /** UTC day of the report's start. */
  readonly day: string;
  readonly policyDomain: string;
  readonly resultType: string;
  readonly failed: number;
}

/** A report about a policy domain (with or without failures): the days the domain was reported on. */
export interface ReportedDay {
  readonly reportRow: number;
  readonly policyDomain: string;
  readonly day: string;
}

export interface ReportEvidence {
  readonly reportRow: number;
  readonly reportId: string;
  readonly organization: string;
  readonly day: string;
  readonly failed: number;
}

export interface NewTypeDetection {
  readonly subject: string;
  readonly policyDomain: string;
  readonly resultType: string;
  readonly failed: number;
  readonly reports: readonly ReportEvidence[];
  /** The window compared with, and the types seen in it. */
  readonly baselineFrom: string;
  readonly baselineTo: string;
  readonly baselineReports: number;
  readonly baselineTypes: readonly string[];
  /** The last day a report showed the type. */
  readonly lastDay: string;
}

export const newTypeSubject = (policyDomain: string, resultType: string) =>
  `tlsrpt:${policyDomain.toLowerCase()}|${resultType}`;

/** The windows of `today`: recent reports since `recentFrom`, the baseline in [baselineFrom, recentFrom). */
export function typeWindows(today: string, limits: TypeLimits) {
  const recentFrom = addDays(today, -limits.recentReportDays);
  return { recentFrom, baselineFrom: addDays(recentFrom, -limits.typeBaselineDays) };
}

export function newFailureTypes(
  failures: readonly ReportedFailure[],
  reported: readonly ReportedDay[],
  domains: readonly string[],
  today: string,
  limits: TypeLimits,
): NewTypeDetection[] {
  const { recentFrom, baselineFrom } = typeWindows(today, limits);
  const out: NewTypeDetection[] = [];
  for (const domain of domains.map((d) => d.toLowerCase())) {
    const mine = failures.filter((f) => f.policyDomain.toLowerCase() === domain && f.day <= today);
    const baselineReports = new Set(
      reported
        .filter((r) => r.policyDomain.toLowerCase() === domain && r.day >= baselineFrom && r.day < recentFrom)
        .map((r) => r.reportRow),
    );
    if (baselineReports.size === 0) continue;
    const before = new Set(
      mine
        .filter((f) => f.day >= baselineFrom && f.day < recentFrom && f.failed > 0)
        .map((f) => f.resultType),
    );
    const recent = mine.filter((f) => f.day >= recentFrom && f.failed > 0 && !before.has(f.resultType));
    for (const type of [...new Set(recent.map((f) => f.resultType))].sort()) {
      const rows = recent.filter((f) => f.resultType === type);
      const byReport = new Map<number, ReportEvidence>();
      for (const f of rows) {
        const prev = byReport.get(f.reportRow);
        byReport.set(f.reportRow, {
          reportRow: f.reportRow,
          reportId: f.reportId,
          organization: f.organization,
          day: f.day,
          failed: (prev?.failed ?? 0) + f.failed,
        });
      }
      const reports = [...byReport.values()].sort(
        (a, b) => a.day.localeCompare(b.day) || a.reportRow - b.reportRow,
      );
      out.push({
        subject: newTypeSubject(domain, type),
        policyDomain: domain,
        resultType: type,
        failed: rows.reduce((a, f) => a + f.failed, 0),
        reports,
        baselineFrom,
        baselineTo: addDays(recentFrom, -1),
        baselineReports: baselineReports.size,
        baselineTypes: [...before].sort(),
        lastDay: reports[reports.length - 1]?.day ?? today,
      });
    }
  }
  return out;
}

/** Of an open new-type incident: the last day the type was reported, and the clean days after it. */
export function typeStatus(
  policyDomain: string,
  resultType: string,
  lastKnownDay: string,
  failures: readonly ReportedFailure[],
  reported: readonly ReportedDay[],
  limits: TypeLimits,
): { readonly lastDay: string; readonly cleanDays: readonly string[]; readonly resolved: boolean } {
  const domain = policyDomain.toLowerCase();
  let lastDay = lastKnownDay;
  for (const f of failures)
    if (
      f.policyDomain.toLowerCase() === domain &&
      f.resultType === resultType &&
      f.failed > 0 &&
      f.day > lastDay
    )
      lastDay = f.day;
  const cleanDays = [
    ...new Set(
      reported.filter((r) => r.policyDomain.toLowerCase() === domain && r.day > lastDay).map((r) => r.day),
    ),
  ].sort();
  return { lastDay, cleanDays, resolved: cleanDays.length >= limits.typeResolveDays };
}
