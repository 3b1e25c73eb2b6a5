/**
 * The indicators' scheduled work (migration `2026-12-22-indicator-tasks`). Dates are ISO strings
 * (UTC). Only src/jobs reads and writes it.
 */

/**
 * One piece of scheduled indicator work and where it stands: a mailbox's fetch (`fetch:<mailbox>`,
 * due again every interval) or one organisation's TLS-RPT generation for one UTC day
 * (`tlsrpt:<organisation id>:<day>`, done once). Two processes never run one task at once: the work
 * holds the lease `indicators:<key>` (monitor_leases) while it runs.
 */
export interface IndicatorTaskTable {
  key: string;
  kind: "fetch-mailbox" | "generate-tlsrpt";
  /** due: to run at next_due_at; done: finished (a generation is not run again); failed: given up. */
  status: "due" | "done" | "failed";
  next_due_at: string;
  /** Failed attempts in a row (reset by a success). */
  attempts: number;
  last_error: string | null;
  /** What the last run did (JSON: mails stored, reports queued…). */
  detail: string | null;
  updated_at: string;
}

/**
 * An operator's retry of a given-up task (migration `2026-12-26-indicator-task-retries`): the task
 * was put back to due with its attempts reset; this keeps who, when, and what it had failed with.
 */
export interface IndicatorTaskRetryTable {
  key: string;
  retried_at: string;
  retried_by: string;
  /** The attempts the task had been given up after. */
  attempts: number;
  last_error: string | null;
}

export interface IndicatorTaskTables {
  indicator_tasks: IndicatorTaskTable;
  indicator_task_retries: IndicatorTaskRetryTable;
}
