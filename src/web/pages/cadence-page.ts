/**
 * The agency's cadence overview: every domain, its organisation, how often it is audited, when next
 * (for a domain never audited: when its first audit starts) and its last finished audit. Pure.
 */
import type { CadenceRow } from "../app/cadence-views.js";
import { t } from "../i18n.js";
import { dueText, type SchedulerInfo } from "./due-words.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { agencyNav } from "./registry-list.js";
import { verdictBadge, when } from "./status-words.js";

export function cadencePage(
  ctx: PageContext,
  view: { readonly rows: readonly CadenceRow[]; readonly scheduler: SchedulerInfo | null },
): string {
  const { lang } = ctx;
  const rows = view.rows.map(
    (r) => html`<tr>
<th scope="row"><a href="/domains/${r.id}">${r.domain}</a></th>
<td>${r.organisation}</td>
<td>${t(lang, "everyHours").replace("{1}", String(Math.round(r.cadenceSeconds / 3600)))}</td>
<td>${dueText(lang, r.nextDueAt, view.scheduler)}</td>
<td>${r.latest ? html`${verdictBadge(r.latest.verdict, lang)} <time datetime="${r.latest.finishedAt}">${when(r.latest.finishedAt)}</time>` : html`<span class="muted">${t(lang, "notAudited")}</span>`}</td>
</tr>`,
  );
  return layout(
    ctx,
    t(lang, "cadenceTitle"),
    html`${agencyNav(ctx)}
<h1>${t(lang, "cadenceTitle")}</h1>
<p class="muted">${t(lang, "cadenceIntro")}</p>
${
  view.rows.length === 0
    ? html`<p>${t(lang, "noDomainsAtAll")}</p>`
    : html`<table class="cadence">
<thead><tr><th scope="col">${t(lang, "domain")}</th><th scope="col">${t(lang, "organisation")}</th><th scope="col">${t(lang, "cadence")}</th><th scope="col">${t(lang, "nextDue")}</th><th scope="col">${t(lang, "lastAudit")}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}`,
  );
}
