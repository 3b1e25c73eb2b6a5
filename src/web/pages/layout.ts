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
      <a href="/account/tokens">${t(ctx.lang, "navTokens")}</a> <a href="/account/password">${t(ctx.lang, "navPassword")}</a>
      <form method="post" action="/logout" class="inline">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">
        <button type="submit">${t(ctx.lang, "logout")}</button>
      </form>`;
}

/** What some pages add to the frame: the report's stylesheet, a reload while an audit runs. */
export interface LayoutOptions {
  readonly stylesheets?: readonly string[];
  /**
   * Seconds before the browser reloads the page (a run in progress). Inside <noscript>: with script
   * the page's own script follows the run live instead (and reloads itself if it cannot).
   */
  readonly refreshSeconds?: number;
  /** External scripts of the page (same origin, deferred; never inline). */
  readonly scripts?: readonly string[];
}

function mainNav(ctx: PageContext): SafeHtml {
  const { lang, viewer } = ctx;
  const links: { href: string; label: MessageKey }[] = [{ href: "/", label: "signatories" }];
  if (viewer?.role === "operator") links.push({ href: "/dashboard", label: "navDashboard" });
  if (viewer && viewer.role !== "operator") links.push({ href: "/matrix", label: "navMatrix" });
  if (viewer) links.push({ href: "/indicators", label: "navIndicators" });
  if (viewer?.role === "agency") links.push({ href: "/agency/organisations", label: "navRegistry" });
  if (viewer) links.push({ href: "/incidents", label: "navIncidents" });
  if (viewer) links.push({ href: "/annex", label: "navAnnex" });
  links.push({ href: "/charter-versions", label: "navVersions" });
  const current = ctx.path.split("?", 1)[0];
  return html`<nav class="main" aria-label="${t(lang, "mainNav")}"><ul>${links.map(
    (l) =>
      html`<li><a href="${l.href}"${current === l.href ? html` aria-current="page"` : null}>${t(lang, l.label)}</a></li>`,
  )}</ul></nav>`;
}

export function layout(ctx: PageContext, title: string, main: SafeHtml, options: LayoutOptions = {}): string {
  return `<!doctype html>\n${html`<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${t(ctx.lang, "appName")}</title>
${(options.stylesheets ?? []).map((href) => html`<link rel="stylesheet" href="${href}">\n`)}<link rel="stylesheet" href="/static/style.css">
${options.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${options.refreshSeconds}"></noscript>` : null}
${(options.scripts ?? []).map(
  (src) => html`<script src="${src}" defer></script>
`,
)}
</head>
<body>
<header class="top">
  <a class="brand" href="/">${t(ctx.lang, "appName")}</a>
  <span class="tagline">${t(ctx.lang, "tagline")}</span>
  <nav aria-label="${t(ctx.lang, "language")}">${switchLink(ctx)}</nav>
  <div class="account">${account(ctx)}</div>
</header>
${mainNav(ctx)}
<main id="main">
${main}
</main>
</body>
</html>
`}`;
}
