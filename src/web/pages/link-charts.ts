/**
 * Charts of the per-link figures as inline SVG, drawn on the server (no script): stacked bars per
 * day. Colours come from classes in style.css (no inline style, so the CSP needs no
 * 'unsafe-inline'); each chart has a title and a description, and the page gives the same numbers
 * in a table, so nothing is told by colour alone. Pure.
 */
import { html, type SafeHtml } from "./html.js";

export interface Series {
  readonly key: string;
  readonly label: string;
  /** A class of style.css (`c-verified`, `c-none`, `f-…`). */
  readonly cls: string;
}

export interface Point {
  readonly label: string;
  readonly values: Readonly<Record<string, number>>;
}

const width = 640;
const height = 200;
const margin = { left: 44, right: 8, top: 10, bottom: 34 };

/** A round axis maximum: 1, 2, 5 × 10^n at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export function stackedBars(
  title: string,
  description: string,
  series: readonly Series[],
  points: readonly Point[],
): SafeHtml {
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const totals = points.map((p) => series.reduce((n, s) => n + (p.values[s.key] ?? 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const slot = plotW / Math.max(1, points.length);
  const bar = Math.max(1, Math.min(40, slot * 0.7));
  const y = (v: number) => margin.top + plotH - (v / top) * plotH;
  const every = Math.max(1, Math.ceil(points.length / 8));
  const bars = points.map((p, i) => {
    const x = margin.left + i * slot + (slot - bar) / 2;
    let base = 0;
    const rects = series.map((s) => {
      const v = p.values[s.key] ?? 0;
      if (v <= 0) return null;
      const r = html`<rect class="${s.cls}" x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${bar.toFixed(1)}" height="${((v / top) * plotH).toFixed(1)}"><title>${p.label} — ${s.label}: ${v}</title></rect>`;
      base += v;
      return r;
    });
    const tick =
      i % every === 0
        ? html`<text class="axis" x="${(x + bar / 2).toFixed(1)}" y="${height - margin.bottom + 14}" text-anchor="middle">${p.label.slice(5)}</text>`
        : null;
    return html`<g>${rects}${tick}</g>`;
  });
  const grid = [0, 0.5, 1].map(
    (f) =>
      html`<line class="grid-line" x1="${margin.left}" x2="${width - margin.right}" y1="${y(top * f).toFixed(1)}" y2="${y(top * f).toFixed(1)}"></line><text class="axis" x="${margin.left - 4}" y="${(y(top * f) + 4).toFixed(1)}" text-anchor="end">${Math.round(top * f)}</text>`,
  );
  const legend = series.map(
    (s, i) =>
      html`<g transform="translate(${margin.left + i * 120},${height - 10})"><rect class="${s.cls}" width="10" height="10" y="-9"></rect><text class="axis" x="14">${s.label}</text></g>`,
  );
  return html`<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${idOf(title)}-t ${idOf(title)}-d"><title id="${idOf(title)}-t">${title}</title><desc id="${idOf(title)}-d">${description}</desc>${grid}${bars}${legend}</svg><figcaption>${title}</figcaption></figure>`;
}

const idOf = (title: string) =>
  `chart-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 40)}`;
