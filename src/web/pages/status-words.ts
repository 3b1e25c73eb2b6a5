/** The reports' status words, signs and colour classes, for the service's pages (one vocabulary). */
import type { MeasureStatus } from "../../audit/findings/status.js";
import { statusSign, statusWord, verdictStatus, verdictWord } from "../../audit/report/report-words.js";
import type { Lang } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";

export type Verdict = keyof typeof verdictWord;

export const statusOrder: readonly MeasureStatus[] = ["fail", "error", "warn", "pass", "not_applicable"];

/** A status as the reports show it: its colour class, its sign, its word. */
export const statusBadge = (status: MeasureStatus, lang: Lang): SafeHtml =>
  html`<span class="badge ${status}">${statusSign[status]} ${statusWord[status][lang]}</span>`;

export const verdictBadge = (verdict: Verdict, lang: Lang): SafeHtml => {
  const status = verdictStatus[verdict];
  return html`<span class="badge ${status}">${statusSign[status]} ${verdictWord[verdict][lang]}</span>`;
};

export const statusText = (status: MeasureStatus, lang: Lang): string =>
  `${statusSign[status]} ${statusWord[status][lang]}`;

/** 2026-12-01T21:37:47.000Z → 2026-12-01 21:37 UTC */
export const when = (iso: string | null): string =>
  iso ? iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC") : "—";
