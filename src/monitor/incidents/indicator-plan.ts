/**
 * What one evaluation of the indicators does to the indicator incidents (pure):
 * `(detections, statuses of the live incidents, incidents) → actions`, applied by indicator-store.ts in
 * one transaction.
 *
 * - A detection needs no confirming probe: it is already confirmed by its own rule (a share below its
 *   baseline on consecutive days, with a confidence bound; a failure type in received reports). It opens
 *   an incident — or, within the flapping window after the same subject's incident was resolved,
 *   reopens that one (the same incident, told as reopened).
 * - Seen again on a later day while open: one `seen_again` step per new day of figures, not per cycle.
 * - Resolution is detected: the figures came back (the share at or above its threshold on a later
 *   qualifying day; reports on enough later days without the failure type). No figures is no news: an
 *   incident whose link went quiet stays open.
 */
import type { IndicatorKind } from "../detection/detection.js";
import { type Incident, problemKey } from "./incident.js";

export interface IndicatorDetection {
  readonly kind: IndicatorKind;
  readonly severity: "interruption" | "warning";
  /** `link:o:1>o:2` or `tlsrpt:example.org|certificate-expired`. */
  readonly subject: string;
  /** The incident's domain column: the policy domain, or "Sender → Receiver" for a link. */
  readonly domain: string;
  readonly organisation: string | null;
  readonly peerOrganisation: string | null;
  /** The latest day of figures (or report) the detection rests on (YYYY-MM-DD). */
  readonly day: string;
  /** The first day of the problem (the first low day, the first report with the type). */
  readonly firstDay: string;
  /** The end of the last good state (ISO), when known. */
  readonly lastGoodAt: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** Of a live (or recently resolved) incident: what the figures say now. */
export interface IndicatorStatus {
  readonly subject: string;
  readonly kind: IndicatorKind;
  readonly state: "present" | "recovered" | "unknown";
  /** The latest day the status rests on. */
  readonly day: string;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

export type IndicatorStep = "confirmed" | "reopened" | "ongoing" | "warned";

export type IndicatorAction =
  | { readonly type: "open"; readonly detection: IndicatorDetection }
  | { readonly type: "reopen"; readonly incident: Incident; readonly detection: IndicatorDetection }
  | { readonly type: "seen_again"; readonly incident: Incident; readonly day: string; readonly text: string }
  | { readonly type: "resolve"; readonly incident: Incident; readonly status: IndicatorStatus };

export interface IndicatorPlan {
  readonly actions: readonly IndicatorAction[];
  readonly steps: readonly { readonly detection: IndicatorDetection; readonly step: IndicatorStep }[];
}

const dayOf = (iso: string) => iso.slice(0, 10);

/** The day an incident was last seen (its `last_seen_at` is the end of that day's figures). */
export const dayEnd = (day: string) => `${day}T23:59:59.999Z`;

export function planIndicators(input: {
  readonly now: string;
  readonly flapWindowMs: number;
  readonly detections: readonly IndicatorDetection[];
  readonly statuses: readonly IndicatorStatus[];
  /** Indicator incidents not resolved, and those resolved within the flapping window. */
  readonly incidents: readonly Incident[];
}): IndicatorPlan {
  const live = new Map<string, Incident>();
  const recent = new Map<string, Incident>();
  for (const i of input.incidents) {
    if (i.state !== "resolved") live.set(problemKey(i), i);
    else if (i.resolvedAt && Date.parse(input.now) - Date.parse(i.resolvedAt) <= input.flapWindowMs) {
      const known = recent.get(problemKey(i));
      if (!known || (known.resolvedAt ?? "") < i.resolvedAt) recent.set(problemKey(i), i);
    }
  }
  const actions: IndicatorAction[] = [];
  const steps: { detection: IndicatorDetection; step: IndicatorStep }[] = [];
  const matched = new Set<string>();
  for (const d of input.detections) {
    const key = problemKey(d);
    matched.add(key);
    const incident = live.get(key);
    if (incident) {
      if (d.day > dayOf(incident.lastSeenAt))
        actions.push({ type: "seen_again", incident, day: d.day, text: d.message });
      steps.push({ detection: d, step: "ongoing" });
      continue;
    }
    const flapped = recent.get(key);
    if (flapped) {
      actions.push({ type: "reopen", incident: flapped, detection: d });
      steps.push({ detection: d, step: "reopened" });
      continue;
    }
    actions.push({ type: "open", detection: d });
    steps.push({ detection: d, step: d.severity === "warning" ? "warned" : "confirmed" });
  }
  const statuses = new Map(input.statuses.map((s) => [problemKey(s), s]));
  for (const [key, incident] of live) {
    if (matched.has(key)) continue;
    const status = statuses.get(key);
    if (!status) continue;
    if (status.state === "recovered") actions.push({ type: "resolve", incident, status });
    else if (status.state === "present" && status.day > dayOf(incident.lastSeenAt))
      actions.push({ type: "seen_again", incident, day: status.day, text: status.message });
  }
  return { actions, steps };
}
