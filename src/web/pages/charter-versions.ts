/** The charter versions (Charte art. 7, 8): each with its publication date, its title and the profile of its annex. Pure. */
import type { CharterVersion } from "../../annex/annex-store.js";
import { t } from "../i18n.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export function charterVersionsPage(ctx: PageContext, versions: readonly CharterVersion[]): string {
  const { lang } = ctx;
  return layout(
    ctx,
    t(lang, "versionsTitle"),
    html`<h1>${t(lang, "versionsTitle")}</h1>
<p class="muted">${t(lang, "versionsIntro")}</p>
<table class="versions">
<thead><tr><th scope="col">${t(lang, "version")}</th><th scope="col">${t(lang, "published")}</th><th scope="col">${t(lang, "title")}</th><th scope="col">${t(lang, "profile")}</th></tr></thead>
<tbody>${versions.map(
      (v) =>
        html`<tr><th scope="row">${v.version}</th><td>${v.published}</td><td>${v.title}</td><td><code>${v.profile}</code></td></tr>`,
    )}</tbody>
</table>`,
  );
}
