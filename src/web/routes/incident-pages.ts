/**
 * Incident pages and their forms: the list, one incident with its timeline, acknowledge and comment.
 * They call the same application functions as the API (src/web/app/incident-views.ts): another
 * organisation's incident is "not found" unless it was told to every signatory.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  acknowledgeIncident,
  commentIncident,
  visibleIncident,
  visibleIncidents,
} from "../app/incident-views.js";
import type { ServiceContext } from "../context.js";
import { pageContext } from "../page-context.js";
import { incidentListPage, incidentPage } from "../pages/incidents.js";
import { idParams } from "../schemas.js";

const html = "text/html; charset=utf-8";
const langQuery = z.object({ lang: z.enum(["fr", "en"]).optional() });
const csrfBody = z.object({ _csrf: z.string().max(512).optional() });
const commentBody = csrfBody.extend({ text: z.string().min(1).max(2000) });

export const incidentPageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get("/incidents", { schema: { hide: true, querystring: langQuery } }, async (request, reply) =>
    reply
      .type(html)
      .send(incidentListPage(pageContext(request, reply), await visibleIncidents(ctx, request.principal))),
  );

  app.get(
    "/incidents/:id",
    { schema: { hide: true, params: idParams, querystring: langQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      const detail = await visibleIncident(ctx, viewer, request.params.id);
      const seesAudits = viewer.kind === "account" && viewer.role !== "operator";
      return reply.type(html).send(incidentPage(pageContext(request, reply), detail, seesAudits));
    },
  );

  app.post(
    "/incidents/:id/acknowledge",
    { schema: { hide: true, params: idParams, body: csrfBody } },
    async (request, reply) => {
      await acknowledgeIncident(ctx, request.principal, request.params.id);
      return reply.code(303).redirect(`/incidents/${request.params.id}`);
    },
  );

  app.post(
    "/incidents/:id/comment",
    { schema: { hide: true, params: idParams, body: commentBody } },
    async (request, reply) => {
      await commentIncident(ctx, request.principal, request.params.id, request.body.text);
      return reply.code(303).redirect(`/incidents/${request.params.id}`);
    },
  );
};
