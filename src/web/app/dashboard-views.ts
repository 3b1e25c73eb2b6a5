/**
 * What the organisation dashboard and the agency's matrix show, through the same visibility rules as
 * the API: an organisation's art. 4.4 deadlines toward the other signatories, and the status matrix of
 * the signatories in force × the charter measures (readers that see everything only).
 */
import type { Principal } from "../../accounts/principal.js";
import type { StatusMatrix } from "../../monitor/history-store.js";
import { type Art44Row, art44Table } from "../../policy/generate.js";
import { ApiError, notFound } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import { visibleDomains, visibleOrganisation, visibleOrganisations } from "./registry-views.js";

const today = (ctx: ServiceContext) => ctx.now().toISOString().slice(0, 10);

/** Charter art. 4.4: toward each other signatory, the date by which its domains must be in the policy. */
export async function organisationDeadlines(
  ctx: ServiceContext,
  viewer: Principal,
  organisationId: number,
): Promise<Art44Row[]> {
  const organisation = await visibleOrganisation(ctx, viewer, organisationId);
  const all = (await ctx.registry.entries()).map((e) => e.signatory);
  const self = all.find((s) => s.name === organisation.name);
  if (!self) throw notFound(`organisation ${organisationId}`);
  return art44Table(self, all, today(ctx)).sort((a, b) => a.deadline.localeCompare(b.deadline));
}

/** The matrix, with each domain's registry id for the drill-down links. */
export interface MatrixView extends StatusMatrix {
  readonly domainIds: ReadonlyMap<string, number>;
  readonly organisationIds: ReadonlyMap<string, number>;
}

export async function charterMatrix(ctx: ServiceContext, viewer: Principal): Promise<MatrixView> {
  if (viewer.kind !== "account" || viewer.role === "operator") throw notFound("matrix");
  if (!ctx.history)
    throw new ApiError(503, "unavailable", "the audit history is not available in this server");
  const matrix = await ctx.history.statusMatrix(today(ctx));
  const domainIds = new Map((await visibleDomains(ctx, viewer)).map((d) => [d.domain, d.id]));
  const organisationIds = new Map((await visibleOrganisations(ctx, viewer)).map((o) => [o.name, o.id]));
  return { ...matrix, domainIds, organisationIds };
}
