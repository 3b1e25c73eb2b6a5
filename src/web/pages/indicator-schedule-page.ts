/**
 * The agency's view of the indicator schedule: what `indicators schedule` prints (src/jobs
 * schedule-view.ts, one function for both), a row per task — mailbox fetches and TLS-RPT days — with
 * its state, next run, failures in a row, last error and the operator's last retry. Pure: data in,
 * HTML out. A given-up task has its retry button (one form per task, and one for all of them), as
 * `--retry KEY` and `--retry-failed` do on the command line.
 */
import type { ScheduleDocument, ScheduleTask } from "../../jobs/schedule-document.js";
import { type Lang, type MessageKey, t } from "../i18n.js";
import { csrfField } from "./form-fields.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { agencyNav } from "./registry-list.js";

/** What the last retry request did, shown once after its redirect. */
export interface RetryNotice {
  readonly retried: number;
  readonly refused: number;
}

/** The state's words and its badge, in the reports' colours (given up: fail; failing: warn). */
function state(task: ScheduleTask): { readonly key: MessageKey; readonly badge: string } {
  if (task.status === "done") return { key: "scheduleDone", badge: "pass" };
  if (task.status === "failed") return { key: "scheduleFailed", badge: "fail" };
  return task.attempts > 0
    ? { key: "scheduleFailing", badge: "warn" }
    : { key: "scheduleDue", badge: "not_applicable" };
}

function what(lang: Lang, task: ScheduleTask): string {
  return task.kind === "fetch-mailbox"
    ? t(lang, "scheduleMailbox").replace("{1}", task.mailbox ?? task.key)
    : t(lang, "scheduleGenerate")
        .replace("{1}", task.organisation ?? "?")
        .replace("{2}", task.day ?? "?");
}

function retryButton(ctx: PageContext, task: ScheduleTask) {
  if (task.status !== "failed") return null;
  const label = `${t(ctx.lang, "scheduleRetry")} ${task.key}`;
  return html`<form method="post" action="/agency/indicator-schedule/retry" class="inline">${csrfField(ctx.csrfToken)}<input type="hidden" name="key" value="${task.key}"><button type="submit" class="small" aria-label="${label}">${t(ctx.lang, "scheduleRetry")}</button></form>`;
}

function notice(ctx: PageContext, retry: RetryNotice | null) {
  if (!retry) return null;
  const text = t(ctx.lang, "scheduleRetryDone")
    .replace("{1}", String(retry.retried))
    .replace("{2}", String(retry.refused));
  return html`<p class="notice ${retry.refused > 0 ? "" : "ok"}" role="status">${text}</p>`;
}

export function indicatorSchedulePage(
  ctx: PageContext,
  doc: ScheduleDocument | null,
  retry: RetryNotice | null = null,
): string {
  const { lang } = ctx;
  const failed = (doc?.tasks ?? []).filter((task) => task.status === "failed").length;
  const rows = (doc?.tasks ?? []).map((task) => {
    const shown = state(task);
    const retry = task.lastRetry;
    return html`<tr>
<th scope="row">${what(lang, task)}</th>
<td><code>${task.key}</code></td>
<td><span class="badge ${shown.badge}">${t(lang, shown.key)}</span></td>
<td>${task.status === "done" ? "—" : task.nextDueAt}</td>
<td>${String(task.attempts)}</td>
<td>${task.lastError ?? "—"}</td>
<td>${task.updatedAt}</td>
<td>${
      retry
        ? t(lang, "scheduleRetriedBy")
            .replace("{1}", retry.at)
            .replace("{2}", retry.by)
            .replace("{3}", String(retry.attempts))
        : "—"
    }</td>
<td>${retryButton(ctx, task) ?? "—"}</td>
</tr>`;
  });
  const main = html`${agencyNav(ctx)}<h1>${t(lang, "scheduleTitle")}</h1>
<p>${t(lang, "scheduleIntro")}</p>
${notice(ctx, retry)}
${
  failed > 0
    ? html`<form method="post" action="/agency/indicator-schedule/retry">${csrfField(ctx.csrfToken)}<input type="hidden" name="all" value="failed"><button type="submit">${t(lang, "scheduleRetryAll").replace("{1}", String(failed))}</button></form>`
    : null
}
${
  doc === null
    ? html`<p>${t(lang, "scheduleUnavailable")}</p>`
    : doc.tasks.length === 0
      ? html`<p>${t(lang, "scheduleEmpty")}</p>`
      : html`<div class="scroll"><table class="data">
<thead><tr><th scope="col">${t(lang, "scheduleTask")}</th><th scope="col">${t(lang, "scheduleKey")}</th><th scope="col">${t(lang, "scheduleStatus")}</th><th scope="col">${t(lang, "scheduleNext")}</th><th scope="col">${t(lang, "scheduleAttempts")}</th><th scope="col">${t(lang, "scheduleLastError")}</th><th scope="col">${t(lang, "scheduleLastRun")}</th><th scope="col">${t(lang, "scheduleRetried")}</th><th scope="col">${t(lang, "scheduleAction")}</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`;
  return layout(ctx, t(lang, "scheduleTitle"), main);
}
