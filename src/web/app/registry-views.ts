/**
 * The registry as each viewer may see it, and its changes by the agency (or an operator for its own
 * contact): the application functions both the pages and the API call. What a viewer may not see is
 * reported as absent, exactly like what does not exist (no IDOR).
 */
import type { z } from "zod";
import type { Principal } from "../../accounts/principal.js";
import { inForceAt } from "../../registry/model.js";
import type { RegistryEntry } from "../../registry/repository.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation, seesOrganisation } from "../authorization.js";
import type { LatestVerdict, ServiceContext } from "../context.js";
import type { domainSchema, organisationSchema } from "../schemas.js";

const today = (ctx: ServiceContext) => ctx.now().toISOString().slice(0, 10);

/**
 * After every registry change, from the API or a page: the published list is signed again now (its
 * publisher re-signs whenever the signatories in force differ), so the next reader gets the new list.
 */
async function republish(ctx: ServiceContext): Promise<void> {
  await ctx.publisher.current();
}

/** Where an organisation stands on a date (the agency's list). */
export type OrganisationState = "in_force" | "notice_given" | "withdrawn" | "not_yet";

export function organisationState(
  o: { adhesionDate: string; withdrawalEffectiveDate: string | null },
  date: string,
): OrganisationState {
  if (date < o.adhesionDate) return "not_yet";
  if (o.withdrawalEffectiveDate === null) return "in_force";
  return date < o.withdrawalEffectiveDate ? "notice_given" : "withdrawn";
}

async function latest(
  ctx: ServiceContext,
  domains: readonly string[],
): Promise<ReadonlyMap<string, LatestVerdict>> {
  return ctx.history ? ctx.history.latestVerdicts(domains) : new Map();
}

export type OrganisationView = z.output<typeof organisationSchema>;

const organisationView = (e: RegistryEntry, date: string): OrganisationView => ({
  id: e.id,
  name: e.signatory.name,
  contact: e.signatory.contact,
  adhesionDate: e.signatory.adhesionDate,
  withdrawalNoticeDate: e.signatory.withdrawalNoticeDate,
  withdrawalEffectiveDate: e.signatory.withdrawalEffectiveDate,
  charterVersion: e.signatory.charterVersion,
  inForce: inForceAt(e.signatory, date),
  domains: e.domains.map((d) => ({ id: d.id, domain: d.domain, mx: [...d.mx] })),
});

/** Public (charter art. 7): the signatories in force today, their domains, each domain's latest verdict. */
export async function publicSignatories(ctx: ServiceContext) {
  const date = today(ctx);
  const entries = (await ctx.registry.entries()).filter((e) => inForceAt(e.signatory, date));
  const verdicts = await latest(
    ctx,
    entries.flatMap((e) => e.domains.map((d) => d.domain)),
  );
  return {
    schema: "mailcharter/signatories/1" as const,
    date,
    signatories: entries.map((e) => ({
      name: e.signatory.name,
      adhesionDate: e.signatory.adhesionDate,
      withdrawalEffectiveDate: e.signatory.withdrawalEffectiveDate,
      charterVersion: e.signatory.charterVersion,
      domains: e.domains.map((d) => ({
        domain: d.domain,
        mx: [...d.mx],
        latest: verdicts.get(d.domain) ?? null,
      })),
    })),
  };
}

export async function visibleOrganisations(
  ctx: ServiceContext,
  viewer: Principal,
): Promise<OrganisationView[]> {
  const date = today(ctx);
  return (await ctx.registry.entries())
    .filter((e) => seesOrganisation(viewer, e.id))
    .map((e) => organisationView(e, date));
}

