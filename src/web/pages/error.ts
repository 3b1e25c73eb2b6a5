/** The error page: a status, a short sentence, a way back. */
import { type MessageKey, t } from "../i18n.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export function errorPage(ctx: PageContext, status: number, detail: string | null): string {
  const key: MessageKey =
    status === 404 ? "notFound" : status === 403 ? "forbidden" : status >= 500 ? "serverError" : "badRequest";
  return layout(
    ctx,
    t(ctx.lang, "errorTitle"),
    html`<h1>${t(ctx.lang, "errorTitle")} ${status}</h1>
<p>${t(ctx.lang, key)}</p>
${detail ? html`<p class="detail">${detail}</p>` : null}
<p><a href="/">${t(ctx.lang, "back")}</a></p>`,
  );
}
