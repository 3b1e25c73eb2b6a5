/**
 * One link over time (sender → receiver): sessions by TLS class per day and failures by RFC 8460
 * type per day, as server-drawn SVG charts, with the same numbers in tables. Pure.
 */
import type { LinkRow } from "../../indicators/links/link-figures.js";
import { failureTypes, type TlsClass, tlsClasses } from "../../indicators/log/session.js";
import { type Lang, type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { percent, periodForm } from "./indicators-matrix.js";
import { layout, type PageContext } from "./layout.js";
import { type Point, type Series, stackedBars } from "./link-charts.js";

export interface LinkView {
  readonly senderId: number;
  readonly receiverId: number;
  readonly sender: string;
  readonly receiver: string;
  readonly from: string;
  readonly to: string;
  readonly rows: readonly LinkRow[];
}

const classKey: Record<TlsClass, MessageKey> = {
  verified: "classVerified",
  trusted: "classTrusted",
  untrusted: "classUntrusted",
  anonymous: "classAnonymous",
  none: "classNone",
};
const sourceKey: Record<LinkRow["source"], MessageKey> = {
  "sender-log": "sourceSenderLog",
  "receiver-log": "sourceReceiverLog",
  tlsrpt: "sourceTlsrpt",
};

export const classSeries = (lang: Lang): Series[] =>
  tlsClasses.map((c) => ({ key: c, label: t(lang, classKey[c]), cls: `c-${c}` }));

/** The link's days, summed over its sender-side sources (sender's log and TLS-RPT). */
export function linkDays(rows: readonly LinkRow[]): { classes: Point[]; failures: Point[] } {
  const days = new Map<string, { classes: Record<string, number>; failures: Record<string, number> }>();
  for (const r of rows) {
    if (r.source === "receiver-log") continue;
    const d = days.get(r.day) ?? { classes: {}, failures: {} };
    for (const c of tlsClasses) d.classes[c] = (d.classes[c] ?? 0) + r.classes[c];
    for (const [type, n] of Object.entries(r.failures)) d.failures[type] = (d.failures[type] ?? 0) + (n ?? 0);
    days.set(r.day, d);
  }
  const ordered = [...days].sort(([a], [b]) => a.localeCompare(b));
  return {
    classes: ordered.map(([label, d]) => ({ label, values: d.classes })),
    failures: ordered.map(([label, d]) => ({ label, values: d.failures })),
  };
}

export function linkCharts(lang: Lang, rows: readonly LinkRow[], name: string): SafeHtml {
  const { classes, failures } = linkDays(rows);
  const failureSeries = failureTypes
    .filter((type) => failures.some((p) => (p.values[type] ?? 0) > 0))
    .map((type, i) => ({ key: type, label: type, cls: `f-${i % 6}` }));
  return html`${stackedBars(`${t(lang, "chartClasses")} — ${name}`, `${name}: ${classes.length} ${t(lang, "day").toLowerCase()}(s)`, classSeries(lang), classes)}
${
  failureSeries.length > 0
    ? stackedBars(`${t(lang, "chartFailures")} — ${name}`, name, failureSeries, failures)
    : html`<p class="muted">${t(lang, "noFailures")}</p>`
}`;
}

export function linkTable(lang: Lang, rows: readonly LinkRow[]): SafeHtml {
  const mix = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  return html`<div class="scroll"><table class="data">
<thead><tr><th scope="col">${t(lang, "day")}</th><th scope="col">${t(lang, "source")}</th>${tlsClasses.map((c) => html`<th scope="col">${t(lang, classKey[c])}</th>`)}<th scope="col">${t(lang, "noTlsDecision")}</th><th scope="col">${t(lang, "verifiedShare")}</th><th scope="col">RFC 8460</th><th scope="col">${t(lang, "versions")}</th><th scope="col">${t(lang, "suites")}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><th scope="row">${r.day}</th><td>${t(lang, sourceKey[r.source])}</td>${tlsClasses.map((c) => html`<td>${r.classes[c]}</td>`)}<td>${r.noTlsDecision}</td><td>${r.verifiedShare === null ? "—" : percent(r.verifiedShare)}</td><td>${mix(r.failures as Record<string, number>)}</td><td>${mix(r.versions)}</td><td>${mix(r.suites)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function linkPage(ctx: PageContext, view: LinkView): string {
  const { lang } = ctx;
  const name = `${view.sender} → ${view.receiver}`;
  return layout(
    ctx,
    `${t(lang, "linkTitle")} ${name}`,
    html`<h1>${t(lang, "linkTitle")} ${name}</h1>
${periodForm(ctx, `/indicators/links/${view.senderId}/${view.receiverId}`, view.from, view.to)}
${view.rows.length === 0 ? html`<p>${t(lang, "noData")}</p>` : html`${linkCharts(lang, view.rows, name)}${linkTable(lang, view.rows)}`}
<p><a href="/indicators?from=${view.from}&amp;to=${view.to}">${t(lang, "indicatorsTitle")}</a></p>`,
  );
}
