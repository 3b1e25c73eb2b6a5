/**
 * What one audit's detections do to the incidents of its domain (pure): `(detections, incidents,
 * suspicions, counters) → actions`. The store applies the actions in one transaction.
 *
 * - An interruption seen for the first time is only suspected: a confirming audit is asked for after
 *   a pause. Seen again by a later audit → confirmed → an incident opens (or, within the flapping
 *   window after one was resolved, that incident reopens). Not seen again → cleared, never told.
 * - "Could not check" is counted per subject; only when it lasts beyond a threshold does it open an
 *   incident of its own. It never confirms nor clears a suspicion, nor resolves an incident.
 * - The audit that checks a subject and finds it good resolves its incidents.
 * - A certificate expiry warning needs no confirmation (dates do not flap): one incident per
 *   certificate, one notice per threshold.
 */

import type { Baseline, DetectionResult } from "../detection/detect.js";
import type { Detection, DetectionKind } from "../detection/detection.js";
import { type Audience, type Incident, problemKey, type Suspicion } from "./incident.js";

export interface PlanLimits {
  readonly confirmPauseMs: number;
  readonly couldNotCheckIncidentMs: number;
  readonly flapWindowMs: number;
}

export interface UnknownCounter {
  readonly subject: string;
  readonly since: string | null;
  readonly count: number;
}

export interface PlanInput {
  readonly domain: string;
  readonly organisation: string | null;
  readonly runId: number;
  /** When the audit finished (the observation's time). */
  readonly at: string;
  readonly result: DetectionResult;
  /** The domain's incidents not resolved, and those resolved within the flapping window. */
  readonly incidents: readonly Incident[];
  readonly pending: readonly Suspicion[];
  readonly counters: readonly UnknownCounter[];
  /** The last good states before this audit (for "last good" of a new incident). */
  readonly baselines: readonly Baseline[];
  readonly limits: PlanLimits;
}

/** What happened to a detection (reported by `monitor run-once`). */
export type Step = "suspected" | "confirmed" | "reopened" | "ongoing" | "warned" | "counted" | "lasting";

export type Action =
  | { readonly type: "suspect"; readonly detection: Detection; readonly confirmAt: string }
  | {
      readonly type: "open";
      readonly detection: Detection;
      readonly suspicion: Suspicion | null;
      readonly audience: Audience;
      readonly lastGood: Baseline | null;
      /** When the problem was first seen (the suspicion's audit, or the first "could not check"). */
      readonly firstObservedAt: string;
      readonly firstRunId: number;
    }
  | {
      readonly type: "reopen";
      readonly incident: Incident;
      readonly detection: Detection;
      readonly suspicion: Suspicion | null;
    }
  | { readonly type: "seen_again"; readonly incident: Incident; readonly detection: Detection }
  | { readonly type: "threshold"; readonly incident: Incident; readonly detection: Detection }
  | { readonly type: "clear"; readonly suspicion: Suspicion }
  | {
      readonly type: "resolve";
      readonly incident: Incident;
      readonly reason: "good_again" | "gone" | "replaced";
    }
  | { readonly type: "baseline"; readonly baseline: Baseline }
  | { readonly type: "unknown"; readonly subject: string; readonly reason: string; readonly since: string }
  | { readonly type: "known"; readonly subject: string };

