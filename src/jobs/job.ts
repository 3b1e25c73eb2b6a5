/**
 * Jobs: the background work of the service, one code path for both modes.
 *
 * A job is a **kind** (what to do), a **key** (its idempotency key: the same key is the same job) and
 * a **payload** (JSON data; a reference to what is stored, never the bytes of a report or a log). A
 * **handler** is registered once per kind; a **backend** runs the handlers:
 *
 * - `in-process` (the embedded default, SQLite or PostgreSQL without workers): jobs run in this
 *   process; audits go through the store-backed audit queue (src/monitor/audit-queue.ts), as before.
 * - `pg-boss` (`serve --db postgres://…` and `mailcharter worker`): jobs are rows of pg-boss 10 in
 *   PostgreSQL; `serve` only sends them, any number of `worker` processes run them.
 *
 * ```ts
 * import { jobHandlers } from "../jobs/job-handlers.js";
 * const handlers = jobHandlers();
 * handlers.register("send-notice", async (payload, ctx) => {
 *   await deliverDue(...);                      // idempotent: keyed by what it delivers, not by attempt
 *   return { status: "done" };                  // or { status: "retry", reason, afterMs }
 * });
 * const jobs = inProcessJobs({ handlers });     // or await pgBossJobs({ url, handlers })
 * await jobs.start();                           // a worker or the embedded service works the kinds
 * await jobs.send("send-notice", `notice:${id}`, { ref: String(id) });
 * await jobs.stop();                            // running handlers finish within the grace period
 * ```
 *
 * Rules every handler keeps (a job may run more than once: a worker killed mid-job is retried
 * elsewhere): its writes are idempotent by the job key or by a key of what it writes (the audit run's
 * unique `job_key`, an ingestion's original digest); an exception is a failed attempt, retried with
 * backoff up to `jobLimits.retryLimit`; `{ status: "retry" }` is not a failure (someone else holds the
 * work, or the peer asked to come back later). A kind a helper adds is declared by augmenting
 * `JobPayloads` (`declare module "../jobs/job.js" { interface JobPayloads { … } }`).
 */
import type { AuditJobPayload } from "../monitor/audit-job.js";

/** A reference to stored work (an outbox row, a notice): the job carries its id. */
export interface JobRef {
  readonly ref: string;
}

/** One configured report mailbox to read (src/jobs/indicators-config.ts names them). */
export interface FetchMailboxPayload {
  readonly mailbox: string;
}

/** One organisation's TLS-RPT for one UTC day. */
export interface GenerateTlsRptPayload {
  readonly organisationId: number;
  /** YYYY-MM-DD. */
  readonly day: string;
}

/**
 * The payload of each kind. Reports posted to /tlsrpt and logs uploaded are ingested while the
 * request waits (the answer says what was stored), so no ingestion is left for a job; the endpoints
 * of a cycle are shared through the probe cache inside the audits (src/jobs/shared-probe-cache.ts),
 * not probed by jobs of their own.
 */
export interface JobPayloads {
  /** Audit one domain (the run is in the store already; `runAuditJob` does the work). */
  "audit-domain": AuditJobPayload;
  /** Read a TLS-RPT report mailbox now and store its reports (src/jobs/indicator-handlers.ts). */
  "fetch-mailbox": FetchMailboxPayload;
  /** Build an organisation's TLS-RPT reports of a day from its logs and queue them to each rua. */
  "generate-tlsrpt": GenerateTlsRptPayload;
  /** Deliver the outbox rows of a notice now (`ref`: the notice's id). */
  "send-notice": JobRef;
  /** Deliver a TLS-RPT report's outbox row now (`ref`: the row's id). */
  "send-tlsrpt": JobRef;
}

export type JobKind = keyof JobPayloads;

export const jobKinds: readonly JobKind[] = [
  "audit-domain",
  "fetch-mailbox",
  "generate-tlsrpt",
  "send-notice",
  "send-tlsrpt",
];

export interface JobContext {
  /** The backend's id of this job (pg-boss's uuid, or `local:N`). */
  readonly id: string;
  readonly kind: JobKind;
  readonly key: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  /** Aborted when the backend stops and the grace period is over: stop early, the job comes back. */
  readonly signal: AbortSignal;
}

/** What a handler says of an attempt; an exception is a failed attempt. */
export type JobOutcome =
  | { readonly status: "done"; readonly detail?: string }
  /** Not a failure: come back later (another holder has the work; a peer asked to wait). */
  | { readonly status: "retry"; readonly reason: string; readonly afterMs?: number };

export type JobHandler<K extends JobKind> = (payload: JobPayloads[K], ctx: JobContext) => Promise<JobOutcome>;

export interface SendOptions {
  /** Not before this many milliseconds from now. */
  readonly startAfterMs?: number;
}

export interface Sent {
  /** The backend's id, or null when a job of this kind and key is already waiting or running. */
  readonly id: string | null;
}

export type JobsMode = "in-process" | "pg-boss";

/** A backend: sends jobs and, once started, runs the registered handlers. */
export interface Jobs {
  readonly mode: JobsMode;
  send<K extends JobKind>(
    kind: K,
    key: string,
    payload: JobPayloads[K],
    options?: SendOptions,
  ): Promise<Sent>;
  /** Starts working the kinds that have a handler (the embedded service, a worker). */
  start(): Promise<void>;
  /** Graceful: no new job; running ones get `graceMs`, then their signal aborts; waiting ones stay queued. */
  stop(graceMs?: number): Promise<void>;
}
