/** When domains are due (pure): cadence, jitter and the due set of a cycle. */
import type { DomainSchedule } from "./schedule-store.js";

/**
 * The next due time after an audit that finished at `finishedAt`: one cadence later, brought forward
 * by up to `jitterFraction` of it (`random()` in [0, 1)), never later — domains first audited together
 * drift apart, and a daily cadence stays at most a day.
 */
export function nextDue(
  finishedAt: number,
  cadenceSeconds: number,
  random: () => number,
  jitterFraction: number,
): number {
  const cadenceMs = cadenceSeconds * 1000;
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return finishedAt + Math.round(cadenceMs * (1 - jitterFraction * r));
}

/** The domains due at `now` (never audited, or their next due time has come), in the given order. */
export function dueDomains(schedules: readonly DomainSchedule[], now: number): string[] {
  return schedules.filter((s) => s.nextDueAt === null || Date.parse(s.nextDueAt) <= now).map((s) => s.domain);
}
