/** The impact of a proposed annex on the terminal, in the reader's language. Pure. */
import { evidenceText } from "../audit/findings/evidence.js";
import type { Lang } from "../audit/findings/phrases.js";
import { phrase } from "../audit/findings/phrases.js";
import { statusWord, verdictWord } from "../audit/report/report-words.js";
import type { DomainImpact, ImpactReport } from "./impact.js";
import { impactWords } from "./impact-words.js";

function domainLines(d: DomainImpact, lang: Lang): string[] {
  const w = impactWords[lang];
  if (d.runId === null) return [`  ${d.domain}${w.colon}${w.neverAudited}`];
  const verdict =
    d.verdictBefore === d.verdictAfter
      ? verdictWord[d.verdictAfter ?? "inconclusive"][lang]
      : `${verdictWord[d.verdictBefore ?? "inconclusive"][lang]} → ${verdictWord[d.verdictAfter ?? "inconclusive"][lang]}`;
  const head = `  ${d.domain} (${w.audit} #${d.runId}, ${d.auditedAt?.slice(0, 16).replace("T", " ")})${w.colon}${verdict}`;
  if (d.measures.length === 0) return [head, `    ${w.noChange}`];
  return [
    head,
    ...d.measures.flatMap((c) => [
      `    ${c.measure} (${c.title[lang]})${w.colon}${c.direction === "same" ? `${statusWord[c.after][lang]} (${w.already})` : `${statusWord[c.before][lang]} → ${statusWord[c.after][lang]}`}`,
      ...c.endpoints.flatMap((e) => [
        `      ${e.endpoint || d.domain}${w.colon}${e.evidence.map((x) => evidenceText(x, lang)).join("; ")}`,
        ...e.rules.map(
          (r) =>
            `        ${w.rule} ${r.rule} (${r.source})${w.colon}${phrase(r.code, r.values, lang)}${r.advice ? ` — ${r.advice[lang]}` : ""}`,
        ),
      ]),
      ...(c.advice ? [`      ${w.toChange}${w.colon}${c.advice[lang]}`] : []),
    ]),
  ];
}

export function renderImpactText(report: ImpactReport, lang: Lang): string {
  const w = impactWords[lang];
  const s = report.summary;
  const lines = [
    `${w.proposed}${w.colon}${report.proposed.title} (${report.proposed.id})`,
    w.fromStored,
    `${w.signatories}${w.colon}${s.signatories}, ${w.domains} ${s.domains} (${w.audited} ${s.audited}); ${w.wouldFail}${w.colon}${s.wouldFail}; ${w.improved}${w.colon}${s.improved}`,
    "",
  ];
  if (report.signatories.length === 0) lines.push(w.none);
  for (const sig of report.signatories) {
    lines.push(`${sig.organisation} (${w.accepted} ${sig.acceptedVersion}, ${sig.baselineProfile})`);
    for (const d of sig.domains) lines.push(...domainLines(d, lang));
    lines.push("");
  }
  lines.push(w.totals);
  for (const t of report.totals)
    lines.push(
      `  ${t.measure.padEnd(22)} ${w.worse} ${t.worse} (${w.newlyFailing} ${t.newlyFailing}), ${w.failing} ${t.failing}, ${w.better} ${t.better}, ${w.signatoriesWorse} ${t.signatoriesWorse}`,
    );
  return lines.join("\n");
}
