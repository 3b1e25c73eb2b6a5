/**
 * Tables of the monitoring of interruptions (migration `2026-12-09-incidents`): the last good state of
 * each endpoint and domain-wide record, suspicions waiting for their confirming probe, incidents and
 * their timeline. Dates are ISO strings (UTC); JSON is text. Only src/monitor/incidents reads and
 * writes them.
 */
import type { Generated } from "kysely";

/**
 * The last good state of one subject of a domain: an endpoint (`endpoint:host|address|port|service`)
 * or a domain-wide record (`measure:mx.dane`). Also counts how long it has been impossible to check.
 */
export interface MonitorBaselineTable {
  domain: string;
  subject: string;
  /** The audit that observed the good state. */
  run_id: number;
  observed_at: string;
  /** The state (src/monitor/detection/subject-state.ts) as JSON. */
  state: string;
  /** Since when every observation was "could not check" (null: checked at the last audit). */
  unknown_since: string | null;
  /** Observations that could not check, in a row. */
  unknown_count: number;
  last_unknown_reason: string | null;
}

/** An audit whose detections were processed (each audit once, whichever process stored it). */
export interface MonitorProcessedRunTable {
  run_id: number;
  processed_at: string;
}

/** A change for the worse seen once, waiting for the confirming probe. */
export interface MonitorSuspicionTable {
  id: Generated<number>;
  domain: string;
  subject: string;
  kind: string;
  run_id: number;
  observed_at: string;
  /** When the confirming audit is asked for. */
  confirm_at: string;
  status: "pending" | "confirmed" | "cleared";
  /** The confirming audit's run, once queued. */
  confirm_run_id: number | null;
  settled_at: string | null;
  /** The detection (JSON). */
  detection: string;
}

export interface IncidentTable {
  id: Generated<number>;
  domain: string;
  organisation: string | null;
  subject: string;
  kind: string;
  severity: "interruption" | "warning";
  state: "open" | "acknowledged" | "resolved";
  /** Who is told (Charte art. 4.6): every signatory, or the organisation and the agency. */
  audience: "all" | "organisation";
  /** The last good observation before the interruption (null for warnings). */
  last_good_at: string | null;
  last_good_run_id: number | null;
  first_observed_at: string;
  first_run_id: number;
  opened_at: string;
  /** The audit that confirmed it. */
  confirm_run_id: number;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolve_run_id: number | null;
  last_seen_at: string;
  reopened: number;
  /** The detection's details (JSON: from, to, endpoint; for indicators, the evidence). */
  details: string;
  /** `audit` (an audit's detection) or `indicators` (a link's figures, TLS-RPT reports). */
  basis: Generated<"audit" | "indicators">;
  /** Of a link incident: the other organisation of the link (it sees and is told too). */
  peer_organisation: Generated<string | null>;
}

export interface IncidentEventTable {
  id: Generated<number>;
  incident_id: number;
  at: string;
  type:
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
  run_id: number | null;
  author: string | null;
  text: string | null;
  /** Event details (JSON), e.g. the threshold crossed. */
  data: string | null;
}

export interface IncidentTables {
  monitor_baselines: MonitorBaselineTable;
  monitor_processed_runs: MonitorProcessedRunTable;
  monitor_suspicions: MonitorSuspicionTable;
  incidents: IncidentTable;
  incident_events: IncidentEventTable;
}
