/**
 * A self-contained, printable HTML report of one or more audits. It opens with what a reader looks
 * for first — the verdict, the measures counted by status, a grid of endpoints × measures coloured
 * by status — then the details per annex section, the TLS profiles and the probed endpoints. No
 * script, no external resource: one <style> element. Every word is in the report's language, every
 * status also has a sign so the grid reads in black and white. Pure; every value is escaped.
 */
import type { AuditReport } from "../audit.js";
import { type Evidence, evidenceText } from "../findings/evidence.js";
import type { MeasureStatus } from "../findings/status.js";
import type { MeasureResult } from "../measures/measure.js";
import { advice } from "./advice.js";
import type { Lang } from "./endpoint-text.js";
import { auditGrid, statusCounts } from "./report-grid.js";
import { sections, statusSign, statusWord, verdictStatus, verdictWord } from "./report-words.js";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** An id fit for an anchor, from any text. */
const anchor = (...parts: string[]) => parts.join("-").replace(/[^A-Za-z0-9_.-]/g, "_");

const words = {
  fr: {
    title: "Audit de conformité à la charte de sécurité des courriers électroniques",
    colon: " : ",
    auditOf: "Audit du",
    lasted: "durée",
    mx: "MX",
    endpoints: "points d'accès sondés",
    charterCounts: "Les 15 mesures de la charte",
    beyondCounts: "Hors verdict",
    overview: "Vue d'ensemble : points d'accès × mesures",
    overall: "bilan de la mesure",
    domainRow: "(DNS du domaine)",
    legend: "Légende",
    details: "Détail par section de l'annexe",
    toChange: "À changer",
    observed: (n: number) => (n === 1 ? "1 élément observé" : `${n} éléments observés`),
    nothingObserved: "aucun élément observé",
    profiles: "Profils TLS (hors verdict)",
    profile: "Profil",
    status: "Statut",
    failing: "Règles non respectées",
    probed: "Points d'accès sondés",
    endpoint: "Point d'accès",
    service: "Service / TLS",
    negotiated: "Négocié",
    certificate: "Certificat",
    connections: "Connexions",
    problem: "Incident",
  },
  en: {
    title: "E-mail security charter compliance audit",
    colon: ": ",
    auditOf: "Audit of",
    lasted: "took",
    mx: "MX",
    endpoints: "endpoints probed",
    charterCounts: "The charter's 15 measures",
    beyondCounts: "Not in the verdict",
    overview: "Overview: endpoints × measures",
    overall: "measure overall",
    domainRow: "(domain DNS)",
    legend: "Legend",
    details: "Details per annex section",
    toChange: "To change",
    observed: (n: number) => (n === 1 ? "1 observation" : `${n} observations`),
    nothingObserved: "nothing observed",
    profiles: "TLS profiles (not in the verdict)",
    profile: "Profile",
    status: "Status",
    failing: "Rules not met",
    probed: "Probed endpoints",
    endpoint: "Endpoint",
    service: "Service / TLS",
    negotiated: "Negotiated",
    certificate: "Certificate",
    connections: "Connections",
    problem: "Problem",
  },
} as const;

