/**
 * Incidents as each viewer may see them. The agency and auditors see every incident; an operator sees
 * its own organisation's, and the interruptions told to every signatory (Charte art. 4.6) — those
 * without the other organisation's comments. Any other incident, by any id, is "not found" (no IDOR).
 * Acknowledging and commenting are for the agency and the operators of the incident's organisation.
 * The same functions serve pages and API.
 */
import type { Principal } from "../../accounts/principal.js";
import type { Incident, IncidentEvent, IncidentState } from "../../monitor/incidents/incident.js";
import type { IncidentStore } from "../../monitor/incidents/incident-store.js";
import { ApiError, notFound } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import { visibleDomains } from "./registry-views.js";

export interface IncidentView extends Incident {
  /** The viewer's organisation is the one concerned (or the viewer is the agency): it may act. */
  readonly canAct: boolean;
  /** The registry's id of the domain, when the viewer sees the domain (for links). */
  readonly domainId: number | null;
}

export interface IncidentDetail {
  readonly incident: IncidentView;
  readonly timeline: readonly IncidentEvent[];
}

function store(ctx: ServiceContext): IncidentStore {
  if (!ctx.incidents) throw new ApiError(503, "unavailable", "incidents are not available in this server");
  return ctx.incidents;
}

const seesEverything = (viewer: Principal) =>
  viewer.kind === "account" && (viewer.role === "agency" || viewer.role === "auditor");

interface Own {
  /** The viewer's domains by name, with their ids. */
  readonly domains: ReadonlyMap<string, number>;
  /** The organisations of those domains (an indicator incident concerns both parties of a link). */
  readonly organisations: ReadonlySet<string>;
}

async function viewerDomains(ctx: ServiceContext, viewer: Principal): Promise<Own> {
  const domains = await visibleDomains(ctx, viewer);
  return {
    domains: new Map(domains.map((d) => [d.domain, d.id])),
    organisations: new Set(domains.map((d) => d.organisation)),
  };
}

/** An incident from the indicators concerns its organisation and the other party of its link. */
const partyOf = (incident: Incident, own: Own) =>
  incident.basis === "indicators" &&
  [incident.organisation, incident.peerOrganisation].some((o) => o !== null && own.organisations.has(o));

function view(incident: Incident, viewer: Principal, own: Own): IncidentView | null {
  const mine = own.domains.has(incident.domain) || partyOf(incident, own);
  if (!seesEverything(viewer) && !mine && incident.audience !== "all") return null;
  const canAct =
    viewer.kind === "account" && (viewer.role === "agency" || (viewer.role === "operator" && mine));
  return { ...incident, canAct, domainId: own.domains.get(incident.domain) ?? null };
}

export interface IncidentQuery {
  readonly state?: IncidentState | "unresolved";
  /** Only the incidents of this registered domain (the domain page). */
  readonly domainId?: number;
  /** Only the incidents of this organisation's domains (the organisation page). */
  readonly organisationId?: number;
  readonly limit?: number;
}

export async function visibleIncidents(
  ctx: ServiceContext,
  viewer: Principal,
  query: IncidentQuery = {},
): Promise<IncidentView[]> {
  const own = await viewerDomains(ctx, viewer);
  let domain: string | undefined;
  if (query.domainId !== undefined) {
    domain = [...own.domains].find(([, id]) => id === query.domainId)?.[0];
    if (!domain) throw notFound(`domain ${query.domainId}`);
  }
  const all = await store(ctx).list({
    ...(query.state ? { state: query.state } : {}),
    ...(domain ? { domain } : {}),
    limit: query.limit ?? 200,
  });
  let wanted = all;
  if (query.organisationId !== undefined) {
    const domains = (await visibleDomains(ctx, viewer)).filter(
      (d) => d.organisationId === query.organisationId,
    );
    const names = new Set(domains.map((d) => d.domain));
    const organisation = domains[0]?.organisation;
    wanted = all.filter(
      (i) =>
        names.has(i.domain) ||
        (i.basis === "indicators" &&
          organisation !== undefined &&
          (i.organisation === organisation || i.peerOrganisation === organisation)),
    );
  }
  return wanted.map((i) => view(i, viewer, own)).filter((v): v is IncidentView => v !== null);
}

export async function visibleIncident(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<IncidentDetail> {
  const incident = await store(ctx).get(id);
  const seen = incident ? view(incident, viewer, await viewerDomains(ctx, viewer)) : null;
  if (!seen) throw notFound(`incident ${id}`);
  const timeline = await store(ctx).timeline(id);
  // Another organisation's comments and who acknowledged stay theirs; the observations are the notice's.
  const shown =
    seesEverything(viewer) || seen.canAct ? timeline : timeline.filter((e) => e.type !== "comment");
  return {
    incident: seen.canAct || seesEverything(viewer) ? seen : { ...seen, acknowledgedBy: null },
    timeline: shown.map((e) => (seen.canAct || seesEverything(viewer) ? e : { ...e, author: null })),
  };
}

const actor = (viewer: Principal) => (viewer.kind === "account" ? viewer.email : "public");

async function actable(ctx: ServiceContext, viewer: Principal, id: number): Promise<IncidentView> {
  const { incident } = await visibleIncident(ctx, viewer, id);
  if (!incident.canAct)
    throw new ApiError(
      403,
      "forbidden",
      `incident ${id} is another organisation's: only it and the agency act on it`,
    );
  return incident;
}

/** open → acknowledged (409 when it is acknowledged or resolved already). */
export async function acknowledgeIncident(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<IncidentDetail> {
  const incident = await actable(ctx, viewer, id);
  const done = await store(ctx).acknowledge(id, actor(viewer), ctx.now().toISOString());
  if (!done) throw new ApiError(409, "conflict", `incident ${id} is ${incident.state}, not open`);
  return visibleIncident(ctx, viewer, id);
}

export const commentLimit = 2000;

export async function commentIncident(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  text: string,
): Promise<IncidentDetail> {
  await actable(ctx, viewer, id);
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > commentLimit)
    throw new ApiError(400, "invalid_request", `comment: 1 to ${commentLimit} characters`);
  await store(ctx).comment(id, actor(viewer), trimmed, ctx.now().toISOString());
  return visibleIncident(ctx, viewer, id);
}
