/** /api/v1/me and /api/v1/tokens: the viewer's own account and API tokens. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiError } from "../api-error.js";
import { organisationName } from "../app/registry-views.js";
import type { ServiceContext } from "../context.js";
import { errorResponses, idParams, meSchema, tokenCreateSchema, tokenSchema } from "../schemas.js";

const account = (request: { principal: import("../../accounts/principal.js").Principal }) => {
  if (request.principal.kind !== "account") throw new ApiError(401, "unauthenticated", "log in first");
  return request.principal;
};

export const selfRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/me",
    {
      schema: {
        tags: ["account"],
        summary: "The account making the request",
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = account(request);
      return {
        account: {
          id: p.accountId,
          email: p.email,
          role: p.role,
          organisationId: p.organisationId,
          organisation: await organisationName(ctx, p.organisationId),
        },
        via: p.via,
        csrfToken: p.via === "session" ? reply.generateCsrf() : null,
      };
    },
  );

  app.get(
    "/tokens",
    {
      schema: {
        tags: ["account"],
        summary: "The viewer's API tokens (prefixes only)",
        response: { 200: z.object({ tokens: z.array(tokenSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ tokens: await ctx.accounts.listTokens(account(request)) }),
  );

  app.post(
    "/tokens",
    {
      schema: {
        tags: ["account"],
        summary: "Create an API token for a role no higher than the viewer's; the token is shown once",
        body: tokenCreateSchema,
        response: { 201: z.object({ token: z.string(), record: tokenSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await ctx.accounts.createToken(account(request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.delete(
    "/tokens/:id",
    {
      schema: {
        tags: ["account"],
        summary: "Revoke one of the viewer's tokens",
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await ctx.accounts.revokeToken(account(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
