/**
 * A domain's page: the latest finished audit rendered exactly like the HTML report (its section and
 * its stylesheet), the history of audits with a form choosing two of them to compare, and the actions
 * the viewer's role allows (audit now; the agency's cadence). Pure: data in, HTML out.
 */
import type { AuditReport } from "../../audit/audit.js";
import { auditSection } from "../../audit/report/audit-html.js";
import type { AuditRunSummary } from "../../monitor/history-store.js";
import type { IncidentView } from "../app/incident-views.js";
import { type MessageKey, t } from "../i18n.js";
import { dueText, type SchedulerInfo } from "./due-words.js";
import { html, SafeHtml } from "./html.js";
import { incidentTable } from "./incidents.js";
import { layout, type PageContext } from "./layout.js";
import { verdictBadge, when } from "./status-words.js";

export interface DomainPageView {
  readonly id: number;
  readonly domain: string;
  readonly organisation: { readonly id: number; readonly name: string };
  readonly runs: readonly AuditRunSummary[];
  readonly latest: { readonly id: number; readonly report: AuditReport } | null;
  readonly schedule: { readonly cadenceSeconds: number; readonly nextDueAt: string | null } | null;
  /** The viewer may start an audit of this domain (agency, or an operator of its organisation). */
  readonly canAudit: boolean;
  /** The in-process scheduler, if any (when a never-audited domain's first audit starts). */
  readonly scheduler?: SchedulerInfo | null;
  /** The viewer may change the cadence (agency). */
  readonly canSetCadence: boolean;
  /** The domain's incidents the viewer sees (absent: the server keeps none). */
  readonly incidents?: readonly IncidentView[];
}

export const runStatusKey: Record<AuditRunSummary["status"], MessageKey> = {
  queued: "runQueued",
  running: "runRunning",
  done: "runDone",
  failed: "runFailed",
};

/** The audit-now form (a POST with the session's CSRF token). */
export function auditNowForm(ctx: PageContext, domainId: number, compact = false): SafeHtml {
  return html`<form method="post" action="/domains/${domainId}/audit" class="inline">
<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">
<button type="submit"${compact ? html` class="small"` : null}>${t(ctx.lang, "auditNow")}</button>
</form>`;
}

function historyTable(ctx: PageContext, view: DomainPageView): SafeHtml {
  const { lang } = ctx;
  if (view.runs.length === 0) return html`<p>${t(lang, "noAudits")}</p>`;
  const done = view.runs.filter((r) => r.status === "done");
  const defaultTo = done[0]?.id;
  const defaultFrom = done[1]?.id;
  const rows = view.runs.map((r) => {
    const pick = (name: "from" | "to", checked: boolean) =>
      r.status === "done"
        ? html`<input type="radio" name="${name}" value="${r.id}" id="${name}-${r.id}"${checked ? html` checked` : null}><label for="${name}-${r.id}" class="visually-hidden">${t(lang, name === "from" ? "compareFrom" : "compareTo")} #${r.id}</label>`
        : null;
    return html`<tr>
<td>${pick("from", r.id === defaultFrom)}</td><td>${pick("to", r.id === defaultTo)}</td>
<td><a href="/audits/${r.id}">#${r.id}</a></td>
<td>${t(lang, runStatusKey[r.status])}${r.error ? html`<br><small class="muted">${r.error}</small>` : null}</td>
<td>${r.verdict ? verdictBadge(r.verdict, lang) : "—"}</td>
<td>${r.trigger}</td>
<td><time datetime="${r.queuedAt}">${when(r.queuedAt)}</time></td>
<td>${r.finishedAt ? html`<time datetime="${r.finishedAt}">${when(r.finishedAt)}</time>` : "—"}</td>
</tr>`;
  });
  return html`<form method="get" action="/domains/${view.id}/diff" class="history">
<p class="muted">${t(lang, "compareHint")}</p>
<table class="runs">
<thead><tr><th scope="col">${t(lang, "compareFrom")}</th><th scope="col">${t(lang, "compareTo")}</th><th scope="col">${t(lang, "run")}</th><th scope="col">${t(lang, "status")}</th><th scope="col">${t(lang, "verdict")}</th><th scope="col">${t(lang, "trigger")}</th><th scope="col">${t(lang, "queuedAt")}</th><th scope="col">${t(lang, "finishedAt")}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${done.length >= 2 ? html`<p><button type="submit">${t(lang, "compare")}</button></p>` : null}
</form>`;
}

function actions(ctx: PageContext, view: DomainPageView): SafeHtml | null {
  const { lang } = ctx;
  const parts: SafeHtml[] = [];
  if (view.canAudit)
    parts.push(
      html`<div class="action">${auditNowForm(ctx, view.id)}<p class="muted">${t(lang, "auditNowHint")}</p></div>`,
    );
  if (view.schedule) {
    const hours = Math.round(view.schedule.cadenceSeconds / 3600);
    parts.push(
      view.canSetCadence
        ? html`<div class="action"><form method="post" action="/domains/${view.id}/cadence" class="cadence">
<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">
<label for="hours">${t(lang, "cadenceHours")}</label>
<input id="hours" name="hours" type="number" min="1" max="744" step="1" required value="${hours}">
<button type="submit">${t(lang, "save")}</button>
</form><p class="muted">${t(lang, "nextDue")}: ${dueText(lang, view.schedule.nextDueAt, view.scheduler)}</p></div>`
        : html`<div class="action"><p>${t(lang, "cadence")}: ${hours} h · ${t(lang, "nextDue")}: ${dueText(lang, view.schedule.nextDueAt, view.scheduler)}</p></div>`,
    );
  }
  return parts.length > 0 ? html`<div class="actions">${parts}</div>` : null;
}

export function domainPage(ctx: PageContext, view: DomainPageView): string {
  const { lang } = ctx;
  // The report's section is built by the report renderer, which escapes every value itself.
  const report = view.latest
    ? new SafeHtml(auditSection(view.latest.report, lang))
    : html`<p class="notice">${t(lang, "noFinishedAudit")}</p>`;
  return layout(
    ctx,
    `${view.domain}`,
    html`<p class="crumbs"><a href="/organisations/${view.organisation.id}">${view.organisation.name}</a> › ${view.domain}</p>
<h1>${t(lang, "domainTitle")} ${view.domain}</h1>
${actions(ctx, view)}
<section aria-labelledby="latest" class="report">
<h2 id="latest">${t(lang, "latestAudit")}${view.latest ? html` <a class="small" href="/audits/${view.latest.id}">#${view.latest.id}</a>` : null}</h2>
${report}
</section>
${
  view.incidents
    ? html`<section aria-labelledby="incidents">
<h2 id="incidents">${t(lang, "incidentsOfDomain")}</h2>
${incidentTable(ctx, view.incidents)}
</section>`
    : null
}
<section aria-labelledby="history">
<h2 id="history">${t(lang, "history")}</h2>
${historyTable(ctx, view)}
</section>`,
    { stylesheets: ["/report.css"] },
  );
}
