/**
 * Link verified-share regression (pure): for one ordered pair of signatories and one source of
 * figures (the sender's log, the receiver's log, or TLS-RPT — never mixed: the two logs see the same
 * sessions from both ends, and TLS-RPT counts "verified" as "a policy was validated"), is the share of
 * sessions with verified TLS on the latest days significantly below what it was?
 *
 * - A day counts only with at least `minDaySessions` sessions (3 sessions never raise an alarm).
 * - The baseline is the pooled share of the qualifying days of the `baselineDays` before the evaluated
 *   days; it needs `minBaselineDays` such days and `minBaselineSessions` sessions, else the link is only
 *   learnt. While an incident is open its baseline is frozen (the last good state, not the erosion).
 * - A drop: on each of the last `confirmDays` qualifying days (recent ones), the upper bound of the
 *   Wilson score interval of the day's share is below `baseline − marginShare` — the day is below the
 *   threshold with 97.5 % confidence on its own, and it happened twice.
 * - Recovered: the latest qualifying day's share is back at or above the threshold (the point
 *   estimate: recovering needs less proof than alarming, and the gap between the two is the
 *   hysteresis that keeps a link hovering at the threshold from flapping).
 */
import type { linkDetectionLimits } from "../../core/limits.js";

export type ShareLimits = Pick<
  typeof linkDetectionLimits,
  | "baselineDays"
  | "minDaySessions"
  | "minBaselineDays"
  | "minBaselineSessions"
  | "marginShare"
  | "z"
  | "confirmDays"
  | "staleDays"
>;

export interface ShareDay {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly sessions: number;
  readonly verified: number;
}

export interface ShareBaseline {
  readonly share: number;
  readonly sessions: number;
  readonly verified: number;
  /** Qualifying days pooled, and the first and last of them. */
  readonly days: number;
  readonly from: string;
  readonly to: string;
}

export interface ShareObservation extends ShareDay {
  readonly share: number;
  /** Wilson score interval of the share (RFC-free statistics: E. B. Wilson, JASA 1927). */
  readonly lower: number;
  readonly upper: number;
}

export type ShareVerdict =
  /** No baseline yet (too few days or sessions before the evaluated days). */
  | { readonly status: "learning"; readonly reason: string }
  /** No recent day with enough sessions: nothing to say today. */
  | { readonly status: "quiet"; readonly reason: string }
  | {
      readonly status: "dropped" | "recovered" | "unsettled";
      readonly baseline: ShareBaseline;
      readonly threshold: number;
      /** The evaluated days, oldest first (the last `confirmDays` qualifying ones). */
      readonly observed: readonly ShareObservation[];
    };

const dayMs = 86_400_000;
export const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);

/** Wilson score interval of k successes in n trials; [0, 1] for n = 0. */
export function wilson(k: number, n: number, z: number): { lower: number; upper: number } {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export function observe(d: ShareDay, z: number): ShareObservation {
  return { ...d, share: d.sessions > 0 ? d.verified / d.sessions : 0, ...wilson(d.verified, d.sessions, z) };
}

/** The pooled share of the qualifying days in [from, before) (null: not enough to be a baseline). */
export function shareBaseline(
  days: readonly ShareDay[],
  from: string,
  before: string,
  limits: ShareLimits,
): ShareBaseline | null {
  const pool = days.filter((d) => d.day >= from && d.day < before && d.sessions >= limits.minDaySessions);
  const sessions = pool.reduce((a, d) => a + d.sessions, 0);
  const verified = pool.reduce((a, d) => a + d.verified, 0);
  if (pool.length < limits.minBaselineDays || sessions < limits.minBaselineSessions) return null;
  const sorted = pool.map((d) => d.day).sort();
  return {
    share: verified / sessions,
    sessions,
    verified,
    days: pool.length,
    from: sorted[0] as string,
    to: sorted[sorted.length - 1] as string,
  };
}

/**
 * The verdict of one link and source on `today` (YYYY-MM-DD). `frozen`: the baseline of the open
 * incident, compared with instead of the trailing one.
 */
export function evaluateShare(
  days: readonly ShareDay[],
  today: string,
  limits: ShareLimits,
  frozen: ShareBaseline | null = null,
): ShareVerdict {
  const qualifying = days
    .filter((d) => d.day <= today && d.sessions >= limits.minDaySessions)
    .sort((a, b) => a.day.localeCompare(b.day));
  const latest = qualifying[qualifying.length - 1];
  const oldest = addDays(today, -limits.staleDays);
  if (!latest || latest.day < oldest)
    return {
      status: "quiet",
      reason: `no day since ${oldest} with ${limits.minDaySessions} sessions or more`,
    };
  // The evaluated days: the last `confirmDays` qualifying ones, none older than the window allows.
  const recentFrom = addDays(today, -(limits.staleDays + limits.confirmDays - 1));
  const window = qualifying.slice(-limits.confirmDays).filter((d) => d.day >= recentFrom);
  const first = window[0] ?? latest;
  const baseline = frozen ?? shareBaseline(days, addDays(first.day, -limits.baselineDays), first.day, limits);
  if (!baseline)
    return {
      status: "learning",
      reason: `fewer than ${limits.minBaselineDays} days with ${limits.minDaySessions} sessions or ${limits.minBaselineSessions} sessions in the ${limits.baselineDays} days before ${first.day}`,
    };
  const threshold = baseline.share - limits.marginShare;
  const observed = window.map((d) => observe(d, limits.z));
  const last = observed[observed.length - 1] as ShareObservation;
  const dropped =
    threshold > 0 && observed.length === limits.confirmDays && observed.every((o) => o.upper < threshold);
  const status = dropped ? "dropped" : last.share >= threshold ? "recovered" : "unsettled";
  return { status, baseline, threshold, observed };
}

/** "87.5 %" */
export const percent = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
