/**
 * Measures (docs/contract.md §3): stable identifiers, a closed set of statuses, a charter reference, a
 * one-line summary in French and English, and the evidence as data. Each measure is one file that
 * exports one `Measure`; `registry.ts` maps every identifier to its measure, and the audit builds
 * the report from that registry. A measure judges the facts the audit collected (`AuditFacts`) and
 * never opens a socket.
 */
import { type Evidence, mergeEvidence } from "../findings/evidence.js";
import { type MeasureStatus, worst } from "../findings/status.js";
import type { AuditFacts } from "./audit-facts.js";

export type { Evidence } from "../findings/evidence.js";
export { type MeasureStatus, worst } from "../findings/status.js";

export type CharterMeasureId =
  | "access.tls"
  | "access.certificate"
  | "access.pfs"
  | "access.tls-parameters"
  | "access.implicit-tls"
  | "access.starttls"
  | "webmail.https"
  | "webmail.session"
  | "mx.starttls"
  | "mx.tls-version"
  | "mx.cipher"
  | "mx.key-exchange"
  | "mx.hash"
  | "mx.certificate"
  | "mx.territory";

export type BeyondMeasureId =
  | "mx.mta-sts"
  | "mx.tls-rpt"
  | "mx.dane"
  | "dns.dnssec"
  | "mail.spf"
  | "mail.dmarc"
  | "access.autoconfig"
  | "mx.outbound-tls";

export type MeasureId = CharterMeasureId | BeyondMeasureId;

export interface Wording {
  readonly fr: string;
  readonly en: string;
}

export interface MeasureResult {
  readonly id: MeasureId;
  readonly ref: string;
  /** Counted in the charter verdict (the 2015 annex), or reported beside it. */
  readonly charter: boolean;
  readonly status: MeasureStatus;
  readonly summary: Wording;
  readonly evidence: readonly Evidence[];
}

/** What a measure concludes from the facts: its evidence, and how to speak of it. */
export interface Judgement {
  readonly evidence: readonly Evidence[];
  /** The status when there is no evidence (default `not_applicable`: only when absence is proven). */
  readonly empty?: MeasureStatus;
  /** Overrides the worst-evidence status (rarely needed). */
  readonly status?: MeasureStatus;
  /** A summary more telling than "<title>: <status word>" ("DMARC: policy reject"). */
  readonly summary?: Wording;
}

export interface Measure {
  readonly id: MeasureId;
  readonly ref: string;
  readonly charter: boolean;
  readonly title: Wording;
  /** Status words of this measure where the default ones say too little ("no webmail found"). */
  readonly words?: Partial<Record<MeasureStatus, Wording>>;
  judge(facts: AuditFacts): Judgement;
}

export const statusWords: Readonly<Record<MeasureStatus, Wording>> = {
  pass: { fr: "conforme", en: "compliant" },
  warn: { fr: "toléré, à améliorer", en: "tolerated, to improve" },
  fail: { fr: "non conforme", en: "not compliant" },
  error: { fr: "indéterminé", en: "could not be determined" },
  not_applicable: { fr: "sans objet", en: "not applicable" },
};

/** A measure's result from its judgement: the worst evidence decides; the same evidence is said once. */
export function resultOf(measure: Measure, judgement: Judgement): MeasureResult {
  const evidence = mergeEvidence(judgement.evidence);
  const status =
    judgement.status ??
    (evidence.length === 0 ? (judgement.empty ?? "not_applicable") : worst(evidence.map((e) => e.status)));
  const word = measure.words?.[status] ?? statusWords[status];
  return {
    id: measure.id,
    ref: measure.ref,
    charter: measure.charter,
    status,
    summary: judgement.summary ?? {
      fr: `${measure.title.fr} : ${word.fr}`,
      en: `${measure.title.en}: ${word.en}`,
    },
    evidence,
  };
}

export type Verdict = "compliant" | "non_compliant" | "inconclusive";

/** Compliant when no charter measure fails or errs; non_compliant when one fails (docs/contract.md §3). */
export function verdictOf(measures: readonly Pick<MeasureResult, "charter" | "status">[]): Verdict {
  const charter = measures.filter((m) => m.charter);
  if (charter.some((m) => m.status === "fail")) return "non_compliant";
  if (charter.some((m) => m.status === "error")) return "inconclusive";
  return "compliant";
}
