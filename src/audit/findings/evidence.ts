/**
 * Evidence as data: what was observed, as a stable code and its values, rendered in the reader's
 * language by `phrases.ts`. `observed` keeps the English rendering beside the code, so the JSON
 * report stays readable (and keeps its meaning) for tools that knew only the text.
 */
import { type EvidenceCode, type Lang, phrase } from "./phrases.js";
import type { MeasureStatus } from "./status.js";

export type EvidenceValue = string | number | boolean | readonly string[];
export type EvidenceValues = Readonly<Record<string, EvidenceValue>>;

export interface Evidence {
  /** "host [address]:port", a host, a URL or a DNS name; absent for domain-wide facts. */
  readonly endpoint?: string;
  readonly status: MeasureStatus;
  /** Stable identifier of what was observed (public contract: never renamed, only added). */
  readonly code: EvidenceCode;
  /** The observed values the code's sentence speaks of (names, versions, suites, replies). */
  readonly values: EvidenceValues;
  /** The English sentence for `code` and `values`. */
  readonly observed: string;
}

/** A finding before it is placed on an endpoint: status, code, values. */
export interface Finding {
  readonly status: MeasureStatus;
  readonly code: EvidenceCode;
  readonly values: EvidenceValues;
}

export const finding = (status: MeasureStatus, code: EvidenceCode, values: EvidenceValues = {}): Finding => ({
  status,
  code,
  values,
});

export function evidence(endpoint: string | undefined, f: Finding): Evidence {
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    status: f.status,
    code: f.code,
    values: f.values,
    observed: phrase(f.code, f.values, "en"),
  };
}

/** The sentence of a piece of evidence in `lang`. */
export const evidenceText = (e: Pick<Evidence, "code" | "values">, lang: Lang): string =>
  phrase(e.code, e.values, lang);

/** The same observation made twice (a cookie set on two hops, one reply seen twice) is said once. */
export function mergeEvidence(items: readonly Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return items.filter((e) => {
    const key = JSON.stringify([e.endpoint ?? "", e.status, e.code, e.values]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
