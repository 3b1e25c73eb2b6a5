/**
 * Every domain the viewer sees with its cadence, next due time and last finished audit: the agency's
 * overview of the scheduler's work (each domain's own page changes its cadence).
 */
import type { Principal } from "../../accounts/principal.js";
import { ApiError } from "../api-error.js";
import type { LatestVerdict, ServiceContext } from "../context.js";
import { visibleDomains } from "./registry-views.js";

export interface CadenceRow {
  readonly id: number;
  readonly domain: string;
  readonly organisationId: number;
  readonly organisation: string;
  readonly cadenceSeconds: number;
  /** null: never audited, due at once. */
  readonly nextDueAt: string | null;
  readonly latest: LatestVerdict | null;
}

export async function cadenceOverview(ctx: ServiceContext, viewer: Principal): Promise<CadenceRow[]> {
  const history = ctx.history;
  if (!history) throw new ApiError(503, "unavailable", "the audit history is not available in this server");
  const domains = await visibleDomains(ctx, viewer);
  const names = domains.map((d) => d.domain);
  const schedules = history.schedules
    ? await history.schedules(names)
    : await Promise.all(names.map((d) => history.schedule(d)));
  const byDomain = new Map(schedules.map((s) => [s.domain, s]));
  return domains.map((d) => {
    const s = byDomain.get(d.domain);
    return {
      id: d.id,
      domain: d.domain,
      organisationId: d.organisationId,
      organisation: d.organisation,
      cadenceSeconds: s?.cadenceSeconds ?? 86_400,
      nextDueAt: s?.nextDueAt ?? null,
      latest: d.latest,
    };
  });
}
