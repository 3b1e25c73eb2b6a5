/**
 * `/metrics` (Prometheus text format, for the bearer of the metrics token only) and the notices'
 * delivery log for the agency: `/agency/notifications` (page) and `/api/v1/notifications/deliveries`.
 * Both read through the notify port (src/notify, src/metrics), never SQL.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { metricsContentType } from "../../metrics/exposition.js";
import { ApiError } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import { pageContext } from "../page-context.js";
import { deliveriesPage } from "../pages/deliveries.js";
import { errorResponses } from "../schemas.js";

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const deliverySchema = z.object({
  id: z.number(),
  attemptedAt: z.string(),
  channel: z.string(),
  destination: z.string(),
  result: z.enum(["sent", "retry", "failed"]),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
  messageId: z.number(),
  messageState: z.enum(["pending", "sent", "failed"]),
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  about: z.string(),
  incidentId: z.number().nullable(),
});

const unavailable = () => new ApiError(503, "unavailable", "notifications are not part of this server");

export const metricsRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    if (!ctx.notify) throw unavailable();
    return reply.type(metricsContentType).send(await ctx.notify.metrics());
  });
  app.get(
    "/agency/notifications",
    { schema: { hide: true, querystring: pageQuery.extend({ lang: z.enum(["fr", "en"]).optional() }) } },
    async (request, reply) => {
      const entries = ctx.notify ? await ctx.notify.deliveries(request.query) : [];
      return reply
        .type("text/html; charset=utf-8")
        .send(deliveriesPage(pageContext(request, reply), entries));
    },
  );
};

export const notifyApiRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/notifications/deliveries",
    {
      schema: {
        tags: ["notifications"],
        summary: "The delivery log: every attempt to send a notice or a TLS-RPT report, newest first",
        querystring: pageQuery,
        response: { 200: z.object({ deliveries: z.array(deliverySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      if (!ctx.notify) throw unavailable();
      return { deliveries: await ctx.notify.deliveries(request.query) };
    },
  );
};