export async function visibleOrganisation(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<OrganisationView> {
  const found = (await visibleOrganisations(ctx, viewer)).find((o) => o.id === id);
  if (!found) throw notFound(`organisation ${id}`);
  return found;
}

export type DomainView = z.output<typeof domainSchema>;

export async function visibleDomains(ctx: ServiceContext, viewer: Principal): Promise<DomainView[]> {
  const entries = (await ctx.registry.entries()).filter((e) => seesOrganisation(viewer, e.id));
  const verdicts = await latest(
    ctx,
    entries.flatMap((e) => e.domains.map((d) => d.domain)),
  );
  return entries.flatMap((e) =>
    e.domains.map((d) => ({
      id: d.id,
      domain: d.domain,
      mx: [...d.mx],
      organisationId: e.id,
      organisation: e.signatory.name,
      latest: verdicts.get(d.domain) ?? null,
    })),
  );
}

export async function visibleDomain(ctx: ServiceContext, viewer: Principal, id: number): Promise<DomainView> {
  const found = (await visibleDomains(ctx, viewer)).find((d) => d.id === id);
  if (!found) throw notFound(`domain ${id}`);
  return found;
}

/** Organisation name of an operator (for /me and the home page). */
export async function organisationName(ctx: ServiceContext, id: number | null): Promise<string | null> {
  if (id === null) return null;
  return (await ctx.registry.entries()).find((e) => e.id === id)?.signatory.name ?? null;
}

export async function addOrganisation(
  ctx: ServiceContext,
  input: {
    name: string;
    contact: string;
    adhesionDate: string;
    charterVersion?: string | undefined;
    domains?: { domain: string; mx: string[] }[] | undefined;
  },
): Promise<OrganisationView> {
  await ctx.registry.add({
    name: input.name,
    contact: input.contact,
    adhesionDate: input.adhesionDate,
    ...(input.charterVersion ? { charterVersion: input.charterVersion } : {}),
    domains: input.domains ?? [],
  });
  await republish(ctx);
  const id = await ctx.registry.organisationId(input.name.trim());
  const entry = (await ctx.registry.entries()).find((e) => e.id === id);
  if (!entry) throw new ApiError(500, "internal", "the organisation vanished after its creation");
  return organisationView(entry, today(ctx));
}

/**
 * Changes an organisation: the agency changes anything; an operator only its own organisation's
 * contact (docs/service.md: operators write their contacts). Another organisation is "not found".
 */
export async function editOrganisation(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  patch: {
    contact?: string | undefined;
    adhesionDate?: string | undefined;
    charterVersion?: string | undefined;
  },
): Promise<OrganisationView> {
  const current = await visibleOrganisation(ctx, viewer, id);
  if (!actsForOrganisation(viewer, id)) throw notFound(`organisation ${id}`);
  const fields = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
  if (viewer.kind === "account" && viewer.role !== "agency" && fields.some((f) => f !== "contact"))
    throw new ApiError(403, "forbidden", "an operator changes only its organisation's contact");
  await ctx.registry.edit(current.name, {
    ...(patch.contact ? { contact: patch.contact } : {}),
    ...(patch.adhesionDate ? { adhesionDate: patch.adhesionDate } : {}),
    ...(patch.charterVersion ? { charterVersion: patch.charterVersion } : {}),
  });
  await republish(ctx);
  return visibleOrganisation(ctx, viewer, id);
}

export async function addDomain(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  domain: { domain: string; mx: string[] },
): Promise<OrganisationView> {
  const current = await visibleOrganisation(ctx, viewer, id);
  await ctx.registry.addDomain(current.name, domain);
  await republish(ctx);
  return visibleOrganisation(ctx, viewer, id);
}

export async function noticeWithdrawal(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  noticeDate: string,
  options: { replace?: boolean } = {},
): Promise<OrganisationView> {
  const current = await visibleOrganisation(ctx, viewer, id);
  await ctx.registry.withdraw(current.name, noticeDate, options);
  await republish(ctx);
  return visibleOrganisation(ctx, viewer, id);
}

/** Removes one of the organisation's domains; a domain id of another organisation is "not found". */
export async function removeDomain(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
  domainId: number,
): Promise<OrganisationView> {
  const current = await visibleOrganisation(ctx, viewer, id);
  const domain = current.domains.find((d) => d.id === domainId);
  if (!domain) throw notFound(`domain ${domainId} of organisation ${id}`);
  await ctx.registry.removeDomain(current.name, domain.domain);
  await republish(ctx);
  return visibleOrganisation(ctx, viewer, id);
}
