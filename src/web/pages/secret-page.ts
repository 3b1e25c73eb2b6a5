/**
 * A secret shown once (a generated password, a new API token): the page says it will not be shown
 * again, and its response is never cached (the route sends `Cache-Control: no-store`). Pure.
 */
import { type MessageKey, t } from "../i18n.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { agencyNav } from "./registry-list.js";

export interface SecretView {
  readonly title: MessageKey;
  /** Whose secret it is ("keeper@agency.example", "token ci-reader"). */
  readonly subject: string;
  readonly label: MessageKey;
  readonly secret: string;
  readonly back: { readonly href: string; readonly label: MessageKey };
  readonly agencyNav: boolean;
}

export function secretPage(ctx: PageContext, view: SecretView): string {
  const { lang } = ctx;
  return layout(
    ctx,
    t(lang, view.title),
    html`${view.agencyNav ? agencyNav(ctx) : null}
<h1>${t(lang, view.title)}</h1>
<p>${view.subject}</p>
<p class="notice" role="status">${t(lang, "shownOnce")}</p>
<p><label for="secret">${t(lang, view.label)}</label></p>
<p><output id="secret" class="secret">${view.secret}</output></p>
<p><a href="${view.back.href}">${t(lang, view.back.label)}</a></p>`,
  );
}
