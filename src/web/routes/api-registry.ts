/**
 * The registry over the API: the public signatories; organisations, domains and charter versions for
 * accounts (scoped to the operator's organisation); the agency's changes (adhesion, edit, domains,
 * withdrawal notice, charter versions), all through src/registry.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiError } from "../api-error.js";
import {
  addDomain,
  addOrganisation,
  editOrganisation,
  noticeWithdrawal,
  publicSignatories,
  removeDomain,
  visibleDomain,
  visibleDomains,
  visibleOrganisation,
  visibleOrganisations,
} from "../app/registry-views.js";
import type { ServiceContext } from "../context.js";
import {
  charterVersionRecordSchema,
  charterVersionSchema,
  domainCreateSchema,
  domainParams,
  domainSchema,
  errorResponses,
  idParams,
  organisationCreateSchema,
  organisationPatchSchema,
  organisationSchema,
  signatoriesSchema,
  withdrawalSchema,
} from "../schemas.js";

const versionRecord = (v: { version: string; published: string; title: string; profile: string }) => ({
  ...v,
  profileUrl: `/api/v1/annex/profiles/${encodeURIComponent(v.profile)}`,
});

export const registryRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/signatories",
    {
      schema: {
        tags: ["public"],
        summary: "Signatories in force, their domains and latest verdicts",
        response: { 200: signatoriesSchema },
      },
    },
    async () => publicSignatories(ctx),
  );

  app.get(
    "/organisations",
    {
      schema: {
        tags: ["registry"],
        summary: "Organisations the viewer may see (an operator: its own)",
        response: { 200: z.object({ organisations: z.array(organisationSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ organisations: await visibleOrganisations(ctx, request.principal) }),
  );

  app.get(
    "/organisations/:id",
    {
      schema: {
        tags: ["registry"],
        params: idParams,
        response: { 200: organisationSchema, ...errorResponses },
      },
    },
    async (request) => visibleOrganisation(ctx, request.principal, request.params.id),
  );

  app.post(
    "/organisations",
    {
      schema: {
        tags: ["registry"],
        summary: "Record an adhesion (agency)",
        body: organisationCreateSchema,
        response: { 201: organisationSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await addOrganisation(ctx, request.body)),
  );

  app.patch(
    "/organisations/:id",
    {
      schema: {
        tags: ["registry"],
        summary: "Edit an organisation (agency; an operator: its contact)",
        params: idParams,
        body: organisationPatchSchema,
        response: { 200: organisationSchema, ...errorResponses },
      },
    },
    async (request) => editOrganisation(ctx, request.principal, request.params.id, request.body),
  );

  app.post(
    "/organisations/:id/domains",
    {
      schema: {
        tags: ["registry"],
        summary: "Add a mail domain (agency)",
        params: idParams,
        body: domainCreateSchema,
        response: { 201: organisationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addDomain(ctx, request.principal, request.params.id, request.body)),
  );

  app.delete(
    "/organisations/:id/domains/:domainId",
    {
      schema: {
        tags: ["registry"],
        summary: "Remove a mail domain of an organisation (agency)",
        params: domainParams,
        response: { 200: organisationSchema, ...errorResponses },
      },
    },
    async (request) => removeDomain(ctx, request.principal, request.params.id, request.params.domainId),
  );

  app.post(
    "/organisations/:id/withdrawal",
    {
      schema: {
        tags: ["registry"],
        summary: "Record a withdrawal notice, effective three months later (agency)",
        params: idParams,
        body: withdrawalSchema,
        response: { 200: organisationSchema, ...errorResponses },
      },
    },
    async (request) => noticeWithdrawal(ctx, request.principal, request.params.id, request.body.noticeDate),
  );

  app.get(
    "/charter-versions",
    {
      schema: {
        tags: ["registry"],
        summary: "The charter versions, oldest first, each with the profile of its annex",
        response: { 200: z.object({ versions: z.array(charterVersionRecordSchema) }), ...errorResponses },
      },
    },
    async () => ({ versions: (await ctx.registry.charterVersions()).map(versionRecord) }),
  );

  app.post(
    "/charter-versions",
    {
      schema: {
        tags: ["registry"],
        summary: "Record a new version of the annex (agency; charter art. 8)",
        body: charterVersionSchema,
        response: { 201: charterVersionRecordSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { version, published, title } = request.body;
      if ((await ctx.registry.charterVersions()).some((v) => v.version === version))
        throw new ApiError(409, "conflict", `charter version ${version} exists`);
      await ctx.registry.addCharterVersion(version, published, title);
      const added = (await ctx.registry.charterVersions()).find((v) => v.version === version);
      if (!added) throw new ApiError(500, "internal", `charter version ${version} was not recorded`);
      return reply.code(201).send(versionRecord(added));
    },
  );

  app.get(
    "/domains",
    {
      schema: {
        tags: ["registry"],
        summary: "Domains the viewer may see, with their latest verdict",
        response: { 200: z.object({ domains: z.array(domainSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ domains: await visibleDomains(ctx, request.principal) }),
  );

  app.get(
    "/domains/:id",
    { schema: { tags: ["registry"], params: idParams, response: { 200: domainSchema, ...errorResponses } } },
    async (request) => visibleDomain(ctx, request.principal, request.params.id),
  );
};
