/**
 * The monitor as one object for its doors (`serve`, `monitor run-once`, workers): the history, the
 * schedule, the queue of audits with live progress, and the scheduler. Pages and API call these
 * functions; none of them reaches SQL.
 *
 * ```ts
 * const monitor = await openMonitor({ store, auditor: (cache) => engineAuditor(options, network, () => cache) });
 * monitor.start();                                   // the in-process scheduler (not with --no-scheduler)
 * const { run } = await monitor.requestAudit({ domain, requestedBy, idempotencyKey });
 * for await (const event of monitor.progress.follow(run.id)) …;   // queued → discovering → probing n/m → done
 * await monitor.incidents.list({ state: "unresolved" });   // detection runs after every audit
 * process.on("SIGTERM", () => monitor.stop());       // running audits finish within the grace, else re-queued
 * ```
 */
import type { ProbeCache } from "../audit/audit.js";
import { monitorLimits } from "../core/limits.js";
import { type Clock, systemClock } from "../net/clock.js";
import type { Store } from "../store/database.js";
import type { Auditor } from "./audit-job.js";
import { AuditQueue, type RunQueue, type StopResult } from "./audit-queue.js";
import { AuditHistory, type AuditRunSummary, type Enqueued } from "./history-store.js";
import { newHolder } from "./holder.js";
import type { NoticeSink } from "./incidents/incident-notice.js";
import { IncidentStore } from "./incidents/incident-store.js";
import { indicatorOutboxTeller } from "./incidents/indicator-notice.js";
import { type IndicatorLimits, IndicatorWatch } from "./incidents/indicator-watch.js";
import { outboxSink } from "./incidents/outbox-notice.js";
import { Watch, type WatchLimits } from "./incidents/watch.js";
import { ProgressHub } from "./progress.js";
import { ScheduleStore } from "./schedule-store.js";
import { type CycleOutcome, Scheduler } from "./scheduler.js";

export interface MonitorOptions {
  readonly store: Store;
  /** The engine's auditor for an endpoint cache (a cycle's audits share one). */
  readonly auditor: (cache: ProbeCache) => Auditor;
  readonly clock?: Clock;
  readonly concurrency?: number;
  readonly holder?: string;
  readonly random?: () => number;
  readonly isHolderDead?: (holder: string) => boolean;
  readonly onError?: (error: unknown) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly tickMs?: number;
  readonly runLeaseMs?: number;
  readonly cycleLeaseMs?: number;
  /** Which queued runs this process takes (default all). */
  readonly accept?: (run: AuditRunSummary) => boolean;
  /**
   * Another queue than the in-process one: the distributed mode's (src/jobs/job-audit-queue.ts), which
   * sends each run to the workers instead of running it here.
   */
  readonly queue?: (deps: QueueDeps) => RunQueue;
  /** Where incident notices go (default: the notification outbox, src/notify, in the incident's transaction). */
  readonly notify?: NoticeSink;
  /** The confirming probe's pause, the "could not check" and flapping thresholds (tests shorten them). */
  readonly incidentLimits?: Partial<WatchLimits>;
  /** How the watch waits for a confirming probe's pause (injected so tests need no real time). */
  readonly watchSleep?: (ms: number) => Promise<void>;
  /** Ask for confirming audits by timer after the pause (default); `monitor run-once` waits instead. */
  readonly confirmTimers?: boolean;
  /** The indicator detections' thresholds (tests shorten them); `tellIndicators: false` queues no notice. */
  readonly indicatorLimits?: Partial<IndicatorLimits>;
  readonly tellIndicators?: boolean;
}

/** What a queue is built from (the monitor's own history, clock, holder and progress). */
export interface QueueDeps {
  readonly history: AuditHistory;
  readonly clock: Clock;
  readonly holder: string;
  readonly progress: ProgressHub;
  readonly nextDueAt: (domain: string, finishedAt: number) => Promise<number | null>;
}

export interface Monitor {
  readonly history: AuditHistory;
  readonly schedule: ScheduleStore;
  readonly queue: RunQueue;
  readonly scheduler: Scheduler;
  readonly progress: ProgressHub;
  /** Incidents: list, timeline, acknowledge, comment. */
  readonly incidents: IncidentStore;
  /** Detection after each audit, and the confirming audits. */
  readonly watch: Watch;
  /** Detection from the indicators (link figures, TLS-RPT), in every cycle. */
  readonly indicators: IndicatorWatch;
  /** An audit on demand; the same idempotency key or a domain already queued gives the existing run. */
  requestAudit(request: { domain: string; requestedBy: string; idempotencyKey: string }): Promise<Enqueued>;
  /** One cycle now (what `monitor run-once` does), then the confirming audits it calls for. */
  runCycle(): Promise<CycleOutcome>;
  /** Re-queues what a dead process left running and starts queued audits (call at start, scheduler or not). */
  recover(): Promise<number>;
  /** Starts the in-process scheduler (a cycle now, then every tick). */
  start(): void;
  /** Graceful stop: no new audit; running ones finish within `graceMs`, else are re-queued. */
  stop(graceMs?: number): Promise<StopResult>;
}

