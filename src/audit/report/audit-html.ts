/**
 * A self-contained, printable HTML report of one or more audits: no script, no external resource,
 * inline styles. Pure; every value from the report is escaped.
 */
import type { AuditReport } from "../audit.js";
import { evidenceText } from "../findings/evidence.js";
import type { MeasureStatus } from "../measures/measure.js";
import { advice } from "./advice.js";
import type { Lang } from "./endpoint-text.js";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const words = {
  fr: {
    title: "Audit de conformité à la charte de sécurité des courriers électroniques",
    verdict: { compliant: "conforme", non_compliant: "non conforme", inconclusive: "indéterminé" },
    measure: "Mesure",
    ref: "Réf.",
    status: "Statut",
    summary: "Constat",
    evidence: "Éléments observés",
    charter: "Mesures de la charte (annexe)",
    beyond: "Au-delà du texte de 2015 (hors verdict)",
    endpoints: "Points d'accès sondés",
    profiles: "Profils TLS (hors verdict)",
    generated: "Audit du",
  },
  en: {
    title: "E-mail security charter compliance audit",
    verdict: { compliant: "compliant", non_compliant: "not compliant", inconclusive: "inconclusive" },
    measure: "Measure",
    ref: "Ref.",
    status: "Status",
    summary: "Finding",
    evidence: "Evidence",
    charter: "Charter measures (annex)",
    beyond: "Beyond the 2015 text (not in the verdict)",
    endpoints: "Probed endpoints",
    profiles: "TLS profiles (not in the verdict)",
    generated: "Audit of",
  },
} as const;

const style = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}
.pass{color:#17692b}.fail{color:#a11}.warn,.error{color:#8a5a00}.not_applicable{color:#777}.verdict{font-size:1.2em;font-weight:bold}
ul{margin:.2em 0;padding-left:1.2em}code{font-size:.9em}@media print{body{margin:0}h2{page-break-before:auto}tr{page-break-inside:avoid}}`;

const cls = (status: MeasureStatus) => `class="${status}"`;

function section(report: AuditReport, lang: Lang): string {
  const w = words[lang];
  const rows = (charter: boolean) =>
    report.measures
      .filter((m) => m.charter === charter)
      .map((m) => {
        const evidence = m.evidence
          .map(
            (e) =>
              `<li ${cls(e.status)}>${e.endpoint ? `<code>${escapeHtml(e.endpoint)}</code>: ` : ""}${escapeHtml(evidenceText(e, lang))}</li>`,
          )
          .join("");
        const hint = advice[m.id];
        const todo =
          hint && (m.status === "fail" || m.status === "warn") ? `<p>→ ${escapeHtml(hint[lang])}</p>` : "";
        return `<tr><td><code>${escapeHtml(m.id)}</code></td><td>${escapeHtml(m.ref)}</td><td ${cls(m.status)}>${escapeHtml(m.status)}</td><td>${escapeHtml(m.summary[lang])}${todo}</td><td>${evidence ? `<ul>${evidence}</ul>` : ""}</td></tr>`;
      })
      .join("\n");
  const head = `<tr><th>${w.measure}</th><th>${w.ref}</th><th>${w.status}</th><th>${w.summary}</th><th>${w.evidence}</th></tr>`;
  const endpoints = report.endpoints
    .map((e) => {
      const tls = e.tls?.negotiated ? `${e.tls.negotiated.version} ${e.tls.negotiated.cipherSuite}` : "—";
      const cert = e.tls?.certificate?.status ?? "—";
      return `<tr><td><code>${escapeHtml(`${e.host} [${e.address ?? "?"}]:${e.port}`)}</code></td><td>${escapeHtml(e.service)} / ${escapeHtml(e.tlsMode)}</td><td>${escapeHtml(tls)}</td><td>${escapeHtml(cert)}</td><td>${escapeHtml(e.error ? `${e.error.step}: ${e.error.reason}` : "")}</td></tr>`;
    })
    .join("\n");
  const verdictClass =
    report.verdict === "compliant" ? "pass" : report.verdict === "non_compliant" ? "fail" : "error";
  return `<section><h2>${escapeHtml(report.domain)}</h2>
<p class="verdict ${verdictClass}">${escapeHtml(w.verdict[report.verdict])}</p>
<p>${w.generated} ${escapeHtml(report.startedAt)} — ${escapeHtml(report.finishedAt)}</p>
<h3>${w.charter}</h3><table>${head}
${rows(true)}</table>
<h3>${w.beyond}</h3><table>${head}
${rows(false)}</table>
<h3>${w.profiles}</h3><table>
${report.profiles
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
    return `<tr><td><code>${escapeHtml(p.profile)}</code></td><td ${cls(p.status)}>${escapeHtml(p.status)}</td><td>${escapeHtml(p.title)}${
      failing.length
        ? `<ul>${failing
            .slice(0, 8)
            .map((f) => `<li class="fail">${escapeHtml(f)}</li>`)
            .join("")}</ul>`
        : ""
    }</td></tr>`;
  })
  .join("\n")}</table>
<h3>${w.endpoints}</h3><table>
${endpoints}</table></section>`;
}

export function renderAuditHtml(reports: readonly AuditReport[], lang: Lang): string {
  const w = words[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${w.title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${style}</style></head>
<body><h1>${w.title}</h1>
${reports.map((r) => section(r, lang)).join("\n")}
</body></html>
`;
}
