/**
 * TLS-RPT out (RFC 8460 §4): from a signatory's own outbound sessions of one UTC day, one report per
 * recipient policy domain. Pure: the sessions come from the MTA logs through a small interface
 * (OutboundSession, filled from the log store), the report is checked against its own schema.
 *
 * - Policy (RFC 8460 §4.4): what the MTA applied to the session — `sts` with the MTA-STS policy's lines
 *   and `mx` patterns, `tlsa` with the TLSA records, or `no-policy-found`; sessions under different
 *   policies of one domain (a policy changed during the day) make one policy entry each. The lines and
 *   records are looked up before (generate-policies.ts). The report as sent (`sentReport`) carries only
 *   the fields of the policy's type that have a value (sent-report-schema.ts).
 * - Failures (RFC 8460 §4.3): each failed session carries its result type; the details group the
 *   sessions by result type, sending address, MX and receiving address, with their count.
 * - The report covers the whole UTC day, `00:00:00Z` to `23:59:59Z` (RFC 8460 §4.1: 24 hours, UTC).
 */
import type { FailureDetail, PolicyResult, TlsRptReport } from "./report-schema.js";
import { tlsRptReportSchema } from "./report-schema.js";
import { type SentReport, sentReportSchema } from "./sent-report-schema.js";
import type { PolicyType, ResultType } from "./wire.js";

/** One outbound SMTP session as the report needs it (the log store's rows are mapped to this). */
export interface OutboundSession {
  /** ISO time of the session (its day decides the report). */
  readonly time: string;
  /** The recipient policy domain (the domain of the recipient address). */
  readonly policyDomain: string;
  readonly policy: {
    readonly type: PolicyType;
    /** The policy's lines (MTA-STS) or records (TLSA); empty for no-policy-found. */
    readonly strings: readonly string[];
    /** MX host patterns of an MTA-STS policy. */
    readonly mxHosts: readonly string[];
  };
  /** null when TLS was established and the policy satisfied; otherwise the RFC 8460 §4.3 result type. */
  readonly failure: ResultType | null;
  readonly failureReason?: string | null;
  readonly sendingIp?: string | null;
  readonly mxHost?: string | null;
  readonly mxHelo?: string | null;
  readonly receivingIp?: string | null;
}

export interface GenerateInput {
  readonly organization: string;
  readonly contactInfo: string;
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly sessions: readonly OutboundSession[];
}

/** A stable report-id (RFC 8460 §4.4 "unique identifier"): the same day and domain give the same id. */
export const reportIdFor = (organization: string, day: string, domain: string) =>
  `${day}T00:00:00Z!${domain}!${organization.toLowerCase().replace(/[^a-z0-9.-]+/g, "-")}`;

const policyKey = (s: OutboundSession) =>
  JSON.stringify([s.policy.type, s.policy.strings, [...s.policy.mxHosts].sort()]);

function failureDetails(failed: readonly OutboundSession[]): FailureDetail[] {
  const groups = new Map<string, { detail: Omit<FailureDetail, "failed-session-count">; count: number }>();
  for (const s of failed) {
    const detail = {
      "result-type": s.failure as ResultType,
      "sending-mta-ip": s.sendingIp ?? null,
      "receiving-mx-hostname": s.mxHost ?? null,
      "receiving-mx-helo": s.mxHelo ?? null,
      "receiving-ip": s.receivingIp ?? null,
      "additional-information": null,
      "failure-reason-code": s.failureReason ?? null,
    };
    const key = JSON.stringify(detail);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { detail, count: 1 });
  }
  return [...groups.values()]
    .map(({ detail, count }) => ({ ...detail, "failed-session-count": count }))
    .sort(
      (a, b) =>
        b["failed-session-count"] - a["failed-session-count"] ||
        a["result-type"].localeCompare(b["result-type"]),
    );
}

