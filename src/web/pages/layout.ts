/**
 * The frame of every page: language, title, header with the language switch and the account, and the
 * stylesheet. No inline script or style, so the Content-Security-Policy needs no 'unsafe-inline'.
 */
import { type Lang, type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";

export interface PageViewer {
  readonly email: string;
  readonly role: "agency" | "operator" | "auditor";
}

export interface PageContext {
  readonly lang: Lang;
  /** The path of the page, for the language switch link. */
  readonly path: string;
  readonly viewer: PageViewer | null;
  /** CSRF token for the logout form (present when a viewer is logged in). */
  readonly csrfToken: string | null;
}

export const roleKey = (role: PageViewer["role"]): MessageKey =>
  role === "agency" ? "roleAgency" : role === "operator" ? "roleOperator" : "roleAuditor";

function switchLink(ctx: PageContext): SafeHtml {
  const other: Lang = ctx.lang === "fr" ? "en" : "fr";
  const [path = "/", query = ""] = ctx.path.split("?", 2);
  const params = new URLSearchParams(query);
  params.set("lang", other);
  return html`<a href="${`${path}?${params.toString()}`}" hreflang="${other}" lang="${other}">${t(ctx.lang, "switchTo")}</a>`;
}

function account(ctx: PageContext): SafeHtml {
  if (!ctx.viewer) return html`<a href="/login">${t(ctx.lang, "login")}</a>`;
  return html`<span>${t(ctx.lang, "signedInAs")} <strong>${ctx.viewer.email}</strong> (${t(ctx.lang, roleKey(ctx.viewer.role))})</span>
      <form method="post" action="/logout" class="inline">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">
        <button type="submit">${t(ctx.lang, "logout")}</button>
      </form>`;
}

export function layout(ctx: PageContext, title: string, main: SafeHtml): string {
  return `<!doctype html>\n${html`<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${t(ctx.lang, "appName")}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">${t(ctx.lang, "appName")}</a>
  <span class="tagline">${t(ctx.lang, "tagline")}</span>
  <nav aria-label="${t(ctx.lang, "language")}">${switchLink(ctx)}</nav>
  <div class="account">${account(ctx)}</div>
</header>
<main id="main">
${main}
</main>
</body>
</html>
`}`;
}
