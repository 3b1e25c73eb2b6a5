/** What every page needs from the request: the language (query, cookie, Accept-Language), the viewer and a CSRF token. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { isLang, type Lang, negotiateLang } from "./i18n.js";
import type { PageContext } from "./pages/layout.js";

const langCookie = "lang";

export function requestLang(request: FastifyRequest, reply: FastifyReply): Lang {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(query)) {
    // The switch link's choice is kept for the next pages (a preference, not a credential).
    reply.setCookie(langCookie, query, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "lax",
      maxAge: 365 * 86_400,
    });
    return query;
  }
  const cookie = request.cookies?.[langCookie];
  if (isLang(cookie)) return cookie;
  return negotiateLang(request.headers["accept-language"]);
}

export function pageContext(request: FastifyRequest, reply: FastifyReply, lang?: Lang): PageContext {
  const principal = request.principal;
  const viewer = principal?.kind === "account" ? { email: principal.email, role: principal.role } : null;
  return {
    lang: lang ?? requestLang(request, reply),
    path: request.url,
    viewer,
    csrfToken: viewer && request.session ? reply.generateCsrf() : null,
  };
}
