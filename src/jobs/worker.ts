/**
 * A worker of the distributed mode (`mailcharter worker --db postgres://…`): pg-boss jobs in, the
 * same handlers as the embedded service out (audits; with `indicators`, the report mailboxes, the
 * TLS-RPT days and the outbox rows, src/jobs/indicator-handlers.ts). It holds the runs it audits under its own holder name,
 * renews their lease while it lives, reaps the runs of workers that died, and on SIGTERM stops taking
 * jobs, lets running audits finish within the grace period and hands the rest back at once.
 */
import { ProbeCache } from "../audit/audit.js";
import { jobLimits, monitorLimits } from "../core/limits.js";
import type { AuditJobResult, Auditor } from "../monitor/audit-job.js";
import { newHolder } from "../monitor/holder.js";
import { openMonitor } from "../monitor/monitor.js";
import { type Clock, systemClock } from "../net/clock.js";
import type { Resolver } from "../net/resolver.js";
import type { NotifyConfig } from "../notify/config.js";
import type { Transports } from "../notify/deliver.js";
import type { Store } from "../store/database.js";
import { auditDomainHandler, auditPayload } from "./audit-domain-handler.js";
import { type IndicatorWorkContext, registerIndicatorHandlers } from "./indicator-handlers.js";
import { type IndicatorService, startIndicatorService } from "./indicator-service.js";
import type { IndicatorsConfig } from "./indicators-config.js";
import { jobAuditQueue } from "./job-audit-queue.js";
import { jobHandlers } from "./job-handlers.js";
import { type PgBossJobs, pgBossJobs } from "./pg-boss-jobs.js";
import { reapRuns } from "./run-reaper.js";

export interface WorkerOptions {
  readonly url: string;
  readonly store: Store;
  /** The engine's auditor for an endpoint cache (a cycle's audits share one). */
  readonly auditor: (cache: ProbeCache) => Auditor;
  /** The cache of a cycle (default: one per cycle in this process; the fleet's is in PostgreSQL). */
  readonly cacheFor?: (cycleId: number) => ProbeCache;
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly holder?: string;
  readonly runLeaseMs?: number;
  readonly reapIntervalMs?: number;
  readonly expireSeconds?: number;
  readonly isHolderDead?: (holder: string) => boolean;
  readonly onError?: (error: unknown) => void;
  readonly onResult?: (result: AuditJobResult) => void;
  /**
   * The indicators and the outbox (src/jobs/indicator-handlers.ts): this worker reads the report
   * mailboxes, generates the TLS-RPT days and delivers outbox rows as jobs ask, and runs the
   * indicators' schedule too. Absent: the worker takes audit jobs only.
   */
  readonly indicators?: {
    readonly config: IndicatorsConfig;
    readonly notify: NotifyConfig;
    readonly resolver: Resolver;
    readonly log?: (line: string) => void;
    /** The senders of outbox rows (scripted in tests; the real ones by default). */
    readonly transports?: Transports;
  };
}

export interface WorkerStats {
  readonly done: number;
  readonly alreadyDone: number;
  readonly held: number;
  readonly failed: number;
  readonly reaped: number;
}

export interface RunningWorker {
  readonly holder: string;
  readonly jobs: PgBossJobs;
  readonly stats: WorkerStats;
  /** What the indicators' schedule does here, or null without it. */
  readonly indicators: string | null;
  /** Graceful stop; resolves with the runs handed back to the fleet. */
  stop(graceMs?: number): Promise<{ readonly handedBack: number }>;
}

