/**
 * The agency's view of the whole charter at a glance: signatories in force (and their domains) ×
 * the charter's measures, each cell coloured and signed by status like the reports' grid, each cell a
 * link to the domain's report at that measure. Pure.
 */
import type { MeasureStatus } from "../../audit/findings/status.js";
import { statusSign, statusWord } from "../../audit/report/report-words.js";
import type { MatrixView } from "../app/dashboard-views.js";
import { t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { statusOrder, verdictBadge } from "./status-words.js";

/** The report's anchor of a measure in a domain's section (audit-html.ts `anchor`). */
const measureAnchor = (domain: string, id: string) => `m-${domain}-${id}`.replace(/[^A-Za-z0-9_.-]/g, "_");

function cell(
  ctx: PageContext,
  status: MeasureStatus | undefined,
  label: string,
  href: string | null,
): SafeHtml {
  if (!status)
    return html`<td class="none"><span class="visually-hidden">${t(ctx.lang, "noStatus")}</span></td>`;
  const title = `${label}: ${statusWord[status][ctx.lang]}`;
  return href
    ? html`<td class="bg ${status}"><a href="${href}" title="${title}" aria-label="${title}">${statusSign[status]}</a></td>`
    : html`<td class="bg ${status}" title="${title}">${statusSign[status]}</td>`;
}

export function matrixPage(ctx: PageContext, view: MatrixView): string {
  const { lang } = ctx;
  const head = html`<tr><th scope="col">${t(lang, "organisation")} / ${t(lang, "domain")}</th><th scope="col">${t(lang, "verdict")}</th>${view.measures.map(
    (m) => html`<th class="col" scope="col"><span>${m}</span></th>`,
  )}</tr>`;
  const body = view.rows.flatMap((row) => {
    const orgId = view.organisationIds.get(row.organisation);
    const orgLine = html`<tr class="org"><th scope="row">${orgId === undefined ? row.organisation : html`<a href="/organisations/${orgId}">${row.organisation}</a>`}</th><td></td>${view.measures.map(
      (m) => cell(ctx, row.measures[m], `${row.organisation} ${m}`, null),
    )}</tr>`;
    const domainLines = row.domains.map((d) => {
      const id = view.domainIds.get(d.domain);
      const href = (m: string) => (id === undefined ? null : `/domains/${id}#${measureAnchor(d.domain, m)}`);
      return html`<tr class="domain"><th scope="row">${id === undefined ? d.domain : html`<a href="/domains/${id}">${d.domain}</a>`}</th><td>${d.verdict ? verdictBadge(d.verdict, lang) : html`<span class="muted">${t(lang, "notAudited")}</span>`}</td>${view.measures.map(
        (m) => cell(ctx, d.measures[m], `${d.domain} ${m}`, href(m)),
      )}</tr>`;
    });
    return [orgLine, ...domainLines];
  });
  const legend = statusOrder.map(
    (s) => html`<span class="bg ${s} ${s}">${statusSign[s]} ${statusWord[s][lang]}</span>`,
  );
  return layout(
    ctx,
    t(lang, "matrixTitle"),
    html`<h1>${t(lang, "matrixTitle")}</h1>
<p class="muted">${t(lang, "matrixIntro")} (${view.at})</p>
${
  view.rows.length === 0
    ? html`<p>${t(lang, "matrixEmpty")}</p>`
    : html`<div class="scroll"><table class="grid matrix">
<thead>${head}</thead>
<tbody>
${body}
</tbody></table></div>
<p class="legend"><b>${t(lang, "legend")}</b>${legend}</p>`
}`,
    { stylesheets: ["/report.css"] },
  );
}
