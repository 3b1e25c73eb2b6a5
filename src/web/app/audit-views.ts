/**
 * Audits as each viewer may see them: an operator sees the audits of its organisation's domains only;
 * another organisation's audit, by any id, is "not found" (no IDOR). The same functions serve pages
 * and API.
 */
import type { Principal } from "../../accounts/principal.js";
import { diffAudits } from "../../monitor/diff.js";
import type { AuditRun, AuditRunSummary } from "../../monitor/history-store.js";
import { ScheduleError } from "../../monitor/schedule-store.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation } from "../authorization.js";
import type { AuditHistoryPort, ServiceContext } from "../context.js";
import { visibleDomain, visibleDomains } from "./registry-views.js";

function history(ctx: ServiceContext): AuditHistoryPort {
  if (!ctx.history)
    throw new ApiError(503, "unavailable", "the audit history is not available in this server");
  return ctx.history;
}

const seesEverything = (viewer: Principal) =>
  viewer.kind === "account" && (viewer.role === "agency" || viewer.role === "auditor");

export async function domainAudits(
  ctx: ServiceContext,
  viewer: Principal,
  domainId: number,
  page: { limit: number; offset: number },
): Promise<AuditRunSummary[]> {
  const domain = await visibleDomain(ctx, viewer, domainId);
  return history(ctx).list(domain.domain, page);
}

/** The newest audits of every domain the viewer sees, newest first. */
export async function recentAudits(
  ctx: ServiceContext,
  viewer: Principal,
  limit: number,
): Promise<AuditRunSummary[]> {
  const h = history(ctx);
  const domains = await visibleDomains(ctx, viewer);
  const all = (await Promise.all(domains.map((d) => h.list(d.domain, { limit, offset: 0 })))).flat();
  return all.sort((a, b) => b.queuedAt.localeCompare(a.queuedAt) || b.id - a.id).slice(0, limit);
}

export async function visibleAudit(ctx: ServiceContext, viewer: Principal, id: number): Promise<AuditRun> {
  const run = await history(ctx).get(id);
  if (!run) throw notFound(`audit ${id}`);
  if (seesEverything(viewer)) return run;
  const own = (await visibleDomains(ctx, viewer)).some((d) => d.domain === run.domain);
  if (!own) throw notFound(`audit ${id}`);
  return run;
}

/** What changed from one audit of a domain to another (by default: the previous finished one). */
export async function auditDiff(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  againstId: number | undefined,
) {
  const to = await visibleAudit(ctx, viewer, id);
  const from =
    againstId === undefined
      ? await history(ctx).previousDone(to.domain, to.id)
      : await visibleAudit(ctx, viewer, againstId);
  if (!from) throw notFound(`earlier finished audit of ${to.domain}`);
  if (from.domain !== to.domain)
    throw new ApiError(400, "invalid_request", `audits ${from.id} and ${to.id} are of different domains`);
  if (!from.report || !to.report)
    throw new ApiError(409, "conflict", "both audits must be finished to be compared");
  const [older, newer] = from.report.finishedAt <= to.report.finishedAt ? [from, to] : [to, from];
  return { from: older.id, to: newer.id, diff: diffAudits(older.report as never, newer.report as never) };
}

/** An audit of one of the viewer's domains now (the agency: any domain); idempotent by its key. */
export async function requestDomainAudit(
  ctx: ServiceContext,
  viewer: Principal,
  domainId: number,
  idempotencyKey: string,
) {
  const domain = await visibleDomain(ctx, viewer, domainId);
  if (!actsForOrganisation(viewer, domain.organisationId)) throw notFound(`domain ${domainId}`);
  const requestedBy = viewer.kind === "account" ? `account:${viewer.accountId}` : "public";
  // One key space per account: another account reusing a key never gets this one's run.
  return history(ctx).request({
    domain: domain.domain,
    requestedBy,
    idempotencyKey: `${requestedBy}:${idempotencyKey}`,
  });
}

export async function domainSchedule(ctx: ServiceContext, viewer: Principal, domainId: number) {
  const domain = await visibleDomain(ctx, viewer, domainId);
  return history(ctx).schedule(domain.domain);
}

/** The agency sets how often a domain is audited (one hour to 31 days). */
export async function setDomainCadence(
  ctx: ServiceContext,
  viewer: Principal,
  domainId: number,
  seconds: number,
) {
  const domain = await visibleDomain(ctx, viewer, domainId);
  try {
    return await history(ctx).setCadence(domain.domain, seconds);
  } catch (error) {
    if (error instanceof ScheduleError) throw new ApiError(400, "invalid_request", error.message);
    throw error;
  }
}
