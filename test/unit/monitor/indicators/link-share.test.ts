/**
 * The link verified-share rule (pure): the Wilson bound, the minimum volumes, the baseline window,
 * the threshold, the confirmation over two days, recovery, and the frozen baseline of an open incident.
 */
import { describe, expect, it } from "vitest";
import { linkDetectionLimits } from "../../../../src/core/limits.js";
import {
  addDays,
  evaluateShare,
  type ShareDay,
  shareBaseline,
  wilson,
} from "../../../../src/monitor/detection/link-share.js";

const limits = linkDetectionLimits;
const today = "2026-12-20";

/** `n` days of `sessions` sessions each, `verified` of them verified, ending the day before `last`. */
function days(first: string, n: number, sessions: number, verified: number): ShareDay[] {
  return Array.from({ length: n }, (_, i) => ({ day: addDays(first, i), sessions, verified }));
}

/** Ten good days (50 sessions, 49 verified) before the two evaluated days. */
const good = days("2026-12-09", 10, 50, 49);

describe("Wilson score interval", () => {
  it("matches the textbook values and stays within [0, 1]", () => {
    // 0 of 20: the upper bound is z²/(n + z²) = 3.8416 / 23.8416.
    expect(wilson(0, 20, 1.96).upper).toBeCloseTo(3.8416 / 23.8416, 6);
    expect(wilson(0, 20, 1.96).lower).toBe(0);
    // 8 of 10: the classic (0.490, 0.943).
    expect(wilson(8, 10, 1.96).lower).toBeCloseTo(0.4902, 3);
    expect(wilson(8, 10, 1.96).upper).toBeCloseTo(0.9433, 3);
    expect(wilson(10, 10, 1.96).upper).toBe(1);
    expect(wilson(0, 0, 1.96)).toEqual({ lower: 0, upper: 1 });
  });
});

describe("baseline", () => {
  it("pools the qualifying days of the window before the evaluated days", () => {
    const b = shareBaseline(
      [...good, { day: "2026-12-10", sessions: 3, verified: 0 }],
      "2026-12-05",
      "2026-12-19",
      limits,
    );
    expect(b).toMatchObject({ days: 10, sessions: 500, verified: 490, from: "2026-12-09", to: "2026-12-18" });
    expect(b?.share).toBeCloseTo(0.98, 6);
  });

  it("is none with too few days or sessions: the link is only learnt", () => {
    const two = days("2026-12-16", 2, 100, 100);
    expect(evaluateShare([...two, ...days("2026-12-19", 2, 50, 0)], today, limits)).toMatchObject({
      status: "learning",
    });
    // Three days of 20 sessions: 60 < 100 sessions.
    expect(shareBaseline(days("2026-12-14", 3, 20, 20), "2026-12-01", "2026-12-19", limits)).toBeNull();
  });
});

describe("drop", () => {
  it("two days significantly below baseline − 10 points: dropped", () => {
    const v = evaluateShare([...good, ...days("2026-12-19", 2, 40, 20)], today, limits);
    expect(v.status).toBe("dropped");
    if (v.status !== "dropped") return;
    expect(v.threshold).toBeCloseTo(0.88, 6);
    expect(v.observed.map((o) => o.day)).toEqual(["2026-12-19", "2026-12-20"]);
    expect(v.observed.every((o) => o.upper < v.threshold)).toBe(true);
  });

  it("one low day is one data point: not a drop", () => {
    const v = evaluateShare(
      [...good, ...days("2026-12-19", 1, 50, 49), ...days("2026-12-20", 1, 50, 0)],
      today,
      limits,
    );
    expect(v.status).toBe("unsettled");
  });

  it("3 sessions, even all in clear, never raise an alarm (minimum volume per day)", () => {
    const v = evaluateShare([...good, ...days("2026-12-19", 2, 3, 0)], today, limits);
    // The days under the minimum do not count: the latest qualifying day is the baseline's last one.
    expect(v.status).not.toBe("dropped");
    const few = evaluateShare([...good, ...days("2026-12-19", 2, 19, 0)], today, limits);
    expect(few.status).not.toBe("dropped");
  });

  it("below the threshold but not significantly so (small day): not a drop", () => {
    // 20 sessions, 16 verified (80 %): the upper bound (~92 %) is above 88 %.
    const v = evaluateShare([...good, ...days("2026-12-19", 2, 20, 16)], today, limits);
    expect(v.status).toBe("unsettled");
    // The same share over 200 sessions a day is significant.
    expect(evaluateShare([...good, ...days("2026-12-19", 2, 200, 160)], today, limits).status).toBe(
      "dropped",
    );
  });

  it("a drop within the margin is not told", () => {
    // 98 % → 90 %: 8 points, under the 10-point margin.
    expect(evaluateShare([...good, ...days("2026-12-19", 2, 500, 450)], today, limits).status).toBe(
      "recovered",
    );
  });

  it("a link never verified cannot drop (threshold ≤ 0)", () => {
    const v = evaluateShare(
      [...days("2026-12-09", 10, 50, 2), ...days("2026-12-19", 2, 50, 0)],
      today,
      limits,
    );
    expect(v.status).not.toBe("dropped");
  });

  it("stale figures are not evaluated", () => {
    const v = evaluateShare([...good, ...days("2026-12-19", 2, 50, 0)], "2026-12-30", limits);
    expect(v.status).toBe("quiet");
  });
});

describe("recovery against the frozen baseline", () => {
  it("the latest qualifying day back at the threshold recovers; the trailing erosion does not count", () => {
    const bad = days("2026-12-05", 15, 50, 0);
    // Trailing: 15 bad days make a baseline of 0 %, against which nothing drops.
    expect(evaluateShare([...bad, ...days("2026-12-20", 1, 50, 0)], today, limits).status).not.toBe(
      "dropped",
    );
    const frozen = shareBaseline(good, "2026-12-01", "2026-12-19", limits);
    expect(frozen).not.toBeNull();
    // With the last good state, the same days are still a drop…
    expect(evaluateShare([...bad, ...days("2026-12-20", 1, 50, 0)], today, limits, frozen).status).toBe(
      "dropped",
    );
    // …and a day back at 46/50 (92 %) recovers.
    expect(evaluateShare([...bad, ...days("2026-12-20", 1, 50, 46)], today, limits, frozen).status).toBe(
      "recovered",
    );
    // 40/50 (80 %) is neither: the hysteresis between alarm and recovery.
    expect(evaluateShare([...bad, ...days("2026-12-20", 1, 50, 40)], today, limits, frozen).status).toBe(
      "unsettled",
    );
  });
});