/** A send-notice job for each notice not yet addressed (the job key keeps one per notice). */
async function sendNewNotices(store: Store, jobs: PgBossJobs): Promise<void> {
  const fresh = await store.db
    .selectFrom("notify_notices")
    .select("id")
    .where("expanded_at", "is", null)
    .orderBy("id")
    .limit(100)
    .execute();
  for (const { id } of fresh) await jobs.send("send-notice", `notice:${id}`, { ref: String(id) });
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const clock = options.clock ?? systemClock;
  const holder = options.holder ?? newHolder();
  const leaseMs = options.runLeaseMs ?? monitorLimits.runLeaseMs;
  const onError = options.onError ?? (() => {});
  const stats = { done: 0, alreadyDone: 0, held: 0, failed: 0, reaped: 0 };
  const handlers = jobHandlers();
  const concurrency = options.concurrency ?? jobLimits.workerConcurrency;
  const jobs = await pgBossJobs({
    url: options.url,
    handlers,
    concurrency,
    onError,
    ...(options.expireSeconds !== undefined ? { expireSeconds: options.expireSeconds } : {}),
  });
  // The monitor gives the history and the cadence (next due times); its queue only sends.
  const monitor = await openMonitor({
    store: options.store,
    auditor: options.auditor,
    clock,
    holder,
    onError,
    queue: jobAuditQueue({ jobs, onError }),
  });
  const caches = new Map<number, ProbeCache>();
  const make = options.cacheFor ?? (() => new ProbeCache());
  const cacheFor = (cycleId: number) => {
    let cache = caches.get(cycleId);
    if (!cache) {
      cache = make(cycleId);
      caches.set(cycleId, cache);
      // A worker lives through many cycles: keep the caches of the last few only.
      for (const old of [...caches.keys()].slice(0, -4)) caches.delete(old);
    }
    return cache;
  };
  // A job that failed on the store (PostgreSQL restarting) leaves its run claimed by this live worker:
  // put it back in the queue as soon as the store answers again, so no run waits for a lease to pass.
  const toRelease = new Set<number>();
  let releasing: Promise<void> | null = null;
  const release = () => {
    releasing ??= (async () => {
      for (let pause = 250; toRelease.size > 0; pause = Math.min(pause * 2, 5_000)) {
        for (const runId of [...toRelease]) {
          try {
            const run = await monitor.history.requeueRun(runId, holder);
            if (run) await jobs.send("audit-domain", run.jobKey, auditPayload(run));
            toRelease.delete(runId);
          } catch {
            // Still away: try again after the pause.
          }
        }
        if (toRelease.size > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
    })().finally(() => {
      releasing = null;
    });
  };
  const audit = auditDomainHandler(
    (payload) => ({
      history: monitor.history,
      audit: options.auditor(payload.cycleId == null ? new ProbeCache() : cacheFor(payload.cycleId)),
      clock,
      holder,
      leaseMs,
      progress: monitor.progress,
      nextDueAt: (domain: string, finishedAt: number) => monitor.scheduler.nextDueAt(domain, finishedAt),
      // Detection and incidents after each stored audit, as in the embedded mode; with the outbox
      // handlers here, the notices it enqueued go out now as send-notice jobs.
      afterSave: async (runId: number) => {
        await monitor.watch.afterAudit(runId);
        if (options.indicators) await sendNewNotices(options.store, jobs).catch(onError);
      },
    }),
    (result) => {
      if (result.outcome === "done") stats.done++;
      else if (result.outcome === "already_done") stats.alreadyDone++;
      else if (result.outcome === "held") stats.held++;
      else stats.failed++;
      options.onResult?.(result);
    },
  );
  handlers.register(
    "audit-domain",
    async (payload, ctx) => {
      try {
        return await audit(payload, ctx);
      } catch (error) {
        toRelease.add(payload.runId);
        release();
        throw error;
      }
    },
    { concurrency },
  );

  let indicators: IndicatorService | null = null;
  if (options.indicators) {
    const ctx: IndicatorWorkContext = {
      store: options.store,
      indicators: options.indicators.config,
      notify: options.indicators.notify,
      resolver: options.indicators.resolver,
      clock,
      holder,
      jobs: () => jobs,
      ...(options.indicators.log ? { log: options.indicators.log } : {}),
      ...(options.indicators.transports ? { transports: options.indicators.transports } : {}),
    };
    await registerIndicatorHandlers(handlers, ctx);
    indicators = await startIndicatorService({
      store: options.store,
      indicators: options.indicators.config,
      notify: options.indicators.notify,
      resolver: options.indicators.resolver,
      holder,
      backend: { mode: "pg-boss", jobs },
      schedule: true,
      clock,
      onError,
    });
  }

  const renewal = setInterval(
    () => void monitor.history.renew(holder, clock.now(), leaseMs).catch(onError),
    Math.max(1_000, Math.floor(leaseMs / 3)),
  );
  const reap = async () => {
    stats.reaped += await reapRuns({
      history: monitor.history,
      jobs,
      self: holder,
      now: clock.now(),
      ...(options.isHolderDead ? { isHolderDead: options.isHolderDead } : {}),
    });
  };
  const reaper = setInterval(
    () => void reap().catch(onError),
    options.reapIntervalMs ?? jobLimits.reapIntervalMs,
  );
  await reap().catch(onError);
  await jobs.start();

  return {
    holder,
    jobs,
    stats,
    indicators: indicators?.summary ?? null,
    async stop(graceMs = monitorLimits.stopGraceMs) {
      clearInterval(reaper);
      await indicators?.stop();
      await jobs.stop(graceMs);
      await releasing;
      clearInterval(renewal);
      // What did not finish in time goes back to the queue now, for another worker.
      const back = await monitor.history.reclaim({ holders: [holder] }).catch((error) => {
        onError(error);
        return [];
      });
      if (back.length > 0) {
        const sender = await pgBossJobs({
          url: options.url,
          handlers: jobHandlers(),
          supervise: false,
          onError,
        });
        for (const run of back)
          await sender.send("audit-domain", run.jobKey, auditPayload(run)).catch(onError);
        await sender.stop(1_000);
      }
      return { handedBack: back.length };
    },
  };
}
