/**
 * The agency's monthly indicators report (charter art. 4.5): the month's totals, the matrix of
 * verified shares, and for each link observed its charts and figures — one printable HTML page
 * (style.css hides the navigation in print and keeps a chart on one page). Pure.
 */
import type { LinkRow } from "../../indicators/links/link-figures.js";
import { tlsClasses } from "../../indicators/log/session.js";
import { t } from "../i18n.js";
import { html } from "./html.js";
import { pairFigures, percent, shareBand } from "./indicators-matrix.js";
import { layout, type PageContext } from "./layout.js";
import { linkCharts, linkTable } from "./link-page.js";

export interface MonthlyReportView {
  readonly month: string;
  readonly signatories: readonly { readonly id: number; readonly name: string }[];
  readonly rows: readonly LinkRow[];
}

export function monthlyReportPage(ctx: PageContext, view: MonthlyReportView): string {
  const { lang } = ctx;
  const figures = pairFigures(view.rows);
  const names = new Map(view.signatories.map((s) => [s.id, s.name]));
  const totals = Object.fromEntries(tlsClasses.map((c) => [c, 0])) as Record<string, number>;
  for (const r of view.rows)
    if (r.source !== "receiver-log") for (const c of tlsClasses) totals[c] = (totals[c] ?? 0) + r.classes[c];
  const all = Object.values(totals).reduce((a, b) => a + b, 0);
  const pairs = [...figures.keys()].sort();
  const sections = pairs.map((key) => {
    const [s, r] = key.split("|").map(Number) as [number, number];
    const name = `${names.get(s) ?? s} → ${names.get(r) ?? r}`;
    const rows = view.rows.filter((x) => x.sender.organisationId === s && x.receiver.organisationId === r);
    const f = figures.get(key) ?? { sessions: 0, verified: 0 };
    return html`<section class="link-section"><h2>${name}</h2>
<p><span class="${shareBand(f.sessions ? f.verified / f.sessions : 0)}">${f.sessions ? percent(f.verified / f.sessions) : "—"}</span> ${t(lang, "verifiedShare")}, ${f.sessions} ${t(lang, "sessions")}</p>
${linkCharts(lang, rows, name)}${linkTable(lang, rows)}</section>`;
  });
  return layout(
    ctx,
    `${t(lang, "reportTitle")} ${view.month}`,
    html`<h1>${t(lang, "reportTitle")} — ${view.month}</h1>
<p class="muted">${t(lang, "reportIntro")}</p>
<h2>${t(lang, "totals")}</h2>
<table class="data"><thead><tr>${tlsClasses.map((c) => html`<th scope="col">${c}</th>`)}<th scope="col">${t(lang, "verifiedShare")}</th><th scope="col">${t(lang, "linksObserved")}</th></tr></thead>
<tbody><tr>${tlsClasses.map((c) => html`<td>${totals[c]}</td>`)}<td>${all ? percent((totals.verified ?? 0) / all) : "—"}</td><td>${pairs.length}</td></tr></tbody></table>
${sections.length === 0 ? html`<p>${t(lang, "noData")}</p>` : sections}`,
  );
}