/** The report's stylesheet (also served to the service's audit pages, so both look the same). */
export const auditReportCss = `
:root{--pass:#1b6e30;--pass-bg:#dcf1e2;--warn:#7a5200;--warn-bg:#ffefc2;--fail:#a3121a;--fail-bg:#fbd9d9;
--error:#5b3e98;--error-bg:#e9e2f6;--na:#666;--na-bg:#efefef;--line:#d6d6d6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f1f1f;background:#fafafa}
main{max-width:1320px;margin:0 auto;padding:24px 28px}
h1{font-size:1.05em;font-weight:600;color:#555;margin:0 0 12px;text-transform:uppercase;letter-spacing:.04em}
h2{font-size:1.9em;margin:0}
h3{font-size:1.15em;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h4{font-size:1em;margin:0;display:flex;flex-wrap:wrap;gap:.5em;align-items:baseline}
code{font:12.5px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
section.audit{background:#fff;border:1px solid var(--line);border-radius:8px;padding:22px 26px;margin-bottom:28px}
.head{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:center}
.verdict{font-size:1.35em;font-weight:700;padding:6px 16px;border-radius:6px;margin:0}
.meta{color:#555;margin:6px 0 0;flex-basis:100%}
.counts{display:flex;flex-wrap:wrap;gap:10px;margin:18px 0 4px;align-items:stretch}
.counts .group{font-size:.85em;color:#555;align-self:center;width:12.5em}
.counts.beyond .count{min-width:6.5em;padding:4px 10px;font-size:.85em}.counts.beyond .count b{font-size:1.3em}
.count{min-width:7.5em;padding:8px 12px;border-radius:6px;border:1px solid transparent}
.count b{display:block;font-size:1.7em;line-height:1.1}
.count.zero{opacity:.45}
.pass{color:var(--pass)}.warn{color:var(--warn)}.fail{color:var(--fail)}.error{color:var(--error)}.not_applicable{color:var(--na)}
.bg.pass,.count.pass,.badge.pass,.verdict.pass{background:var(--pass-bg)}
.bg.warn,.count.warn,.badge.warn,.verdict.warn{background:var(--warn-bg)}
.bg.fail,.count.fail,.badge.fail,.verdict.fail{background:var(--fail-bg)}
.bg.error,.count.error,.badge.error,.verdict.error{background:var(--error-bg)}
.bg.not_applicable,.count.not_applicable,.badge.not_applicable,.verdict.not_applicable{background:var(--na-bg)}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
table.grid{font-size:12.5px;margin:4px 0}
.grid th,.grid td{border:1px solid var(--line)}
.grid thead th{font-weight:600;background:#f4f4f4}
.grid .sec{text-align:center;font-size:11px;padding:3px 4px;color:#444}
.grid .col{height:150px;vertical-align:bottom;padding:6px 2px;width:30px;min-width:30px}
.grid .col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font:11.5px ui-monospace,Menlo,Consolas,monospace}
.grid tbody th,.grid .overall th{text-align:left;font-weight:normal;padding:3px 8px;white-space:nowrap;background:#fff}
.grid .overall th{font-weight:600;background:#f4f4f4}
.grid td{text-align:center;width:30px;height:26px;padding:0;font-weight:700}
.grid td a{display:block;color:inherit;text-decoration:none;line-height:26px}
.grid td.none{background:#fff}
.grid .first{border-left:2px solid #888}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:.85em;color:#444;margin:8px 0 0}
.legend span{padding:1px 8px;border-radius:4px}
article.measure{color:#1f1f1f;border:1px solid var(--line);border-left:6px solid var(--na);border-radius:6px;padding:10px 14px;margin:10px 0;break-inside:avoid}
article.measure.pass{border-left-color:var(--pass)}article.measure.warn{border-left-color:var(--warn)}
article.measure.fail{border-left-color:var(--fail)}article.measure.error{border-left-color:var(--error)}
.badge{font-size:.8em;font-weight:700;padding:2px 8px;border-radius:4px;white-space:nowrap}
.ref{color:#666;font-size:.9em}
.summary{font-weight:600}
article.pass .summary{color:var(--pass)}article.warn .summary{color:var(--warn)}
article.fail .summary{color:var(--fail)}article.error .summary{color:var(--error)}article.not_applicable .summary{color:var(--na)}
.advice{margin:6px 0 0;padding:6px 10px;background:#f3f6fb;border-radius:4px;font-size:.93em}
ul.evidence{list-style:none;margin:8px 0 0;padding:0}
ul.evidence li{padding:2px 0 2px 1.6em;text-indent:-1.6em;color:#222}
ul.evidence .sign{display:inline-block;width:1.6em;text-indent:0;font-weight:700}
ul.evidence code{color:#333;margin-right:.4em}
details{margin-top:6px}summary{cursor:pointer;color:#555;font-size:.92em}
table.list{width:100%;font-size:13px;margin:4px 0}
.list th,.list td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
.list th{background:#f4f4f4;font-weight:600}
.list ul{margin:0;padding-left:1.1em}
@media print{
 @page{size:A4;margin:12mm}
 body{background:#fff;font-size:10.5pt}
 main{padding:0;max-width:none}
 section.audit{border:none;padding:0;break-before:page}
 section.audit:first-of-type{break-before:auto}
 h3{break-after:avoid}
 .scroll{overflow:visible}
 table.grid{font-size:9pt}
 .count{min-width:5.6em;padding:5px 8px}.count b{font-size:1.35em}.counts .group{width:9.5em}
 .grid .col{height:125px;width:19px;min-width:19px}
 .grid td{width:19px;height:19px}.grid td a{line-height:19px}
 .grid .col span{font-size:8.5pt}
 .grid tbody th,.grid .overall th{font-size:8.5pt;padding:1px 4px}
 details>*{display:block}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

type Words = (typeof words)[Lang];

const sign = (status: MeasureStatus) => `<span class="sign ${status}">${statusSign[status]}</span>`;
const badge = (status: MeasureStatus, lang: Lang) =>
  `<span class="badge ${status}">${escapeHtml(statusWord[status][lang])}</span>`;

function head(report: AuditReport, lang: Lang, w: Words): string {
  const started = Date.parse(report.startedAt);
  const seconds = Math.max(0, Math.round((Date.parse(report.finishedAt) - started) / 1000));
  const when = report.startedAt.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  const mx = report.discovery.mx.hosts.map((h) => h.host).join(", ") || "—";
  const v = verdictStatus[report.verdict];
  return `<header class="head"><h2>${escapeHtml(report.domain)}</h2>
