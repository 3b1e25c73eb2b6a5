/**
 * Certificate expiry thresholds (pure): a warning when a valid certificate enters its last 30, 14 or
 * 7 days, once per threshold (the incidents keep which thresholds were told).
 */
import { incidentLimits } from "../../core/limits.js";

const dayMs = 86_400_000;

export interface ExpiryThreshold {
  /** The smallest threshold the certificate is under (30, 14 or 7). */
  readonly days: number;
  /** Whole days left (rounded down). */
  readonly daysLeft: number;
}

/** null: not under any threshold, or already expired (an expired certificate is an interruption). */
export function expiryThreshold(
  notAfter: string,
  at: string,
  thresholds: readonly number[] = incidentLimits.expiryThresholdDays,
): ExpiryThreshold | null {
  const left = Date.parse(notAfter) - Date.parse(at);
  if (!Number.isFinite(left) || left <= 0) return null;
  const under = [...thresholds].sort((a, b) => a - b).find((t) => left <= t * dayMs);
  return under === undefined ? null : { days: under, daysLeft: Math.floor(left / dayMs) };
}
