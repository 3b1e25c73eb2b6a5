/**
 * Audits over the API: the history of a domain, one audit with its full report, the diff between two
 * audits, and an audit on demand (202; the run is followed by GET /api/v1/audits/:id).
 */
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiError } from "../api-error.js";
import {
  auditDiff,
  domainAudits,
  domainSchedule,
  recentAudits,
  requestDomainAudit,
  setDomainCadence,
  visibleAudit,
} from "../app/audit-views.js";
import type { ServiceContext } from "../context.js";
import {
  auditDiffSchema,
  auditListSchema,
  auditRequestSchema,
  auditSchema,
  auditSummarySchema,
  cadenceSchema,
  diffQuery,
  errorResponses,
  errorSchema,
  idParams,
  pageQuery,
  scheduleSchema,
} from "../schemas.js";

const idempotencyHeader = /^[A-Za-z0-9._:-]{8,200}$/;

export const auditsRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/audits",
    {
      schema: {
        tags: ["audits"],
        summary: "The newest audits of the domains the viewer sees",
        querystring: pageQuery.pick({ limit: true }),
        response: { 200: auditListSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => ({ audits: await recentAudits(ctx, request.principal, request.query.limit) }),
  );

  app.get(
    "/audits/:id",
    {
      schema: {
        tags: ["audits"],
        summary: "One audit with its full report",
        params: idParams,
        response: { 200: auditSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => {
      const run = await visibleAudit(ctx, request.principal, request.params.id);
      return { ...run, report: run.report as unknown as Record<string, unknown> | null };
    },
  );

  app.get(
    "/audits/:id/diff",
    {
      schema: {
        tags: ["audits"],
        summary: "What changed since another audit of the domain (default: the previous one)",
        params: idParams,
        querystring: diffQuery,
        response: { 200: auditDiffSchema, ...errorResponses, 409: errorSchema, 503: errorSchema },
      },
    },
    async (request) =>
      (await auditDiff(ctx, request.principal, request.params.id, request.query.against)) as z.output<
        typeof auditDiffSchema
      >,
  );

  app.get(
    "/domains/:id/audits",
    {
      schema: {
        tags: ["audits"],
        summary: "The audits of a domain, newest first",
        params: idParams,
        querystring: pageQuery,
        response: { 200: auditListSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => ({
      audits: await domainAudits(ctx, request.principal, request.params.id, request.query),
    }),
  );

  app.get(
    "/domains/:id/schedule",
    {
      schema: {
        tags: ["audits"],
        summary: "The domain's cadence and next due time",
        params: idParams,
        response: { 200: scheduleSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => domainSchedule(ctx, request.principal, request.params.id),
  );

  app.put(
    "/domains/:id/schedule",
    {
      schema: {
        tags: ["audits"],
        summary: "Set how often the domain is audited (agency; 1 h to 31 days)",
        params: idParams,
        body: cadenceSchema,
        response: { 200: scheduleSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) =>
      setDomainCadence(ctx, request.principal, request.params.id, request.body.cadenceSeconds),
  );

  app.post(
    "/domains/:id/audits",
    {
      schema: {
        tags: ["audits"],
        summary: "Audit the domain now (agency, or an operator of its organisation); idempotent by key",
        params: idParams,
        body: auditRequestSchema.optional(),
        response: {
          202: z.object({ run: auditSummarySchema, created: z.boolean() }),
          ...errorResponses,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers["idempotency-key"];
      if (header !== undefined && (typeof header !== "string" || !idempotencyHeader.test(header)))
        throw new ApiError(
          400,
          "invalid_request",
          "Idempotency-Key: 8–200 characters of A-Z a-z 0-9 . _ : -",
        );
      const key = request.body?.idempotencyKey ?? (typeof header === "string" ? header : randomUUID());
      const { run, created } = await requestDomainAudit(ctx, request.principal, request.params.id, key);
      return reply.code(202).header("location", `/api/v1/audits/${run.id}`).send({ run, created });
    },
  );
};
