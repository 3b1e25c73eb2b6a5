/**
 * The TLS-RPT reports received (RFC 8460), as the pages show them: per receiving organisation — the
 * signatory whose registered domain is the report's policy domain —, every report whoever sent it
 * (Google, Microsoft and any other sender are not in the registry, and their reports are the most
 * common). An operator sees the reports about its own organisation's domains only, and of such a
 * report only those policies; the agency and auditors see all, the policy domains of no signatory
 * included. A report the viewer may not see is "not found" (no IDOR through its id).
 */
import type { Principal } from "../../accounts/principal.js";
import type { Warning } from "../../indicators/tlsrpt/outcome.js";
import type { PolicyResult, TlsRptReport } from "../../indicators/tlsrpt/report-schema.js";
import type { Door, ReceivedPolicy } from "../../indicators/tlsrpt/report-store.js";
import { ApiError, notFound } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import type { Period } from "./indicators-views.js";

/** Policies listed per page: a month of daily reports from a few hundred senders. */
export const receivedPoliciesLimit = 5000;

export interface ReceivedReport {
  readonly id: number;
  readonly organization: string;
  readonly contactInfo: string | null;
  readonly reportId: string;
  readonly startDatetime: string;
  readonly endDatetime: string;
  readonly receivedAt: string;
  readonly warnings: number;
  readonly policies: readonly ReceivedPolicy[];
}

export interface ReceiverReports {
  /** The receiving signatory, or null for the policy domains of no signatory. */
  readonly organisationId: number | null;
  readonly name: string | null;
  readonly reports: readonly ReceivedReport[];
}

export interface ReceivedReports {
  readonly receivers: readonly ReceiverReports[];
  /** The listing stopped at receivedPoliciesLimit: a shorter period shows the rest. */
  readonly truncated: boolean;
}

function store(ctx: ServiceContext) {
  if (!ctx.tlsrpt) throw new ApiError(503, "unavailable", "this server does not keep TLS-RPT reports");
  return ctx.tlsrpt;
}

async function domainOwners(ctx: ServiceContext) {
  if (!ctx.indicators)
    throw new ApiError(503, "unavailable", "the indicators are not available in this server");
  const directory = await ctx.indicators.directory();
  return {
    names: directory.names,
    ownerOf: (domain: string) => directory.domains.get(domain.toLowerCase().replace(/\.$/, "")) ?? null,
  };
}

/** Whose reports the viewer sees: null for all, else only those to this organisation's domains. */
function scopeOf(viewer: Principal): number | null {
  if (viewer.kind !== "account") throw new ApiError(401, "unauthenticated", "log in");
  if (viewer.role === "operator") return viewer.organisationId ?? -1;
  return null;
}

export async function receivedReports(
  ctx: ServiceContext,
  viewer: Principal,
  period: Period,
): Promise<ReceivedReports> {
  const scope = scopeOf(viewer);
  const { names, ownerOf } = await domainOwners(ctx);
  const policies = await store(ctx).receivedPolicies(period.from, period.to, receivedPoliciesLimit);
  const byReceiver = new Map<number | null, Map<number, ReceivedPolicy[]>>();
  for (const p of policies) {
    const owner = ownerOf(p.policyDomain);
    if (scope !== null && owner !== scope) continue;
    const reports = byReceiver.get(owner) ?? new Map<number, ReceivedPolicy[]>();
    reports.set(p.id, [...(reports.get(p.id) ?? []), p]);
    byReceiver.set(owner, reports);
  }
  const receivers = [...byReceiver].map(([organisationId, reports]) => ({
    organisationId,
    name: organisationId === null ? null : (names.get(organisationId) ?? `#${organisationId}`),
    reports: [...reports.values()].map((ps) => {
      const first = ps[0] as ReceivedPolicy;
      return {
        id: first.id,
        organization: first.organization,
        contactInfo: first.contactInfo,
        reportId: first.reportId,
        startDatetime: first.startDatetime,
        endDatetime: first.endDatetime,
        receivedAt: first.receivedAt,
        warnings: first.warnings,
        policies: ps,
      };
    }),
  }));
  // Signatories by name, then the domains of no signatory.
  receivers.sort((a, b) => (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name)));
  return { receivers, truncated: policies.length >= receivedPoliciesLimit };
}

export interface ReportDetail {
  readonly id: number;
  readonly report: TlsRptReport;
  /** The policies the viewer may see (an operator: those of its own domains). */
  readonly policies: readonly (PolicyResult & { readonly receiver: string | null })[];
  readonly hiddenPolicies: number;
  readonly warnings: readonly Warning[];
  readonly door: Door;
  readonly receivedAt: string;
}

export async function receivedReport(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<ReportDetail> {
  const scope = scopeOf(viewer);
  const { names, ownerOf } = await domainOwners(ctx);
  const stored = await store(ctx).get(id);
  if (!stored) throw notFound(`report ${id}`);
  const policies = stored.report.policies
    .map((p) => ({ p, owner: ownerOf(p.policy["policy-domain"]) }))
    .filter(({ owner }) => scope === null || owner === scope);
  if (scope !== null && policies.length === 0) throw notFound(`report ${id}`);
  return {
    id,
    report: stored.report,
    policies: policies.map(({ p, owner }) => ({
      ...p,
      receiver: owner === null ? null : (names.get(owner) ?? `#${owner}`),
    })),
    hiddenPolicies: stored.report.policies.length - policies.length,
    warnings: stored.warnings,
    door: stored.door,
    receivedAt: stored.receivedAt,
  };
}
