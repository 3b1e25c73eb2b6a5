/**
 * The picture of art. 4.5 at a glance: signatories × signatories, each cell the share of the
 * sender's sessions toward the receiver that were verified TLS over the period (its own outbound
 * log and the TLS-RPT reports it sent), written as a number and banded by colour, each a link to the
 * link's charts. An operator sees its own row and column; other cells say so. Pure.
 */
import type { LinkRow } from "../../indicators/links/link-figures.js";
import { t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export interface IndicatorsMatrixView {
  readonly from: string;
  readonly to: string;
  /** Signatories (id → name), in display order. */
  readonly signatories: readonly { readonly id: number; readonly name: string }[];
  readonly rows: readonly LinkRow[];
  /** The operator's organisation (cells of other pairs are not visible), or null. */
  readonly scope: number | null;
  readonly canReport: boolean;
}

export interface PairFigure {
  readonly sessions: number;
  readonly verified: number;
}

/** Sender-side evidence per pair `sender|receiver` (ids): the sender's log and TLS-RPT. */
export function pairFigures(rows: readonly LinkRow[]): Map<string, PairFigure> {
  const out = new Map<string, PairFigure>();
  for (const r of rows) {
    if (r.source === "receiver-log" || r.sender.organisationId === null || r.receiver.organisationId === null)
      continue;
    const key = `${r.sender.organisationId}|${r.receiver.organisationId}`;
    const prev = out.get(key) ?? { sessions: 0, verified: 0 };
    out.set(key, { sessions: prev.sessions + r.sessions, verified: prev.verified + r.classes.verified });
  }
  return out;
}

/** The colour band of a share (style.css `share-…`): the same thresholds as the words. */
export function shareBand(share: number): string {
  if (share >= 0.99) return "share-all";
  if (share >= 0.9) return "share-most";
  if (share >= 0.5) return "share-some";
  return "share-few";
}

export const percent = (share: number) => `${Math.floor(share * 1000) / 10} %`;

export function periodForm(ctx: PageContext, action: string, from: string, to: string): SafeHtml {
  const { lang } = ctx;
  return html`<form method="get" action="${action}" class="period"><fieldset><legend>${t(lang, "period")}</legend>
<label>${t(lang, "periodFrom")} <input type="date" name="from" value="${from}" required></label>
<label>${t(lang, "periodTo")} <input type="date" name="to" value="${to}" required></label>
<input type="hidden" name="lang" value="${lang}">
<button type="submit">${t(lang, "show")}</button></fieldset></form>`;
}

export function indicatorsMatrixPage(ctx: PageContext, view: IndicatorsMatrixView): string {
  const { lang } = ctx;
  const figures = pairFigures(view.rows);
  const query = `from=${view.from}&to=${view.to}`;
  const head = html`<tr><th scope="col">${t(lang, "senderReceiver")}</th>${view.signatories.map(
    (s) => html`<th class="col" scope="col"><span>${s.name}</span></th>`,
  )}</tr>`;
  const body = view.signatories.map(
    (sender) =>
      html`<tr><th scope="row">${sender.name}</th>${view.signatories.map((receiver) => {
        if (receiver.id === sender.id) return html`<td class="none self"></td>`;
        if (view.scope !== null && view.scope !== sender.id && view.scope !== receiver.id)
          return html`<td class="none"><span class="visually-hidden">${t(lang, "notVisible")}</span></td>`;
        const f = figures.get(`${sender.id}|${receiver.id}`);
        if (!f || f.sessions === 0)
          return html`<td class="none">—<span class="visually-hidden"> ${t(lang, "noData")}</span></td>`;
        const share = f.verified / f.sessions;
        const label = `${sender.name} → ${receiver.name}: ${percent(share)} ${t(lang, "verifiedShare")}, ${f.sessions} ${t(lang, "sessions")}`;
        return html`<td class="${shareBand(share)}"><a href="/indicators/links/${sender.id}/${receiver.id}?${query}" title="${label}" aria-label="${label}">${percent(share)}</a></td>`;
      })}</tr>`,
  );
  const legend = [
    ["share-all", "≥ 99 %"],
    ["share-most", "90–99 %"],
    ["share-some", "50–90 %"],
    ["share-few", "< 50 %"],
  ].map(([cls, text]) => html`<span class="${cls}">${text}</span>`);
  return layout(
    ctx,
    t(lang, "indicatorsTitle"),
    html`<h1>${t(lang, "indicatorsTitle")}</h1>
<p class="muted">${t(lang, "indicatorsIntro")}</p>
${periodForm(ctx, "/indicators", view.from, view.to)}
<p><a href="/indicators/tlsrpt?from=${view.from}&amp;to=${view.to}&amp;lang=${lang}">${t(lang, "tlsrptLink")}</a></p>
${view.canReport ? html`<p><a href="/indicators/report?month=${view.to.slice(0, 7)}&amp;lang=${lang}">${t(lang, "reportLink")} ${view.to.slice(0, 7)}</a></p>` : null}
<div class="scroll"><table class="grid link-matrix">
<caption>${t(lang, "verifiedShare")} (${view.from} — ${view.to})</caption>
<thead>${head}</thead>
<tbody>${body}</tbody></table></div>
<p class="legend"><b>${t(lang, "legend")}</b>${legend}</p>
${ctx.viewer && ctx.viewer.role !== "auditor" ? html`<p><a href="/indicators/logs">${t(lang, "uploadLogLink")}</a></p>` : null}
<p class="muted">${t(lang, "uploadHint")}</p>`,
  );
}
