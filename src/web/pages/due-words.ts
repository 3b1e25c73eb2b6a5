/**
 * When a domain's next audit is due, in words: its time, or — for a domain never audited, which is due
 * at once — when that first audit will actually start: at the in-process scheduler's next look (it
 * looks every `tickMs`), or at the next `mailcharter monitor run-once` or worker cycle when this
 * server runs no scheduler. Pure.
 */
import { type Lang, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { when } from "./status-words.js";

/** The in-process scheduler, when this server runs one. */
export interface SchedulerInfo {
  readonly tickMs: number;
}

export function dueText(
  lang: Lang,
  nextDueAt: string | null,
  scheduler: SchedulerInfo | null | undefined,
): SafeHtml {
  if (nextDueAt) return html`<time datetime="${nextDueAt}">${when(nextDueAt)}</time>`;
  if (scheduler)
    return html`<strong>${t(lang, "dueNow")}</strong> — ${t(lang, "firstAuditWithin").replace("{1}", String(Math.max(1, Math.ceil(scheduler.tickMs / 60_000))))}`;
  return html`<strong>${t(lang, "dueNow")}</strong> — ${t(lang, "firstAuditNextCycle")}`;
}
