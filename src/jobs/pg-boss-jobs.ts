/**
 * The pg-boss backend (`serve --db postgres://…` sends, `mailcharter worker` runs): one pg-boss 10
 * queue per job kind in the `pgboss` schema of the service's database. pg-boss is pinned to 10.x: the
 * 11+ line needs Node 22 and we run Node 20.
 *
 * - A job is sent with its key as pg-boss's singleton key on a `short` queue: one job of a key waits
 *   at a time (a second send while it waits is dropped), while one may run beside it (a retry of a
 *   job whose worker died).
 * - A worker runs `concurrency` jobs of a kind at once (that many pg-boss polling loops of one job
 *   each), so a slow audit never holds back the others.
 * - An exception fails the attempt; pg-boss retries it with backoff up to `retryLimit`. A job whose
 *   worker was killed stays active until `expireSeconds`, then is retried by whichever worker polls;
 *   the audit reaper (src/jobs/run-reaper.ts) gives such audits back sooner.
 * - `{ status: "retry" }` completes this job and sends the same key again for later (not a failure).
 * - `stop()` stops polling, lets running jobs finish within the grace period, then pg-boss fails the
 *   rest (they are retried elsewhere) and closes its connections.
 */
import PgBoss from "pg-boss";
import { errorMessage, MailcharterError } from "../core/errors.js";
import { jobLimits } from "../core/limits.js";
import { redactUrl } from "../store/database.js";
import {
  type JobContext,
  type JobKind,
  type JobOutcome,
  type JobPayloads,
  type Jobs,
  jobKinds,
  type SendOptions,
  type Sent,
} from "./job.js";
import type { JobHandlers } from "./job-handlers.js";

export interface PgBossJobsOptions {
  /** postgres:// URL of the service's database. */
  readonly url: string;
  readonly handlers: JobHandlers;
  /** Jobs of one kind at once in this process, unless its registration says otherwise. */
  readonly concurrency?: number;
  readonly retryLimit?: number;
  readonly retryDelaySeconds?: number;
  readonly expireSeconds?: number;
  readonly pollingIntervalSeconds?: number;
  /** Runs pg-boss's maintenance here (expiring lost jobs); `serve` and every worker do. */
  readonly supervise?: boolean;
  readonly onError?: (error: unknown) => void;
}

export interface PgBossJobs extends Jobs {
  readonly boss: PgBoss;
  /** Jobs of a kind waiting (created or retry) and active, from PostgreSQL. */
  counts(kind: JobKind): Promise<{ readonly waiting: number; readonly active: number }>;
}

type WithMeta<T> = PgBoss.JobWithMetadata<T>;

export async function pgBossJobs(options: PgBossJobsOptions): Promise<PgBossJobs> {
  const onError = options.onError ?? (() => {});
  const boss = new PgBoss({
    connectionString: options.url,
    max: 4,
    schedule: false,
    supervise: options.supervise ?? true,
    maintenanceIntervalSeconds: 30,
    application_name: "mailcharter",
  });
  // pg-boss reports a database that went away (a restart) as an event: logged, never a crash; its
  // polling loops and pool reconnect when the server is back.
  boss.on("error", onError);
  try {
    await boss.start();
  } catch (error) {
    throw new MailcharterError(
      "config",
      `--db ${redactUrl(options.url)}: pg-boss cannot start (${errorMessage(error)})`,
      {
        cause: error,
      },
    );
  }
  const queueOptions = {
    policy: "short" as const,
    retryLimit: options.retryLimit ?? jobLimits.retryLimit,
    retryDelay: options.retryDelaySeconds ?? jobLimits.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: options.expireSeconds ?? jobLimits.expireSeconds,
  };
  for (const kind of jobKinds) {
    const existing = await boss.getQueue(kind);
    if (!existing)
      await boss.createQueue(kind, { name: kind, ...queueOptions }).catch(async (error) => {
        // Another process created it at the same moment.
        if (!(await boss.getQueue(kind))) throw error;
      });
  }

  const running = new Map<string, AbortController>();
  let stopped = false;

  const send = async <K extends JobKind>(
    kind: K,
    key: string,
    payload: JobPayloads[K],
    sendOptions: SendOptions = {},
  ): Promise<Sent> => {
    const startAfter = sendOptions.startAfterMs ? Math.ceil(sendOptions.startAfterMs / 1000) : undefined;
    const id = await boss.send(
      kind,
      { key, payload },
      {
        singletonKey: key,
        ...(startAfter ? { startAfter } : {}),
      },
    );
    return { id };
  };

  async function work(kind: JobKind): Promise<void> {
    const registered = options.handlers.get(kind);
    if (!registered) return;
    const loops = Math.max(
      1,
      registered.options.concurrency ?? options.concurrency ?? jobLimits.workerConcurrency,
    );
    const handler = registered.handler as (payload: unknown, ctx: JobContext) => Promise<JobOutcome>;
    const pollingIntervalSeconds = options.pollingIntervalSeconds ?? jobLimits.pollingIntervalSeconds;
    for (let i = 0; i < loops; i++)
      await boss.work<{ key: string; payload: unknown }>(
        kind,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds },
        async (jobs: WithMeta<{ key: string; payload: unknown }>[]) => {
          for (const job of jobs) {
            const abort = new AbortController();
            running.set(job.id, abort);
            try {
              const ctx: JobContext = {
                id: job.id,
                kind,
                key: job.data.key,
                attempt: job.retryCount + 1,
                signal: abort.signal,
              };
              const outcome = await handler(job.data.payload, ctx);
              if (outcome.status === "retry")
                await send(kind, job.data.key, job.data.payload as never, {
                  startAfterMs: outcome.afterMs ?? queueOptions.retryDelay * 1000,
                });
            } catch (error) {
              onError(
                new Error(
                  `job ${kind} ${job.data.key} (attempt ${job.retryCount + 1}): ${errorMessage(error)}`,
                  { cause: error },
                ),
              );
              throw error;
            } finally {
              running.delete(job.id);
            }
          }
        },
      );
  }

  return {
    mode: "pg-boss",
    boss,
    send,
    async counts(kind) {
      const waiting = await boss.getQueueSize(kind, { before: "active" });
      const upToActive = await boss.getQueueSize(kind, { before: "completed" });
      return { waiting, active: upToActive - waiting };
    },
    async start() {
      for (const kind of options.handlers.kinds()) await work(kind);
    },
    async stop(graceMs = 20_000) {
      if (stopped) return;
      stopped = true;
      const abortLater = setTimeout(() => {
        for (const abort of running.values()) abort.abort(new Error("stopped: grace period over"));
      }, graceMs);
      abortLater.unref();
      try {
        await boss.stop({ graceful: true, wait: true, timeout: graceMs });
      } finally {
        clearTimeout(abortLater);
      }
    },
  };
}
