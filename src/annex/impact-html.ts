/**
 * The impact of a proposed annex as printable HTML, to send with the consultation (Charte art. 8):
 * the totals per measure first, then per signatory and domain what would change, the endpoints, the
 * rules that speak and what to change. `impactBody` is the fragment the service's page shows (its CSS
 * is the service's); `renderImpactHtml` a self-contained document (one <style>, no script). Pure;
 * every value is escaped.
 */
import { evidenceText } from "../audit/findings/evidence.js";
import { type Lang, phrase } from "../audit/findings/phrases.js";
import { statusSign, statusWord, verdictStatus, verdictWord } from "../audit/report/report-words.js";
import type { DomainImpact, ImpactReport, MeasureChange } from "./impact.js";
import { impactWords } from "./impact-words.js";

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const badge = (status: keyof typeof statusWord, lang: Lang) =>
  `<span class="st st-${status}">${statusSign[status]} ${escapeHtml(statusWord[status][lang])}</span>`;

function changeHtml(c: MeasureChange, domain: string, lang: Lang): string {
  const w = impactWords[lang];
  const endpoints = c.endpoints
    .map(
      (e) =>
        `<li><code>${escapeHtml(e.endpoint || domain)}</code>${escapeHtml(w.colon)}${escapeHtml(e.evidence.map((x) => evidenceText(x, lang)).join("; "))}${
          e.rules.length
            ? `<ul>${e.rules
                .map(
                  (r) =>
                    `<li>${escapeHtml(w.rule)} <code>${escapeHtml(r.rule)}</code> (${escapeHtml(r.source)})${escapeHtml(w.colon)}${escapeHtml(phrase(r.code, r.values, lang))}${r.advice ? ` — ${escapeHtml(r.advice[lang])}` : ""}</li>`,
                )
                .join("")}</ul>`
            : ""
        }</li>`,
    )
    .join("");
  return `<div class="change change-${c.direction}"><p><b><code>${escapeHtml(c.measure)}</code></b> ${escapeHtml(c.title[lang])}${escapeHtml(w.colon)}${c.direction === "same" ? `${badge(c.after, lang)} (${escapeHtml(w.already)})` : `${badge(c.before, lang)} → ${badge(c.after, lang)}`}</p>${
    endpoints ? `<ul>${endpoints}</ul>` : ""
  }${c.advice ? `<p class="advice"><b>${escapeHtml(w.toChange)}${escapeHtml(w.colon)}</b>${escapeHtml(c.advice[lang])}</p>` : ""}</div>`;
}

function domainHtml(d: DomainImpact, lang: Lang): string {
  const w = impactWords[lang];
  if (d.runId === null) return `<h4>${escapeHtml(d.domain)}</h4><p>${escapeHtml(w.neverAudited)}</p>`;
  const verdict = (v: DomainImpact["verdictAfter"]) =>
    v ? `<span class="st st-${verdictStatus[v]}">${escapeHtml(verdictWord[v][lang])}</span>` : "";
  const verdicts =
    d.verdictBefore === d.verdictAfter
      ? verdict(d.verdictAfter)
      : `${verdict(d.verdictBefore)} → ${verdict(d.verdictAfter)}`;
  return `<h4>${escapeHtml(d.domain)} <small>(${escapeHtml(w.audit)} #${d.runId}, ${escapeHtml(d.auditedAt?.slice(0, 16).replace("T", " ") ?? "")})</small></h4><p>${escapeHtml(w.verdict)}${escapeHtml(w.colon)}${verdicts}</p>${
    d.measures.length
      ? d.measures.map((c) => changeHtml(c, d.domain, lang)).join("")
      : `<p>${escapeHtml(w.noChange)}</p>`
  }`;
}

/** The impact as an HTML fragment (a <section>), for a page or the printable document. */
export function impactBody(report: ImpactReport, lang: Lang): string {
  const w = impactWords[lang];
  const s = report.summary;
  const totals = report.totals
    .map(
      (t) =>
        `<tr><td><code>${escapeHtml(t.measure)}</code></td><td>${t.worse}</td><td>${t.newlyFailing}</td><td>${t.failing}</td><td>${t.better}</td><td>${t.signatoriesWorse}</td></tr>`,
    )
    .join("");
  const signatories = report.signatories
    .map(
      (sig) =>
        `<section class="signatory"><h3>${escapeHtml(sig.organisation)} <small>(${escapeHtml(w.accepted)} ${escapeHtml(sig.acceptedVersion)}, ${escapeHtml(sig.baselineProfile)})</small></h3>${sig.domains.map((d) => domainHtml(d, lang)).join("")}</section>`,
    )
    .join("");
  return `<section class="impact"><h2>${escapeHtml(w.proposed)}${escapeHtml(w.colon)}${escapeHtml(report.proposed.title)} <small><code>${escapeHtml(report.proposed.id)}</code></small></h2>
<p>${escapeHtml(report.proposed.reference)}</p>
<p>${escapeHtml(w.fromStored)} ${escapeHtml(w.generated)} ${escapeHtml(report.generatedAt.slice(0, 16).replace("T", " "))} UTC.</p>
<p><b>${escapeHtml(w.signatories)}${escapeHtml(w.colon)}${s.signatories}</b> (${escapeHtml(w.domains)} ${s.domains}, ${escapeHtml(w.audited)} ${s.audited}) — ${escapeHtml(w.wouldFail)}${escapeHtml(w.colon)}<b>${s.wouldFail}</b>; ${escapeHtml(w.improved)}${escapeHtml(w.colon)}${s.improved}</p>
<h3>${escapeHtml(w.totals)}</h3>
<table class="totals"><thead><tr><th>${escapeHtml(w.measure)}</th><th>${escapeHtml(w.worse)}</th><th>${escapeHtml(w.newlyFailing)}</th><th>${escapeHtml(w.failing)}</th><th>${escapeHtml(w.better)}</th><th>${escapeHtml(w.signatoriesWorse)}</th></tr></thead><tbody>${totals}</tbody></table>
${signatories || `<p>${escapeHtml(w.none)}</p>`}</section>`;
}

const style = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:60em;color:#1b1b1b}
code{font-size:.92em}small{color:#555;font-weight:normal}table{border-collapse:collapse}
td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}.st{padding:0 4px;border-radius:3px}
.st-pass{background:#dff3e3}.st-warn{background:#fff1c7}.st-fail{background:#fbd9d6}.st-error{background:#e7e3f5}
.st-not_applicable{background:#eee}.change{margin:6px 0 10px 12px}.advice{background:#f3f6fb;padding:4px 8px}
section.signatory{break-inside:avoid-page}@media print{body{margin:0}}`;

/** A self-contained, printable HTML document of the impact. */
export function renderImpactHtml(report: ImpactReport, lang: Lang): string {
  const w = impactWords[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(w.title)} — ${escapeHtml(report.proposed.id)}</title><style>${style}</style></head><body><h1>${escapeHtml(w.title)}</h1>${impactBody(report, lang)}</body></html>\n`;
}
