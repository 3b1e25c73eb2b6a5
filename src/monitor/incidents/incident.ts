/**
 * Incidents: a confirmed interruption (or a certificate expiry warning, or "could not check" that
 * lasts) with its life cycle `open` → `acknowledged` → `resolved`. Resolution is detected, never
 * declared: the audit that sees the subject good again closes it. The timeline links each step to the
 * audit that proves it.
 */
import type { DetectionKind } from "../detection/detection.js";

export type IncidentState = "open" | "acknowledged" | "resolved";
export type IncidentSeverity = "interruption" | "warning";
/** Who is told (Charte art. 4.6): interruptions between MTAs go to every signatory. */
export type Audience = "all" | "organisation";

export interface Incident {
  readonly id: number;
  readonly domain: string;
  readonly organisation: string | null;
  readonly subject: string;
  readonly kind: DetectionKind;
  readonly severity: IncidentSeverity;
  readonly state: IncidentState;
  readonly audience: Audience;
  readonly endpoint: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly message: string;
  readonly lastGoodAt: string | null;
  readonly lastGoodRunId: number | null;
  readonly firstObservedAt: string;
  readonly firstRunId: number;
  readonly openedAt: string;
  readonly confirmRunId: number;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolveRunId: number | null;
  readonly lastSeenAt: string;
  readonly reopened: number;
  /** Opened − last good observation: the interruption began at most this long before we said so. */
  readonly timeToDetectMs: number | null;
  /** Resolved − first bad observation (null while not resolved). */
  readonly timeToRestoreMs: number | null;
  /** Thresholds already told (certificate expiry), in days. */
  readonly thresholds: readonly number[];
  /** `audit`: detected by audits (run ids are audits); `indicators`: from the figures (run ids are 0). */
  readonly basis: "audit" | "indicators";
  /** Of a link incident: the other organisation of the link (it sees the incident and is told). */
  readonly peerOrganisation: string | null;
  /** Of an indicator incident: the figures or reports that show it (days, shares, report ids). */
  readonly evidence: Readonly<Record<string, unknown>> | null;
}

export type IncidentEventType =
  | "observed"
  | "confirmed"
  | "opened"
  | "seen_again"
  | "could_not_check"
  | "threshold"
  | "acknowledged"
  | "comment"
  | "resolved"
  | "reopened"
  | "notice";

export interface IncidentEvent {
  readonly id: number;
  readonly incidentId: number;
  readonly at: string;
  readonly type: IncidentEventType;
  /** The audit that proves this step (null for an operator's act). */
  readonly runId: number | null;
  readonly author: string | null;
  readonly text: string | null;
  readonly data: Readonly<Record<string, unknown>> | null;
}

/** A suspected interruption waiting for its confirming audit. */
export interface Suspicion {
  readonly id: number;
  readonly domain: string;
  readonly subject: string;
  readonly kind: DetectionKind;
  readonly runId: number;
  readonly observedAt: string;
  readonly confirmAt: string;
  readonly status: "pending" | "confirmed" | "cleared";
  readonly confirmRunId: number | null;
}

/** The key of "the same problem": one incident per subject and kind of a domain. */
export const problemKey = (p: { readonly subject: string; readonly kind: string }) =>
  `${p.subject}#${p.kind}`;
