/** /api/v1/accounts: the agency's management of accounts. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import {
  accountCreateSchema,
  accountPatchSchema,
  accountSchema,
  errorResponses,
  idParams,
} from "../schemas.js";

export const accountsRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/accounts",
    {
      schema: {
        tags: ["accounts"],
        response: { 200: z.object({ accounts: z.array(accountSchema) }), ...errorResponses },
      },
    },
    async () => ({ accounts: await ctx.accounts.list() }),
  );

  app.post(
    "/accounts",
    {
      schema: {
        tags: ["accounts"],
        summary: "Create an account; without a password one is generated and returned once",
        body: accountCreateSchema,
        response: {
          201: z.object({ account: accountSchema, generatedPassword: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.code(201).send(await ctx.accounts.add(request.body)),
  );

  app.patch(
    "/accounts/:id",
    {
      schema: {
        tags: ["accounts"],
        summary: "Disable (ends its sessions and tokens) or enable an account",
        params: idParams,
        body: accountPatchSchema,
        response: { 200: accountSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await ctx.accounts.get(request.params.id))) throw notFound(`account ${request.params.id}`);
      return ctx.accounts.setDisabled(request.params.id, request.body.disabled);
    },
  );

  app.post(
    "/accounts/:id/password",
    {
      schema: {
        tags: ["accounts"],
        summary: "A new generated password for an account, returned once (its sessions end)",
        params: idParams,
        response: {
          200: z.object({ account: accountSchema, generatedPassword: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) =>
      reply.header("cache-control", "no-store").send(await ctx.accounts.resetPassword(request.params.id)),
  );
};
