/**
 * One audit run: while it is queued or running the page follows it live (server-sent events, with
 * /static/audit-progress.js) or, without script, reloads itself every few seconds (a meta refresh);
 * once done it shows the report like the HTML report.
 */

import { auditSection } from "../../audit/report/audit-html.js";
import type { AuditRun } from "../../monitor/history-store.js";
import { t } from "../i18n.js";
import { runStatusKey } from "./domain.js";
import { html, SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { when } from "./status-words.js";

export const refreshSeconds = 3;

export function auditRunPage(ctx: PageContext, domainId: number, run: AuditRun): string {
  const { lang } = ctx;
  const active = run.status === "queued" || run.status === "running";
  const report = run.report ? new SafeHtml(auditSection(run.report, lang)) : null;
  return layout(
    ctx,
    `${t(lang, "run")} #${run.id} — ${run.domain}`,
    html`<p class="crumbs"><a href="/domains/${domainId}">${run.domain}</a> › ${t(lang, "run")} #${run.id}</p>
<h1>${t(lang, "run")} #${run.id} : ${run.domain}</h1>
<p class="run-state ${run.status}" role="status"${active ? html` data-events="/audits/${run.id}/events?lang=${lang}" data-reload-seconds="${refreshSeconds}"` : null}><strong class="run-label">${t(lang, runStatusKey[run.status])}</strong> · ${t(lang, "queuedAt")} ${when(run.queuedAt)}${run.finishedAt ? html` · ${t(lang, "finishedAt")} ${when(run.finishedAt)}` : null}</p>
${active ? html`<p class="notice run-hint" data-live-text="${t(lang, "runLive")}">${t(lang, "runRefreshing")}</p>` : null}
${run.error ? html`<p class="notice error">${run.error}</p>` : null}
${report ? html`<section class="report">${report}</section>` : null}
<p><a href="/domains/${domainId}">${t(lang, "backToDomain")}</a></p>`,
    {
      stylesheets: ["/report.css"],
      ...(active ? { refreshSeconds, scripts: ["/static/audit-progress.js"] } : {}),
    },
  );
}
