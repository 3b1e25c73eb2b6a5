/** The impact of a proposed annex as a service page (agency, auditors), printable: the summary of `mailcharter annex impact`. Pure. */

import type { ImpactReport } from "../../annex/impact.js";
import { impactBody } from "../../annex/impact-html.js";
import { t } from "../i18n.js";
import { html, SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export function annexImpactPage(ctx: PageContext, report: ImpactReport): string {
  const { lang } = ctx;
  return layout(
    ctx,
    t(lang, "impactTitle"),
    html`<h1>${t(lang, "impactTitle")}</h1>
<p class="muted noprint">${t(lang, "printHint")}</p>
${new SafeHtml(impactBody(report, lang))}`,
    { stylesheets: ["/static/annex.css"] },
  );
}
