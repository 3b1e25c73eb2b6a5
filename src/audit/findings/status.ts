/**
 * The closed set of statuses every judgement ends in — a profile rule on one endpoint, one piece of
 * evidence, a whole measure — and how they combine. `error` means "could not be determined" and is
 * never turned into `pass`. The lowest layer of the judging code: profiles and measures import it.
 */

export type MeasureStatus = "pass" | "warn" | "fail" | "not_applicable" | "error";

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

export const statusOrder: readonly MeasureStatus[] = ["fail", "error", "warn", "pass", "not_applicable"];