export interface Plan {
  readonly actions: readonly Action[];
  /** Each detection with what it led to. */
  readonly steps: readonly { readonly detection: Detection; readonly step: Step }[];
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export function planAudit(input: PlanInput): Plan {
  const { result, at, limits } = input;
  const actions: Action[] = [];
  const steps: { detection: Detection; step: Step }[] = [];
  const live = new Map<string, Incident>();
  const recent = new Map<string, Incident>();
  for (const i of input.incidents) {
    if (i.state !== "resolved") live.set(problemKey(i), i);
    else if (i.resolvedAt && Date.parse(at) - Date.parse(i.resolvedAt) <= limits.flapWindowMs) {
      const known = recent.get(problemKey(i));
      if (!known || (known.resolvedAt ?? "") < i.resolvedAt) recent.set(problemKey(i), i);
    }
  }
  const pending = new Map(input.pending.filter((s) => s.status === "pending").map((s) => [problemKey(s), s]));
  const baselines = new Map(input.baselines.map((b) => [b.subject, b]));
  const counters = new Map(input.counters.map((c) => [c.subject, c]));
  const matched = new Set<string>();
  const checked = new Set(result.checked);

  for (const d of result.detections) {
    const key = problemKey(d);
    if (d.severity === "interruption") {
      matched.add(key);
      const incident = live.get(key);
      if (incident) {
        actions.push({ type: "seen_again", incident, detection: d });
        steps.push({ detection: d, step: "ongoing" });
        continue;
      }
      const suspicion = pending.get(key);
      // A suspicion confirmed by a later audit; the audit that raised it cannot confirm it.
      if (suspicion && suspicion.runId !== d.runId) {
        const flapped = recent.get(key);
        if (flapped) {
          actions.push({ type: "reopen", incident: flapped, detection: d, suspicion });
          steps.push({ detection: d, step: "reopened" });
        } else {
          actions.push({
            type: "open",
            detection: d,
            suspicion,
            audience: d.mx ? "all" : "organisation",
            lastGood: baselines.get(d.subject) ?? null,
            firstObservedAt: suspicion.observedAt,
            firstRunId: suspicion.runId,
          });
          steps.push({ detection: d, step: "confirmed" });
        }
        continue;
      }
      if (!suspicion)
        actions.push({ type: "suspect", detection: d, confirmAt: plus(at, limits.confirmPauseMs) });
      steps.push({ detection: d, step: "suspected" });
    } else if (d.severity === "warning") {
      matched.add(key);
      const incident = live.get(key);
      if (!incident) {
        actions.push({
          type: "open",
          detection: d,
          suspicion: null,
          audience: "organisation",
          lastGood: null,
          firstObservedAt: d.at,
          firstRunId: d.runId,
        });
        steps.push({ detection: d, step: "warned" });
      } else if (d.thresholdDays !== undefined && !incident.thresholds.includes(d.thresholdDays)) {
        actions.push({ type: "threshold", incident, detection: d });
        steps.push({ detection: d, step: "warned" });
      } else steps.push({ detection: d, step: "ongoing" });
    } else if (!d.partial) {
      // Could not check the whole subject: counted; an incident only when it lasts.
      const counter = counters.get(d.subject);
      const since = counter?.since ?? d.at;
      actions.push({ type: "unknown", subject: d.subject, reason: d.to ?? "", since });
      const lastingKey = problemKey({ subject: d.subject, kind: "could_not_check" });
      matched.add(lastingKey);
      const lasting = live.get(lastingKey);
      if (lasting) {
        actions.push({ type: "seen_again", incident: lasting, detection: d });
        steps.push({ detection: d, step: "ongoing" });
      } else if (Date.parse(d.at) - Date.parse(since) >= limits.couldNotCheckIncidentMs) {
        actions.push({
          type: "open",
          detection: d,
          suspicion: null,
          audience: "organisation",
          lastGood: baselines.get(d.subject) ?? null,
          firstObservedAt: since,
          firstRunId: d.runId,
        });
        steps.push({ detection: d, step: "lasting" });
      } else steps.push({ detection: d, step: "counted" });
    } else steps.push({ detection: d, step: "counted" });
  }

  for (const s of pending.values())
    if (!matched.has(problemKey(s)) && checked.has(s.subject)) actions.push({ type: "clear", suspicion: s });

  const unknownNow = new Set(result.unknown.map((u) => u.subject));
  const fingerprints = new Set(result.fingerprints);
  for (const [key, incident] of live) {
    if (matched.has(key)) continue;
    if (incident.kind === "certificate_expiring") {
      const fingerprint = incident.subject.slice("certificate:".length);
      // Renewed: some endpoint was checked and none serves that certificate any more.
      if (result.checked.some((s) => s.startsWith("endpoint:")) && !fingerprints.has(fingerprint))
        actions.push({ type: "resolve", incident, reason: "replaced" });
      continue;
    }
    if (checked.has(incident.subject)) actions.push({ type: "resolve", incident, reason: "good_again" });
    else if (!unknownNow.has(incident.subject) && !result.discoveryFailed)
      // The endpoint is no longer used (its MX or address changed): nothing is interrupted there.
      actions.push({ type: "resolve", incident, reason: "gone" });
  }

  for (const b of result.good) actions.push({ type: "baseline", baseline: b });
  for (const subject of result.checked)
    if ((counters.get(subject)?.count ?? 0) > 0) actions.push({ type: "known", subject });
  return { actions, steps };
}

export type { DetectionKind };
