/** The signed published list at stable URLs (charter art. 7): the list, its detached signature, the key. */
import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "../context.js";

export const publishedListRoutes: FastifyPluginAsync<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const hide = { schema: { hide: true } };
  app.get("/published-list.json", hide, async (_request, reply) => {
    const list = await ctx.publisher.current();
    return reply.header("cache-control", "no-cache").type("application/json; charset=utf-8").send(list.body);
  });
  app.get("/published-list.json.sig", hide, async (_request, reply) => {
    const list = await ctx.publisher.current();
    return reply
      .header("cache-control", "no-cache")
      .type("text/plain; charset=utf-8")
      .send(`${list.signature}\n`);
  });
  app.get("/published-list.pub", hide, async (_request, reply) =>
    reply.type("application/x-pem-file").send(ctx.publisher.publicKeyPem),
  );
};
