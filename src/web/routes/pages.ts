/**
 * The pages of this first version: home (per role), login and logout. Rendering is in src/web/pages
 * (pure functions of data); these handlers gather the data through the same application functions as
 * the API.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiError } from "../api-error.js";
import { organisationName, publicSignatories, visibleDomains } from "../app/registry-views.js";
import type { ServiceContext } from "../context.js";
import { pageContext, requestLang } from "../page-context.js";
import type { HomeView } from "../pages/home.js";
import { homePage } from "../pages/home.js";
import type { LoginView } from "../pages/login.js";
import { loginPage } from "../pages/login.js";

export interface PagesOptions {
  readonly ctx: ServiceContext;
  /** Per-account login limit (counted on the address typed, whether it exists or not). */
  readonly accountLimiter: (request: import("fastify").FastifyRequest) => Promise<{ isExceeded: boolean }>;
  /** Per-address login limit (the rate-limit plugin's route configuration). */
  readonly loginRateLimit: { max: number; timeWindow: number };
}

const html = "text/html; charset=utf-8";

const loginBody = z.object({
  email: z.string().max(254),
  password: z.string().max(1024),
  _csrf: z.string().max(512).optional(),
  lang: z.enum(["fr", "en"]).optional(),
});

const loginQuery = z.object({
  ended: z.enum(["idle", "absolute", "logout"]).optional(),
  lang: z.enum(["fr", "en"]).optional(),
});

export const pageRoutes: FastifyPluginAsyncZod<PagesOptions> = async (
  app,
  { ctx, accountLimiter, loginRateLimit },
) => {
  app.get(
    "/",
    { schema: { hide: true, querystring: z.object({ lang: z.enum(["fr", "en"]).optional() }) } },
    async (request, reply) => {
      const page = pageContext(request, reply);
      const signatories = (await publicSignatories(ctx)).signatories;
      let reach: HomeView["reach"] = null;
      const p = request.principal;
      if (p.kind === "account") {
        const name = await organisationName(ctx, p.organisationId);
        const domains = name ? (await visibleDomains(ctx, p)).map((d) => d.domain) : [];
        reach = {
          organisation: name ? { name, domains } : null,
          links: [
            { href: "/api/v1/organisations", label: "organisations" },
            { href: "/api/v1/domains", label: "domains" },
            ...(p.role === "agency" ? [{ href: "/api/v1/accounts", label: "accounts" as const }] : []),
            { href: "/api/v1/openapi.json", label: "api" },
          ],
        };
      }
      const login = p.kind === "account" ? null : { csrfToken: reply.generateCsrf() };
      return reply.type(html).send(homePage(page, { signatories, reach, login }));
    },
  );

  const renderLogin = (
    request: import("fastify").FastifyRequest,
    reply: import("fastify").FastifyReply,
    view: Omit<LoginView, "csrfToken">,
    lang = requestLang(request, reply),
  ) => {
    const page = pageContext(request, reply, lang);
    return reply.type(html).send(loginPage(page, { ...view, csrfToken: reply.generateCsrf() }));
  };

  app.get("/login", { schema: { hide: true, querystring: loginQuery } }, async (request, reply) => {
    if (request.principal.kind === "account") return reply.code(303).redirect("/");
    const notice = request.query.ended ?? request.sessionEnded ?? null;
    return renderLogin(request, reply, { email: "", notice });
  });

  app.post(
    "/login",
    { schema: { hide: true, body: loginBody }, config: { rateLimit: loginRateLimit } },
    async (request, reply) => {
      const lang = request.body.lang ?? requestLang(request, reply);
      const email = request.body.email.trim();
      if ((await accountLimiter(request)).isExceeded) {
        reply.code(429);
        return renderLogin(request, reply, { email, notice: "throttled" }, lang);
      }
      const result = await ctx.accounts.login(email, request.body.password);
      if (!result.ok) {
        reply.code(401);
        return renderLogin(request, reply, { email, notice: "failed" }, lang);
      }
      // OWASP session management: a new session id at every change of privilege (no session fixation).
      await request.session.regenerate();
      const now = ctx.now().getTime();
      request.session.accountId = result.account.id;
      request.session.authenticatedAt = now;
      request.session.lastSeenAt = now;
      request.log.info({ account: result.account.id }, "login");
      return reply.code(303).redirect("/");
    },
  );

  app.post("/logout", { schema: { hide: true } }, async (request, reply) => {
    if (request.principal.kind !== "account" || request.principal.via !== "session")
      throw new ApiError(
        400,
        "invalid_request",
        "logout ends a session; revoke a token with DELETE /api/v1/tokens/:id",
      );
    await request.session.regenerate();
    return reply.code(303).redirect("/login?ended=logout");
  });
};
