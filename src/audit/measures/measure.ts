/**
 * Measures (docs/contract.md §3): stable identifiers, a closed set of statuses, a charter reference, a one-line
 * summary in French and English, and the evidence. `error` means "could not be determined" and is
 * never turned into `pass`.
 */

export type MeasureStatus = "pass" | "warn" | "fail" | "not_applicable" | "error";

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

export interface Evidence {
  /** "host [address]:port" or a DNS name; absent for domain-wide facts. */
  readonly endpoint?: string;
  readonly status: MeasureStatus;
  readonly observed: string;
}

export interface MeasureResult {
  readonly id: MeasureId;
  readonly ref: string;
  /** Counted in the charter verdict (docs/contract.md §3: the 2015 annex), or reported beside it. */
  readonly charter: boolean;
  readonly status: MeasureStatus;
  readonly summary: { readonly fr: string; readonly en: string };
  readonly evidence: readonly Evidence[];
}

/** Worst first: the status of a measure is the worst status of its evidence. */
const severity: Readonly<Record<MeasureStatus, number>> = {
  fail: 4,
  error: 3,
  warn: 2,
  pass: 1,
  not_applicable: 0,
};

export function worst(statuses: readonly MeasureStatus[]): MeasureStatus {
  if (statuses.length === 0) return "not_applicable";
  return statuses.reduce((a, b) => (severity[b] > severity[a] ? b : a));
}

export type Verdict = "compliant" | "non_compliant" | "inconclusive";

/** docs/contract.md §3: compliant when no charter measure fails or errs; non_compliant when one fails. */
export function verdictOf(measures: readonly MeasureResult[]): Verdict {
  const charter = measures.filter((m) => m.charter);
  if (charter.some((m) => m.status === "fail")) return "non_compliant";
  if (charter.some((m) => m.status === "error")) return "inconclusive";
  return "compliant";
}

export interface Wording {
  readonly fr: string;
  readonly en: string;
}

const defaultWords: Readonly<Record<MeasureStatus, Wording>> = {
  pass: { fr: "conforme", en: "compliant" },
  warn: { fr: "toléré, à améliorer", en: "tolerated, to improve" },
  fail: { fr: "non conforme", en: "not compliant" },
  error: { fr: "indéterminé", en: "could not be determined" },
  not_applicable: { fr: "sans objet", en: "not applicable" },
};

/**
 * A charter measure from its evidence: the worst evidence decides (`empty` when there is none), the
 * summary is "<what>: <word for the status>" in both languages.
 */
export function charterMeasure(
  id: MeasureId,
  ref: string,
  what: Wording,
  evidence: readonly Evidence[],
  options: { readonly empty?: MeasureStatus; readonly words?: Partial<Record<MeasureStatus, Wording>> } = {},
): MeasureResult {
  const status =
    evidence.length === 0 ? (options.empty ?? "not_applicable") : worst(evidence.map((e) => e.status));
  const word = options.words?.[status] ?? defaultWords[status];
  return {
    id,
    ref,
    charter: true,
    status,
    summary: { fr: `${what.fr} : ${word.fr}`, en: `${what.en}: ${word.en}` },
    evidence,
  };
}
