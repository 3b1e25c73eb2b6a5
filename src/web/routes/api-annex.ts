/**
 * The annex versions in the REST API (Charte art. 8), under /api/v1: the profiles (drafted by the
 * agency as JSON, validated with paths), the impact of a profile on every signatory from the stored
 * audits (agency, auditors), the consultations, each organisation's answer (its operators, or the
 * agency for an answer received in writing) and the agency's adoption or closing. The same
 * application functions as the pages (app/annex-views.ts).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { impactSchema } from "../../annex/impact-schema.js";
import { annexLimits } from "../../core/limits.js";
import { ApiError } from "../api-error.js";
import {
  adoptConsultation,
  annexImpactView,
  annexOverview,
  answerConsultation,
  closeConsultation,
  consultationView,
  draftProfile,
  openConsultation,
  profileOf,
} from "../app/annex-views.js";
import type { ServiceContext } from "../context.js";
import { errorResponses, idParams } from "../schemas.js";

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const profileId = z.object({ profile: z.string().min(1).max(64) });

const profileSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    reference: z.string(),
    origin: z.enum(["built-in", "drafted"]),
    rules: z.number().int(),
    annex: z.boolean(),
  })
  .meta({ id: "AnnexProfileSummary" });

const consultation = z
  .object({
    id: z.number().int(),
    version: z.string(),
    title: z.string(),
    profile: z.string(),
    openedAt: z.string(),
    openedBy: z.string(),
    status: z.enum(["open", "adopted", "closed"]),
    adoptedOn: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: "Consultation" });

const answer = z.object({
  organisationId: z.number().int(),
  organisation: z.string(),
  answer: z.enum(["consent", "objection"]),
  comment: z.string(),
  answeredAt: z.string(),
  answeredBy: z.string(),
});

const record = z.object({
  consultation,
  profile: profileSummary,
  seesAll: z.boolean(),
  signatories: z.array(
    z.object({
      organisationId: z.number().int(),
      organisation: z.string(),
      acceptedVersion: z.string(),
      answer: answer.nullable(),
    }),
  ),
  counts: z.object({ consent: z.number().int(), objection: z.number().int(), pending: z.number().int() }),
});

const charterVersion = z.object({
  version: z.string(),
  published: z.string(),
  title: z.string(),
  profile: z.string(),
});

export const annexRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/annex/profiles",
    {
      schema: {
        tags: ["annex"],
        summary: "Annex profiles, built in and drafted, and the charter versions with their profile",
        response: {
          200: z.object({ profiles: z.array(profileSummary), versions: z.array(charterVersion) }),
          ...errorResponses,
        },
      },
    },
    async () => {
      const view = await annexOverview(ctx);
      return { profiles: view.profiles, versions: view.versions };
    },
  );

  app.get(
    "/annex/profiles/:profile",
    {
      schema: {
        tags: ["annex"],
        params: profileId,
        response: { 200: z.looseObject({ id: z.string() }), ...errorResponses },
      },
    },
    async (request) => profileOf(ctx, request.params.profile) as unknown as { id: string },
  );

  app.post(
    "/annex/profiles",
    {
      bodyLimit: annexLimits.profileMaxBytes,
      schema: {
        tags: ["annex"],
        summary: "Draft a proposed annex: a profile (JSON), validated; refused with the path of every issue",
        body: z.looseObject({}),
        response: { 201: profileSummary, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await draftProfile(ctx, request.principal, request.body)),
  );

  app.get(
    "/annex/impact",
    {
      schema: {
        tags: ["annex"],
        summary:
          "What a profile would change for every signatory, from the latest stored audits (no probing)",
        querystring: profileId,
        response: { 200: impactSchema, ...errorResponses },
      },
    },
    // The report's arrays are readonly; the schema's output type is the same shape, mutable.
    async (request) =>
      (await annexImpactView(ctx, request.query.profile)) as unknown as z.output<typeof impactSchema>,
  );

  app.get(
    "/consultations",
    {
      schema: {
        tags: ["annex"],
        response: { 200: z.object({ consultations: z.array(consultation) }), ...errorResponses },
      },
    },
    async () => ({ consultations: (await annexOverview(ctx)).consultations }),
  );

  app.post(
    "/consultations",
    {
      schema: {
        tags: ["annex"],
        summary: "Open a consultation on a proposed version of the annex (agency; charter art. 8)",
        body: z.object({
          version: z.string().max(40),
          title: z.string().max(500),
          profile: z.string().max(64),
        }),
        response: { 201: consultation, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await openConsultation(ctx, request.principal, request.body)),
  );

  app.get(
    "/consultations/:id",
    { schema: { tags: ["annex"], params: idParams, response: { 200: record, ...errorResponses } } },
    async (request) => {
      const view = await consultationView(ctx, request.principal, request.params.id);
      const body = { ...view.record, profile: view.profile, seesAll: view.seesAll };
      return body as unknown as z.output<typeof record>;
    },
  );

  app.put(
    "/organisations/:id/consultations/:consultation",
    {
      schema: {
        tags: ["annex"],
        summary: "An organisation's answer to a consultation: consent or objection, with a comment",
        params: z.object({ id, consultation: id }),
        body: z.object({
          answer: z.enum(["consent", "objection"]),
          comment: z.string().max(4000).default(""),
        }),
        response: { 200: answer, ...errorResponses },
      },
    },
    async (request) =>
      answerConsultation(
        ctx,
        request.principal,
        request.params.id,
        request.params.consultation,
        request.body,
      ),
  );

  app.post(
    "/consultations/:id/adoption",
    {
      schema: {
        tags: ["annex"],
        summary: "Adopt: the proposed annex becomes a charter version with its publication date (agency)",
        params: idParams,
        body: z.object({ published: z.string().max(10) }),
        response: { 201: charterVersion, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await adoptConsultation(ctx, request.params.id, request.body.published)),
  );

  app.post(
    "/consultations/:id/closure",
    {
      schema: {
        tags: ["annex"],
        summary: "Close a consultation without adopting it (agency)",
        params: idParams,
        response: { 200: consultation, ...errorResponses },
      },
    },
    async (request) => {
      if (!ctx.annex)
        throw new ApiError(503, "unavailable", "annex versions are not available on this server");
      return closeConsultation(ctx, request.params.id);
    },
  );
};