<p class="verdict ${v}">${statusSign[v]} ${escapeHtml(verdictWord[report.verdict][lang])}</p>
<p class="meta">${w.auditOf} ${escapeHtml(when)} (${w.lasted} ${seconds} s) · ${w.mx}${w.colon}${escapeHtml(mx)} · ${report.endpoints.length} ${w.endpoints}</p></header>`;
}

const order: readonly MeasureStatus[] = ["fail", "error", "warn", "pass", "not_applicable"];

function counts(report: AuditReport, lang: Lang, w: Words): string {
  const group = (title: string, ms: readonly MeasureResult[]) => {
    const c = statusCounts(ms);
    return `<div class="group">${escapeHtml(title)}</div>${order
      .map(
        (s) =>
          `<div class="count ${s}${c[s] === 0 ? " zero" : ""}"><b>${c[s]}</b>${escapeHtml(statusWord[s][lang])}</div>`,
      )
      .join("")}`;
  };
  return `<div class="counts">${group(
    w.charterCounts,
    report.measures.filter((m) => m.charter),
  )}</div>
<div class="counts beyond">${group(
    w.beyondCounts,
    report.measures.filter((m) => !m.charter),
  )}</div>`;
}

const cellTitle = (evidence: readonly Evidence[], lang: Lang) =>
  escapeHtml(evidence.map((e) => `${statusSign[e.status]} ${evidenceText(e, lang)}`).join("\n"));

function grid(report: AuditReport, lang: Lang, w: Words): string {
  const { columns, rows } = auditGrid(report);
  const bySection = sections.map((s) => ({ s, ms: columns.filter(s.match) })).filter((g) => g.ms.length > 0);
  const ordered = bySection.flatMap((g) => g.ms);
  const firsts = new Set(bySection.map((g) => g.ms[0]?.id));
  const first = (m: MeasureResult) => (firsts.has(m.id) ? " first" : "");
  const link = (m: MeasureResult) => `#${anchor("m", report.domain, m.id)}`;
  const sectionRow = `<tr><th></th>${bySection
    .map((g) => `<th class="sec first" colspan="${g.ms.length}">${escapeHtml(g.s.short[lang])}</th>`)
    .join("")}</tr>`;
  const idRow = `<tr><th></th>${ordered
    .map((m) => `<th class="col${first(m)}" scope="col"><span>${escapeHtml(m.id)}</span></th>`)
    .join("")}</tr>`;
  const overall = `<tr class="overall"><th>${w.overall}</th>${ordered
    .map(
      (m) =>
        `<td class="bg ${m.status}${first(m)}" title="${escapeHtml(`${m.id}: ${statusWord[m.status][lang]} — ${m.summary[lang]}`)}"><a href="${link(m)}">${statusSign[m.status]}</a></td>`,
    )
    .join("")}</tr>`;
  const body = rows
    .map((row) => {
      const label = row.kind === "domain" ? `${row.label} ${w.domainRow}` : row.label;
      const cells = ordered
        .map((m) => {
          const cell = row.cells.get(m.id);
          if (!cell) return `<td class="none${first(m)}"></td>`;
          return `<td class="bg ${cell.status}${first(m)}" title="${cellTitle(cell.evidence, lang)}"><a href="${link(m)}">${statusSign[cell.status]}</a></td>`;
        })
        .join("");
      return `<tr><th scope="row"><code>${escapeHtml(label)}</code></th>${cells}</tr>`;
    })
    .join("\n");
  const legend = order
    .map((s) => `<span class="bg ${s} ${s}">${statusSign[s]} ${escapeHtml(statusWord[s][lang])}</span>`)
    .join("");
  return `<h3>${w.overview}</h3>
<div class="scroll"><table class="grid"><thead>${sectionRow}
${idRow}
${overall}</thead>
<tbody>
${body}
</tbody></table></div>
<p class="legend"><b>${w.legend}</b>${legend}</p>`;
}

/** Failing evidence first, then the rest in order. */
const byConcern = (evidence: readonly Evidence[]) =>
  [...evidence].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));

