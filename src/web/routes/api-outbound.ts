/**
 * The outbound STARTTLS test over the API: start a test for a domain (201, the addresses to send to)
 * and read a test's result (mailcharter/outbound-test/1, the same document as the command line).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { outboundTestDocumentSchema } from "../../outbound/result-document.js";
import { startDomainOutboundTest, visibleOutboundTest } from "../app/outbound-views.js";
import type { ServiceContext } from "../context.js";
import { errorResponses, errorSchema, idParams } from "../schemas.js";

const documentSchema = outboundTestDocumentSchema.meta({ id: "OutboundTest" });

export const outboundRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.post(
    "/domains/:id/outbound-tests",
    {
      schema: {
        tags: ["outbound"],
        summary: "Start an outbound STARTTLS test of the domain (agency, or an operator of its organisation)",
        params: idParams,
        response: { 201: documentSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const doc = await startDomainOutboundTest(ctx, request.principal, request.params.id);
      return reply.code(201).send(doc);
    },
  );

  app.get(
    "/outbound-tests/:id",
    {
      schema: {
        tags: ["outbound"],
        summary: "An outbound test: what arrived on each variant, and what it shows of the sender",
        params: idParams,
        response: { 200: documentSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => visibleOutboundTest(ctx, request.principal, request.params.id),
  );
};