/** One report per policy domain with sessions that day, in domain order. */
export function generateReports(input: GenerateInput): TlsRptReport[] {
  const ofDay = input.sessions.filter((s) => s.time.slice(0, 10) === input.day);
  const byDomain = new Map<string, OutboundSession[]>();
  for (const s of ofDay) {
    const domain = s.policyDomain.toLowerCase().replace(/\.$/, "");
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), s]);
  }
  return [...byDomain.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([domain, sessions]) => {
      const byPolicy = new Map<string, OutboundSession[]>();
      for (const s of sessions) byPolicy.set(policyKey(s), [...(byPolicy.get(policyKey(s)) ?? []), s]);
      const policies: PolicyResult[] = [...byPolicy.values()].map((group) => {
        const first = group[0] as OutboundSession;
        const failed = group.filter((s) => s.failure !== null);
        return {
          policy: {
            "policy-type": first.policy.type,
            // RFC 8460 §4.4: no policy has no lines; only an MTA-STS policy has MX patterns.
            "policy-string": first.policy.type === "no-policy-found" ? [] : [...first.policy.strings],
            "policy-domain": domain,
            "mx-host": first.policy.type === "sts" ? [...first.policy.mxHosts] : [],
          },
          summary: {
            "total-successful-session-count": group.length - failed.length,
            "total-failure-session-count": failed.length,
          },
          "failure-details": failureDetails(failed),
        };
      });
      return tlsRptReportSchema.parse({
        "organization-name": input.organization,
        "date-range": {
          "start-datetime": `${input.day}T00:00:00Z`,
          "end-datetime": `${input.day}T23:59:59Z`,
        },
        "contact-info": input.contactInfo,
        "report-id": reportIdFor(input.organization, input.day, domain),
        policies,
      });
    });
}

/** `value`, or nothing when null or empty: the RFC's optional fields are left out, not sent empty. */
const some = <T extends string | readonly string[]>(value: T | null | undefined): T | undefined =>
  value === null || value === undefined || value.length === 0 ? undefined : value;

/**
 * The report as sent (RFC 8460 §4.4, sent-report-schema.ts): only the fields with a value, and each
 * policy only those of its type — `mx-host` for `sts` alone, no `policy-string` for
 * `no-policy-found`, none that could not be looked up; keys in the RFC's order. Checked against the
 * schema of the sent report before it leaves: a report that breaks it is our bug, not the receiver's.
 */
export function sentReport(report: TlsRptReport): SentReport {
  return sentReportSchema.parse({
    "organization-name": report["organization-name"],
    "date-range": report["date-range"],
    "contact-info": some(report["contact-info"]),
    "report-id": report["report-id"],
    policies: report.policies.map((p) => {
      const { "policy-type": type, "policy-domain": domain } = p.policy;
      const policy =
        type === "no-policy-found"
          ? { "policy-type": type, "policy-domain": domain }
          : type === "tlsa"
            ? {
                "policy-type": type,
                "policy-string": some(p.policy["policy-string"]),
                "policy-domain": domain,
              }
            : {
                "policy-type": type,
                "policy-string": some(p.policy["policy-string"]),
                "policy-domain": domain,
                "mx-host": some(p.policy["mx-host"]),
              };
      return {
        policy,
        summary: p.summary,
        "failure-details": p["failure-details"].map((d) => ({
          "result-type": d["result-type"],
          "sending-mta-ip": some(d["sending-mta-ip"]),
          "receiving-mx-hostname": some(d["receiving-mx-hostname"]),
          "receiving-mx-helo": some(d["receiving-mx-helo"]),
          "receiving-ip": some(d["receiving-ip"]),
          "failed-session-count": d["failed-session-count"],
          "additional-information": some(d["additional-information"]),
          "failure-reason-code": some(d["failure-reason-code"]),
        })),
      };
    }),
  });
}

/** The report as sent, as JSON text (what is gzipped and mailed or POSTed). */
export const reportJson = (report: TlsRptReport): string => JSON.stringify(sentReport(report));
