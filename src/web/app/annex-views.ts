/**
 * Annex versions as each viewer may see them (Charte art. 8), for the pages and the API alike: the
 * charter versions (public, art. 7), the profiles and consultations (every account), the impact of a
 * proposed annex (agency and auditors: it shows every signatory's audits), the agency's drafting,
 * opening, adoption and closing, and each organisation's answer — recorded by its operators, or by
 * the agency for an answer it received in writing. An operator sees its own organisation's answer
 * only; an organisation it does not act for is "not found" (no IDOR).
 */
import type { Principal } from "../../accounts/principal.js";
import type { AnnexService } from "../../annex/annex-service.js";
import { AnnexError, type Answer, type ConsultationRecord } from "../../annex/annex-store.js";
import type { ImpactReport } from "../../annex/impact.js";
import type { Profile } from "../../audit/profiles/profile.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";

const today = (ctx: ServiceContext) => ctx.now().toISOString().slice(0, 10);

function annexOf(ctx: ServiceContext): AnnexService {
  if (!ctx.annex) throw new ApiError(503, "unavailable", "annex versions are not available on this server");
  return ctx.annex;
}

const who = (viewer: Principal) => (viewer.kind === "account" ? viewer.email : "public");

/** The store's refusals as the HTTP interface says them. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AnnexError) {
      if (error.reason === "not_found") throw new ApiError(404, "not_found", error.message);
      if (error.reason === "conflict") throw new ApiError(409, "conflict", error.message);
      throw new ApiError(400, "invalid_request", error.message);
    }
    throw error;
  }
}

/** Public (art. 7): the charter versions, each with the profile of its annex and its date. */
export async function charterVersions(ctx: ServiceContext) {
  const annex = annexOf(ctx);
  return { versions: await annex.store.versions() };
}

export interface ProfileSummary {
  readonly id: string;
  readonly title: string;
  readonly reference: string;
  readonly origin: "built-in" | "drafted";
  readonly rules: number;
  /** Whether the profile can be an annex (it names the rules of the rule-judged measures). */
  readonly annex: boolean;
}

const summaryOf = (p: Profile, origin: ProfileSummary["origin"]): ProfileSummary => ({
  id: p.id,
  title: p.title,
  reference: p.reference,
  origin,
  rules: p.rules.length,
  annex: p.measures !== undefined,
});

/** Every account: the profiles, the consultations and the versions. */
export async function annexOverview(ctx: ServiceContext) {
  const annex = annexOf(ctx);
  return {
    profiles: (await annex.store.profiles()).map((p) => summaryOf(p.profile, p.origin)),
    consultations: await annex.store.consultations(),
    versions: await annex.store.versions(),
  };
}

export async function profileOf(ctx: ServiceContext, id: string): Promise<Profile> {
  const found = await annexOf(ctx).store.profile(id);
  if (!found) throw notFound(`profile ${id}`);
  return found.profile;
}

/** The agency drafts a proposed annex: a profile as data, validated, kept under its id. */
export async function draftProfile(
  ctx: ServiceContext,
  viewer: Principal,
  data: unknown,
): Promise<ProfileSummary> {
  const annex = annexOf(ctx);
  const profile = await mapped(() => annex.store.saveProfile(data, who(viewer), ctx.now().getTime()));
  return summaryOf(profile, "drafted");
}

export async function openConsultation(
  ctx: ServiceContext,
  viewer: Principal,
  input: { readonly version: string; readonly title: string; readonly profile: string },
) {
  const annex = annexOf(ctx);
  return mapped(() => annex.store.openConsultation(input, who(viewer), ctx.now().getTime()));
}

export interface ConsultationView {
  readonly record: ConsultationRecord;
  readonly profile: ProfileSummary;
  /** The organisations the viewer may answer for (an operator: its own, if it is consulted). */
  readonly answerable: readonly { readonly organisationId: number; readonly organisation: string }[];
  /** Whether the viewer sees every organisation's answer (agency, auditors). */
  readonly seesAll: boolean;
}

/**
 * A consultation and who has answered. The agency and auditors see every answer; an operator sees
 * the counts and its own organisation's row only.
 */
export async function consultationView(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<ConsultationView> {
  const annex = annexOf(ctx);
  const record = await annex.store.record(id, today(ctx));
  if (!record || viewer.kind !== "account") throw notFound(`consultation ${id}`);
  const seesAll = viewer.role === "agency" || viewer.role === "auditor";
  const own = record.signatories.filter(
    (s) => viewer.role === "operator" && s.organisationId === viewer.organisationId,
  );
  const found = await annex.store.profile(record.consultation.profile);
  if (!found) throw notFound(`profile ${record.consultation.profile}`);
  return {
    record: seesAll ? record : { ...record, signatories: own },
    profile: summaryOf(found.profile, found.origin),
    answerable:
      record.consultation.status !== "open"
        ? []
        : (viewer.role === "agency" ? record.signatories : own).map((s) => ({
            organisationId: s.organisationId,
            organisation: s.organisation,
          })),
    seesAll,
  };
}

/** An organisation's answer: its operators, or the agency; any other organisation is "not found". */
export async function answerConsultation(
  ctx: ServiceContext,
  viewer: Principal,
  organisationId: number,
  consultationId: number,
  input: { readonly answer: Answer; readonly comment: string },
) {
  if (!actsForOrganisation(viewer, organisationId)) throw notFound(`organisation ${organisationId}`);
  const annex = annexOf(ctx);
  return mapped(() =>
    annex.store.answer(consultationId, organisationId, input, who(viewer), ctx.now().getTime()),
  );
}

export async function adoptConsultation(ctx: ServiceContext, id: number, published: string) {
  const annex = annexOf(ctx);
  return mapped(() => annex.store.adopt(id, published, ctx.now().getTime()));
}

export async function closeConsultation(ctx: ServiceContext, id: number) {
  const annex = annexOf(ctx);
  return mapped(() => annex.store.close(id, ctx.now().getTime()));
}

/** Agency and auditors: what profile `id` would change for every signatory, from stored audits. */
export async function annexImpactView(ctx: ServiceContext, id: string): Promise<ImpactReport> {
  const annex = annexOf(ctx);
  return mapped(() => annex.impact(id, today(ctx), ctx.now()));
}
