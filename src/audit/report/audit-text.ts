/**
 * Terminal rendering of an audit: grouped by annex section, one line per measure with its status,
 * the evidence that did not pass (host, port, what was seen), in French or English. Pure.
 */
import type { AuditReport } from "../audit.js";
import { evidenceText } from "../findings/evidence.js";
import type { MeasureResult, MeasureStatus } from "../measures/measure.js";
import { advice } from "./advice.js";
import { type Colors, type Lang, noColors } from "./endpoint-text.js";

const sections: ReadonlyArray<{ title: Record<Lang, string>; match: (m: MeasureResult) => boolean }> = [
  {
    title: { fr: "Annexe §1 — accès des utilisateurs", en: "Annex §1 — user access" },
    match: (m) => m.charter && (m.id.startsWith("access.") || m.id.startsWith("webmail.")),
  },
  {
    title: { fr: "Annexe §2 — liens entre MTA", en: "Annex §2 — links between MTAs" },
    match: (m) => m.charter && m.id.startsWith("mx."),
  },
  {
    title: { fr: "Au-delà du texte de 2015 (hors verdict)", en: "Beyond the 2015 text (not in the verdict)" },
    match: (m) => !m.charter,
  },
];

const label: Readonly<Record<MeasureStatus, Record<Lang, string>>> = {
  pass: { fr: "OK", en: "PASS" },
  warn: { fr: "ATTENTION", en: "WARN" },
  fail: { fr: "ÉCHEC", en: "FAIL" },
  error: { fr: "INDÉTERMINÉ", en: "ERROR" },
  not_applicable: { fr: "SANS OBJET", en: "N/A" },
};

const verdictText = {
  compliant: { fr: "conforme à la charte", en: "compliant with the charter" },
  non_compliant: { fr: "non conforme à la charte", en: "not compliant with the charter" },
  inconclusive: {
    fr: "indéterminé (des mesures n'ont pu être faites)",
    en: "inconclusive (some measures could not be made)",
  },
} as const;

function paint(status: MeasureStatus, text: string, c: Colors): string {
  if (status === "pass") return c.green(text);
  if (status === "fail") return c.red(text);
  if (status === "warn" || status === "error") return c.yellow(text);
  return c.dim(text);
}

/**
 * What discovery noted (targets left unprobed past a limit, a service explicitly not offered, an MX
 * answer's oddity) and the lookups that failed without proving absence: the JSON's
 * `discovery.notes` and `discovery.failures`, so the terminal reader sees why an endpoint is missing.
 */
function discoveryLines(report: AuditReport, lang: Lang, c: Colors): string[] {
  const { notes } = report.discovery;
  const failures = report.discovery.failures ?? [];
  if (notes.length === 0 && failures.length === 0) return [];
  const lines = ["", c.bold(lang === "fr" ? "Découverte" : "Discovery")];
  for (const note of notes) lines.push(`  ${c.dim("•")} ${note}`);
  for (const f of failures)
    lines.push(
      `  ${c.yellow("•")} ${lang === "fr" ? "recherche DNS en échec" : "DNS lookup failed"}: ${f.name} (${f.reason}: ${f.message})`,
    );
  return lines;
}

export function renderAuditText(report: AuditReport, lang: Lang, c: Colors = noColors): string {
  const lines: string[] = [];
  const verdict = verdictText[report.verdict][lang];
  lines.push(
    c.bold(
      `${report.domain}: ${paint(report.verdict === "compliant" ? "pass" : report.verdict === "non_compliant" ? "fail" : "error", verdict, c)}`,
    ),
  );
  const mx = report.discovery.mx;
  lines.push(
    c.dim(
      `MX (${mx.kind}): ${mx.hosts.map((h) => h.host).join(", ") || "—"}; ${report.endpoints.length} endpoints`,
    ),
  );
  lines.push(...discoveryLines(report, lang, c));
  for (const section of sections) {
    const measures = report.measures.filter(section.match);
    if (measures.length === 0) continue;
    lines.push("", c.bold(section.title[lang]));
    for (const m of measures) {
      const tag = paint(m.status, label[m.status][lang].padEnd(11), c);
      lines.push(`  ${tag} ${m.id.padEnd(22)} ${m.ref.padEnd(10)} ${m.summary[lang]}`);
      for (const e of m.evidence
        .filter((x) => x.status !== "pass" && x.status !== "not_applicable")
        .slice(0, 8)) {
        lines.push(
          `      ${paint(e.status, "•", c)} ${e.endpoint ? `${e.endpoint}: ` : ""}${evidenceText(e, lang)}`,
        );
      }
      const hint = advice[m.id];
      if (hint && (m.status === "fail" || m.status === "warn"))
        lines.push(`      ${c.dim(`→ ${hint[lang]}`)}`);
    }
  }
  if (report.profiles.length > 0) {
    lines.push(
      "",
      c.bold(lang === "fr" ? "Profils TLS (hors verdict)" : "TLS profiles (not in the verdict)"),
    );
    for (const p of report.profiles) {
      lines.push(
        `  ${paint(p.status, label[p.status][lang].padEnd(11), c)} ${p.profile.padEnd(22)} ${p.title}`,
      );
      const failing = p.endpoints.flatMap((e) =>
        e.findings
          .filter((f) => f.status === "fail")
          .map((f) => `${e.endpoint}: ${f.source} — ${evidenceText(f, lang)}`),
      );
      for (const line of [...new Set(failing)].slice(0, 5))
        lines.push(`      ${paint("fail", "•", c)} ${line}`);
    }
  }
  return lines.join("\n");
}
