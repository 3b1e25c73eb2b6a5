/**
 * The annex-version pages (Charte art. 7, 8): the charter versions (public), the annex page with the
 * profiles and consultations (and the agency's drafting and opening forms), one consultation with its
 * answers, the impact of a proposed annex, and the form posts (draft, open, answer, adopt, close),
 * each a post/redirect/get. They call the same application functions as the API (app/annex-views.ts).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiError } from "../api-error.js";
import {
  adoptConsultation,
  annexImpactView,
  annexOverview,
  answerConsultation,
  charterVersions,
  closeConsultation,
  consultationView,
  draftProfile,
  openConsultation,
} from "../app/annex-views.js";
import type { ServiceContext } from "../context.js";
import { pageContext } from "../page-context.js";
import { annexPage } from "../pages/annex.js";
import { annexImpactPage } from "../pages/annex-impact.js";
import { charterVersionsPage } from "../pages/charter-versions.js";
import { consultationPage } from "../pages/consultation.js";
import { idParams } from "../schemas.js";

const html = "text/html; charset=utf-8";
const langQuery = z.object({ lang: z.enum(["fr", "en"]).optional() });
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const csrfBody = z.object({ _csrf: z.string().max(512).optional() });
const role = (p: { kind: string; role?: string }) => (p.kind === "account" ? p.role : null);

export const annexPageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get("/charter-versions", { schema: { hide: true, querystring: langQuery } }, async (request, reply) =>
    reply
      .type(html)
      .send(charterVersionsPage(pageContext(request, reply), (await charterVersions(ctx)).versions)),
  );

  app.get("/annex", { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const r = role(request.principal);
    const view = await annexOverview(ctx);
    return reply.type(html).send(
      annexPage(pageContext(request, reply), {
        profiles: view.profiles,
        consultations: view.consultations,
        canDraft: r === "agency",
        canImpact: r === "agency" || r === "auditor",
      }),
    );
  });

  app.post(
    "/annex/profiles",
    { schema: { hide: true, body: csrfBody.extend({ profile: z.string().max(512 * 1024) }) } },
    async (request, reply) => {
      const text = request.body.profile;
      let data: unknown;
      let error: string | null = null;
      try {
        data = JSON.parse(text);
      } catch (e) {
        error = `profile: not JSON (${(e as Error).message})`;
      }
      if (error === null)
        try {
          await draftProfile(ctx, request.principal, data);
          return reply.code(303).redirect("/annex");
        } catch (e) {
          if (!(e instanceof ApiError) || e.status >= 500) throw e;
          error = e.message;
        }
      // The draft is shown again with every issue and its path: nothing typed is lost.
      const view = await annexOverview(ctx);
      return reply
        .code(400)
        .type(html)
        .send(
          annexPage(pageContext(request, reply), {
            profiles: view.profiles,
            consultations: view.consultations,
            canDraft: true,
            canImpact: true,
            error: { message: error ?? "", profileText: text },
          }),
        );
    },
  );

  app.post(
    "/annex/consultations",
    {
      schema: {
        hide: true,
        body: csrfBody.extend({
          version: z.string().max(40),
          title: z.string().max(500),
          profile: z.string().max(64),
        }),
      },
    },
    async (request, reply) => {
      const { version, title, profile } = request.body;
      const c = await openConsultation(ctx, request.principal, { version, title, profile });
      return reply.code(303).redirect(`/annex/consultations/${c.id}`);
    },
  );

  app.get(
    "/annex/consultations/:id",
    { schema: { hide: true, params: idParams, querystring: langQuery } },
    async (request, reply) => {
      const r = role(request.principal);
      const view = await consultationView(ctx, request.principal, request.params.id);
      return reply.type(html).send(
        consultationPage(pageContext(request, reply), view, {
          canDecide: r === "agency",
          canImpact: r === "agency" || r === "auditor",
          today: ctx.now().toISOString().slice(0, 10),
        }),
      );
    },
  );

  app.post(
    "/organisations/:id/consultations/:consultation/answer",
    {
      schema: {
        hide: true,
        params: z.object({ id, consultation: id }),
        body: csrfBody.extend({
          answer: z.enum(["consent", "objection"]),
          comment: z.string().max(4000).default(""),
        }),
      },
    },
    async (request, reply) => {
      const { id: organisationId, consultation } = request.params;
      await answerConsultation(ctx, request.principal, organisationId, consultation, {
        answer: request.body.answer,
        comment: request.body.comment,
      });
      return reply.code(303).redirect(`/annex/consultations/${consultation}`);
    },
  );

  app.post(
    "/annex/consultations/:id/adopt",
    { schema: { hide: true, params: idParams, body: csrfBody.extend({ published: z.string().max(10) }) } },
    async (request, reply) => {
      await adoptConsultation(ctx, request.params.id, request.body.published);
      return reply.code(303).redirect("/charter-versions");
    },
  );

  app.post(
    "/annex/consultations/:id/close",
    { schema: { hide: true, params: idParams, body: csrfBody } },
    async (request, reply) => {
      await closeConsultation(ctx, request.params.id);
      return reply.code(303).redirect(`/annex/consultations/${request.params.id}`);
    },
  );

  app.get(
    "/annex/impact",
    { schema: { hide: true, querystring: langQuery.extend({ profile: z.string().min(1).max(64) }) } },
    async (request, reply) =>
      reply
        .type(html)
        .send(
          annexImpactPage(pageContext(request, reply), await annexImpactView(ctx, request.query.profile)),
        ),
  );
};
