/** What changed between two audits of a domain: the verdicts, the measures, the endpoints. Pure. */
import type { AuditDiff, EndpointKey } from "../../monitor/diff.js";
import { t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { statusBadge, verdictBadge, when } from "./status-words.js";

export interface DiffPageView {
  readonly domainId: number;
  readonly from: number;
  readonly to: number;
  readonly diff: AuditDiff;
}

const endpointLabel = (e: EndpointKey) => `${e.service} ${e.host} [${e.address ?? "?"}]:${e.port}`;

function measures(ctx: PageContext, diff: AuditDiff): SafeHtml {
  const { lang } = ctx;
  if (diff.measures.length === 0) return html`<p>${t(lang, "noMeasureChanges")}</p>`;
  return html`<table class="diff">
<thead><tr><th scope="col">${t(lang, "measure")}</th><th scope="col">${t(lang, "before")}</th><th scope="col">${t(lang, "after")}</th></tr></thead>
<tbody>
${diff.measures.map(
  (
    m,
  ) => html`<tr><th scope="row"><code>${m.id}</code>${m.charter ? null : html` <small class="muted">*</small>`}</th>
<td>${m.from ? statusBadge(m.from, lang) : t(lang, "absent")}</td>
<td>${m.to ? statusBadge(m.to, lang) : t(lang, "absent")}</td></tr>`,
)}
</tbody></table>`;
}

function endpoints(ctx: PageContext, diff: AuditDiff): SafeHtml {
  const { lang } = ctx;
  const { added, removed, changed } = diff.endpoints;
  if (added.length + removed.length + changed.length === 0)
    return html`<p>${t(lang, "noEndpointChanges")}</p>`;
  const rows = [
    ...added.map(
      (e) =>
        html`<tr><th scope="row"><code>${endpointLabel(e)}</code></th><td>${t(lang, "added")}</td><td></td><td></td><td></td></tr>`,
    ),
    ...removed.map(
      (e) =>
        html`<tr><th scope="row"><code>${endpointLabel(e)}</code></th><td>${t(lang, "removed")}</td><td></td><td></td><td></td></tr>`,
    ),
    ...changed.flatMap((e) =>
      e.changes.map(
        (c, i) =>
          html`<tr>${i === 0 ? html`<th scope="rowgroup" rowspan="${e.changes.length}"><code>${endpointLabel(e)}</code></th><td rowspan="${e.changes.length}">${t(lang, "changed")}</td>` : null}<td><code>${c.field}</code></td><td><code>${c.from ?? "—"}</code></td><td><code>${c.to ?? "—"}</code></td></tr>`,
      ),
    ),
  ];
  return html`<table class="diff">
<thead><tr><th scope="col">${t(lang, "endpointChanges")}</th><th scope="col">${t(lang, "status")}</th><th scope="col">${t(lang, "changed")}</th><th scope="col">${t(lang, "before")}</th><th scope="col">${t(lang, "after")}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

export function diffPage(ctx: PageContext, view: DiffPageView): string {
  const { lang } = ctx;
  const { diff } = view;
  return layout(
    ctx,
    `${t(lang, "diffTitle")} — ${diff.domain}`,
    html`<p class="crumbs"><a href="/domains/${view.domainId}">${diff.domain}</a> › ${t(lang, "diffTitle")}</p>
<h1>${t(lang, "diffTitle")} : ${diff.domain}</h1>
<table class="diff-head">
<thead><tr><th></th><th scope="col">${t(lang, "run")}</th><th scope="col">${t(lang, "finishedAt")}</th><th scope="col">${t(lang, "verdict")}</th></tr></thead>
<tbody>
<tr><th scope="row">${t(lang, "before")}</th><td><a href="/audits/${view.from}">#${view.from}</a></td><td>${when(diff.from.finishedAt)}</td><td>${verdictBadge(diff.from.verdict, lang)}</td></tr>
<tr><th scope="row">${t(lang, "after")}</th><td><a href="/audits/${view.to}">#${view.to}</a></td><td>${when(diff.to.finishedAt)}</td><td>${verdictBadge(diff.to.verdict, lang)}</td></tr>
</tbody></table>
${diff.same ? html`<p class="notice">${t(lang, "diffSame")}</p>` : null}
<h2>${t(lang, "measureChanges")}</h2>
${measures(ctx, diff)}
<h2>${t(lang, "endpointChanges")}</h2>
${endpoints(ctx, diff)}`,
  );
}
