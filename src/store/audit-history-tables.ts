/**
 * Tables of the audit history and the scheduler (migration `2026-12-01-audit-history`). Dates are ISO
 * strings (UTC, `2026-12-01T20:00:00.000Z`) so both engines order and compare them alike; booleans are
 * 0/1 integers; JSON is text. Only src/monitor reads and writes them.
 */
import type { Generated } from "kysely";

/** One audit of one domain, from the moment it is queued; `job_key` makes every write idempotent. */
export interface AuditRunTable {
  id: Generated<number>;
  job_key: string;
  /** The registry's domain id when the domain is registered (kept null after a removal). */
  domain_id: number | null;
  domain: string;
  /** The organisation's name at the time of the audit (history survives a rename or withdrawal). */
  organisation: string | null;
  trigger: "schedule" | "on_demand" | "cli";
  /** Who started it: an account, "scheduler", or the CLI user. */
  requested_by: string;
  cycle_id: number | null;
  status: "queued" | "running" | "done" | "failed";
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  verdict: "compliant" | "non_compliant" | "inconclusive" | null;
  /** The full report of the contract (mailcharter/audit/1), as JSON text. */
  report: string | null;
  error: string | null;
  /** The process holding a running audit, and until when: past it, the run is re-queued. */
  claimed_by: string | null;
  claim_expires_at: string | null;
}

/** One row per measure of a finished audit: the agency's matrix reads these, not the JSON. */
export interface AuditMeasureTable {
  run_id: number;
  domain: string;
  measure_id: string;
  charter: number;
  status: "pass" | "warn" | "fail" | "not_applicable" | "error";
  finished_at: string;
}

/** One row per endpoint of a finished audit, with its TLS summary. */
export interface AuditEndpointTable {
  run_id: number;
  position: number;
  host: string;
  address: string | null;
  port: number;
  service: string;
  tls_mode: string;
  starttls_advertised: number | null;
  tls_version: string | null;
  cipher_suite: string | null;
  /** JSON array of the versions the enumeration found, or null when it did not run. */
  versions: string | null;
  certificate_status: string | null;
  certificate_not_after: string | null;
  certificate_sha256: string | null;
  outcome: string;
  error_step: string | null;
  error_reason: string | null;
  connections: number;
}

/** An on-demand request, keyed by the client's idempotency key: a retried request is the same run. */
export interface AuditRequestTable {
  idempotency_key: string;
  domain: string;
  requested_by: string;
  requested_at: string;
  run_id: number;
}

/** Per-domain cadence (set by the agency) and when it is next due. */
export interface MonitorScheduleTable {
  domain: string;
  cadence_seconds: number;
  next_due_at: string | null;
  last_run_id: number | null;
  updated_at: string;
}

/** One scheduler cycle: the domains due at its start, audited once each. */
export interface MonitorCycleTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  status: "running" | "done" | "interrupted";
  holder: string;
  planned: number;
}

/** Named leases: `cycle` is held by the one process running a cycle, until `expires_at`. */
export interface MonitorLeaseTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface AuditHistoryTables {
  audit_runs: AuditRunTable;
  audit_measures: AuditMeasureTable;
  audit_endpoints: AuditEndpointTable;
  audit_requests: AuditRequestTable;
  monitor_schedule: MonitorScheduleTable;
  monitor_cycles: MonitorCycleTable;
  monitor_leases: MonitorLeaseTable;
}
