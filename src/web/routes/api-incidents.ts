/**
 * Incidents over the API: the list the viewer sees, one incident with its timeline, acknowledging and
 * commenting (the agency, or an operator of the incident's organisation; another organisation's
 * incident is 404, or 403 when it was told to every signatory and so is visible).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  acknowledgeIncident,
  commentIncident,
  visibleIncident,
  visibleIncidents,
} from "../app/incident-views.js";
import type { ServiceContext } from "../context.js";
import {
  commentSchema,
  incidentDetailSchema,
  incidentListSchema,
  incidentQuery,
} from "../incident-schemas.js";
import { errorResponses, errorSchema, idParams } from "../schemas.js";

export const incidentsRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/incidents",
    {
      schema: {
        tags: ["incidents"],
        summary: "Incidents the viewer sees, newest first",
        querystring: incidentQuery,
        response: { 200: incidentListSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => ({
      incidents: await visibleIncidents(ctx, request.principal, {
        ...(request.query.state ? { state: request.query.state } : {}),
        ...(request.query.domain !== undefined ? { domainId: request.query.domain } : {}),
        limit: request.query.limit,
      }),
    }),
  );

  app.get(
    "/incidents/:id",
    {
      schema: {
        tags: ["incidents"],
        summary: "One incident with its timeline (each step linked to the audit that proves it)",
        params: idParams,
        response: { 200: incidentDetailSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => visibleIncident(ctx, request.principal, request.params.id),
  );

  app.post(
    "/incidents/:id/acknowledge",
    {
      schema: {
        tags: ["incidents"],
        summary: "Acknowledge an open incident (its organisation's operators, or the agency)",
        params: idParams,
        response: { 200: incidentDetailSchema, ...errorResponses, 409: errorSchema, 503: errorSchema },
      },
    },
    async (request) => acknowledgeIncident(ctx, request.principal, request.params.id),
  );

  app.post(
    "/incidents/:id/comments",
    {
      schema: {
        tags: ["incidents"],
        summary: "Comment on an incident (its organisation's operators, or the agency)",
        params: idParams,
        body: commentSchema,
        response: { 201: incidentDetailSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await commentIncident(ctx, request.principal, request.params.id, request.body.text)),
  );
};