function measureCard(report: AuditReport, m: MeasureResult, lang: Lang, w: Words): string {
  const items = byConcern(m.evidence)
    .map(
      (e) =>
        `<li class="${e.status}">${sign(e.status)}${e.endpoint ? `<code>${escapeHtml(e.endpoint)}</code>` : ""}${escapeHtml(evidenceText(e, lang))}</li>`,
    )
    .join("");
  const list = items ? `<ul class="evidence">${items}</ul>` : "";
  const hint = advice[m.id];
  const todo =
    hint && (m.status === "fail" || m.status === "warn")
      ? `<p class="advice"><b>${w.toChange}${w.colon}</b> ${escapeHtml(hint[lang])}</p>`
      : "";
  // What passes is folded away: the reader's eye goes to what does not.
  const shown =
    m.evidence.length === 0
      ? ""
      : m.status === "pass" || m.status === "not_applicable"
        ? `<details><summary>${w.observed(m.evidence.length)}</summary>${list}</details>`
        : list;
  return `<article class="measure ${m.status}" id="${anchor("m", report.domain, m.id)}"><h4>${badge(m.status, lang)}<code>${escapeHtml(m.id)}</code><span class="ref">${escapeHtml(m.ref)}</span><span class="summary">${escapeHtml(m.summary[lang])}</span></h4>${todo}${shown}</article>`;
}

function details(report: AuditReport, lang: Lang, w: Words): string {
  return sections
    .map((s) => {
      const ms = report.measures.filter(s.match);
      if (ms.length === 0) return "";
      return `<h3>${escapeHtml(s.title[lang])}</h3>\n${ms.map((m) => measureCard(report, m, lang, w)).join("\n")}`;
    })
    .join("\n");
}

function profiles(report: AuditReport, lang: Lang, w: Words): string {
  if (report.profiles.length === 0) return "";
  const rows = report.profiles
    .map((p) => {
      const failing = [
        ...new Set(
          p.endpoints.flatMap((e) =>
            e.findings
              .filter((f) => f.status === "fail")
              .map((f) => `${e.endpoint}: ${f.source} — ${evidenceText(f, lang)}`),
          ),
        ),
      ];
      const list = failing.length
        ? `<ul>${failing
            .slice(0, 8)
            .map((f) => `<li>${escapeHtml(f)}</li>`)
            .join("")}${failing.length > 8 ? "<li>…</li>" : ""}</ul>`
        : "—";
      return `<tr><td><code>${escapeHtml(p.profile)}</code><br>${escapeHtml(p.title)}</td><td>${badge(p.status, lang)}</td><td>${list}</td></tr>`;
    })
    .join("\n");
  return `<h3>${w.profiles}</h3><table class="list"><tr><th>${w.profile}</th><th>${w.status}</th><th>${w.failing}</th></tr>
${rows}</table>`;
}

function probed(report: AuditReport, w: Words): string {
  const rows = report.endpoints
    .map((e) => {
      const tls = e.tls?.negotiated
        ? `${e.tls.negotiated.version ?? ""} ${e.tls.negotiated.cipherSuite}`
        : "—";
      const cert = e.tls?.certificate?.status ?? "—";
      return `<tr><td><code>${escapeHtml(`${e.host} [${e.address ?? "?"}]:${e.port}`)}</code></td><td>${escapeHtml(e.service)} / ${escapeHtml(e.tlsMode)}</td><td><code>${escapeHtml(tls)}</code></td><td>${escapeHtml(cert)}</td><td>${e.stats.connections}</td><td>${escapeHtml(e.error ? `${e.error.step}: ${e.error.reason}` : "")}</td></tr>`;
    })
    .join("\n");
  return `<h3>${w.probed}</h3><table class="list"><tr><th>${w.endpoint}</th><th>${w.service}</th><th>${w.negotiated}</th><th>${w.certificate}</th><th>${w.connections}</th><th>${w.problem}</th></tr>
${rows}</table>`;
}

/** One audit's section of the report (the service's domain page shows it inside its own frame). */
export function auditSection(report: AuditReport, lang: Lang): string {
  const w = words[lang];
  return `<section class="audit" id="${anchor("d", report.domain)}">
${head(report, lang, w)}
${counts(report, lang, w)}
${grid(report, lang, w)}
${details(report, lang, w)}
${profiles(report, lang, w)}
${probed(report, w)}
</section>`;
}

export function renderAuditHtml(reports: readonly AuditReport[], lang: Lang): string {
  const w = words[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${w.title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${auditReportCss}</style></head>
<body><main><h1>${w.title}</h1>
${reports.map((r) => auditSection(r, lang)).join("\n")}
</main></body></html>
`;
}