export async function openMonitor(options: MonitorOptions): Promise<Monitor> {
  const clock = options.clock ?? systemClock;
  const history = await AuditHistory.open(options.store);
  const schedule = await ScheduleStore.open(options.store);
  const progress = new ProgressHub();
  const holder = options.holder ?? newHolder();
  const notify = options.notify ?? outboxSink;
  const incidents = await IncidentStore.open(options.store, { notify });
  // The queue asks the scheduler for caches and next due times; the scheduler drives the queue.
  let scheduler: Scheduler | undefined;
  let queueRef: RunQueue | undefined;
  const watch = new Watch({
    history,
    incidents,
    clock,
    timers: options.confirmTimers ?? true,
    requestAudit: async (domain, jobKey) =>
      (
        await (queueRef as RunQueue).enqueue({
          jobKey,
          domain,
          trigger: "on_demand",
          requestedBy: "monitor",
          cycleId: null,
        })
      ).run.id,
    notify,
    ...(options.incidentLimits ? { limits: options.incidentLimits } : {}),
    ...(options.watchSleep ? { sleep: options.watchSleep } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const indicators = new IndicatorWatch({
    store: options.store,
    clock,
    ...(options.tellIndicators === false ? {} : { tell: indicatorOutboxTeller }),
    ...(options.indicatorLimits ? { limits: options.indicatorLimits } : {}),
  });
  const nextDueAt = (domain: string, finishedAt: number) =>
    (scheduler as Scheduler).nextDueAt(domain, finishedAt);
  const queue: RunQueue = options.queue
    ? options.queue({ history, clock, holder, progress, nextDueAt })
    : new AuditQueue({
        history,
        clock,
        holder,
        progress,
        auditorFor: (run) => (scheduler as Scheduler).auditorFor(options.auditor)(run),
        nextDueAt,
        afterSave: (runId) => watch.afterAudit(runId),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.runLeaseMs !== undefined ? { leaseMs: options.runLeaseMs } : {}),
        ...(options.isHolderDead ? { isHolderDead: options.isHolderDead } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
        ...(options.accept ? { accept: options.accept } : {}),
      });
  queueRef = queue;
  scheduler = new Scheduler({
    store: options.store,
    history,
    schedule,
    queue,
    clock,
    ...(options.random ? { random: options.random } : {}),
    ...(options.isHolderDead ? { isHolderDead: options.isHolderDead } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    ...(options.cycleLeaseMs !== undefined ? { cycleLeaseMs: options.cycleLeaseMs } : {}),
  });
  const owned = scheduler;
  // Runs another process stored (workers) and confirmations left by a restart: looked at every tick.
  let ticker: NodeJS.Timeout | null = null;
  return {
    history,
    schedule,
    queue,
    scheduler: owned,
    progress,
    incidents,
    watch,
    indicators,
    requestAudit: (request) => queue.requestAudit(request),
    async runCycle() {
      const outcome = await owned.runCycle();
      if (outcome.status !== "held") {
        await watch.settle(() => queue.drain());
        // The indicators are evaluated by the process that holds the cycle, once per cycle.
        await indicators.evaluate().catch((error) => options.onError?.(error));
      }
      return outcome;
    },
    recover: () => queue.recover(),
    start() {
      void queue.recover().catch((error) => options.onError?.(error));
      owned.start();
      const look = () => {
        void watch
          .sweep()
          .then(() => watch.confirmDue())
          .catch((error) => options.onError?.(error));
        void indicators.evaluateIfDue().catch((error) => options.onError?.(error));
      };
      look();
      ticker = setInterval(
        look,
        Math.min(options.tickMs ?? monitorLimits.tickMs, watch.limits.confirmPauseMs),
      );
      ticker.unref();
    },
    async stop(graceMs = monitorLimits.stopGraceMs) {
      if (ticker) clearInterval(ticker);
      watch.stop();
      await owned.stop();
      const result = await queue.stop(graceMs);
      await owned.whenStopped();
      return result;
    },
  };
}
