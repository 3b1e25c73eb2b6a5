/**
 * The in-process job queue: audits queued in the store (so a restart finds them), run here at most
 * `concurrency` at a time through `runAuditJob`. A domain already queued or running is not queued
 * twice (the store's rule). `stop()` lets running audits finish within a grace period and re-queues
 * the rest, so the next start resumes them.
 */
import { EventEmitter } from "node:events";
import { monitorLimits } from "../core/limits.js";
import type { Clock } from "../net/clock.js";
import { type AuditJobResult, type Auditor, runAuditJob } from "./audit-job.js";
import type { AuditHistory, AuditRunSummary, Enqueued, RunRequest } from "./history-store.js";
import { holderIsDead, newHolder } from "./holder.js";
import { ProgressHub } from "./progress.js";

export interface AuditQueueOptions {
  readonly history: AuditHistory;
  /** The auditor for a run (a scheduled cycle's audits share one endpoint cache). */
  readonly auditorFor: (run: AuditRunSummary) => Auditor;
  readonly clock: Clock;
  readonly concurrency?: number;
  readonly holder?: string;
  readonly leaseMs?: number;
  readonly progress?: ProgressHub;
  readonly nextDueAt?: (domain: string, finishedAt: number) => Promise<number | null>;
  readonly isHolderDead?: (holder: string) => boolean;
  /** Which queued runs this queue takes (default all); `monitor run-once` takes its cycle's only. */
  readonly accept?: (run: AuditRunSummary) => boolean;
  /** After a report is stored: detection and incidents (never throws). */
  readonly afterSave?: (runId: number) => Promise<void>;
  /** Errors of the queue itself (the store went away): logged by the caller, never thrown into a route. */
  readonly onError?: (error: unknown) => void;
}

export interface StopResult {
  /** Audits that finished within the grace period. */
  readonly finished: number;
  /** Audits put back in the queue for the next start. */
  readonly requeued: number;
}

/**
 * What the scheduler and the monitor's doors need of a queue of audit runs: this in-process queue, or
 * the pg-boss one of the distributed mode (src/jobs/job-audit-queue.ts), whose workers run the audits.
 */
export interface RunQueue {
  readonly holder: string;
  readonly progress: ProgressHub;
  /** Runs this process holds now. */
  readonly active: number;
  recover(): Promise<number>;
  enqueue(request: RunRequest): Promise<Enqueued>;
  requestAudit(request: {
    readonly domain: string;
    readonly requestedBy: string;
    readonly idempotencyKey: string;
  }): Promise<Enqueued>;
  kick(): void;
  drain(cycleId?: number): Promise<void>;
  stop(graceMs?: number): Promise<StopResult>;
}

export class AuditQueue implements RunQueue {
  readonly holder: string;
  readonly progress: ProgressHub;
  private readonly running = new Map<number, Promise<AuditJobResult>>();
  private readonly cycleOf = new Map<number, number | null>();
  private readonly events = new EventEmitter();
  private stopping = false;
  private pumping: Promise<void> | null = null;
  private again = false;
  private renewal: NodeJS.Timeout | null = null;
  private readonly concurrency: number;
  private readonly leaseMs: number;

  constructor(private readonly options: AuditQueueOptions) {
    this.holder = options.holder ?? newHolder();
    this.progress = options.progress ?? new ProgressHub();
    this.concurrency = Math.max(1, options.concurrency ?? monitorLimits.concurrency);
    this.leaseMs = options.leaseMs ?? monitorLimits.runLeaseMs;
    this.events.setMaxListeners(0);
  }

  /** Re-queues what dead holders (kill -9, a crash) or expired leases left running; then starts. */
  async recover(): Promise<number> {
    const { history, clock } = this.options;
    const dead = this.options.isHolderDead ?? ((h: string) => holderIsDead(h, this.holder));
    const holders = (await history.runningHolders()).filter((h) => h !== this.holder && dead(h));
    const requeued = await history.requeue({ holders, expiredAt: clock.now() });
    this.kick();
    return requeued;
  }

  /** Queues an audit (a scheduled one, or the CLI's) and starts it when a slot is free. */
  async enqueue(request: RunRequest): Promise<Enqueued> {
    const enqueued = await this.options.history.enqueue(request, this.options.clock.now());
    this.announce(enqueued);
    return enqueued;
  }

  /**
   * An audit asked for by a person or a client. The same idempotency key gives the same run; a domain
   * already queued or running gives back that run (`created: false`).
   */
  async requestAudit(request: {
    readonly domain: string;
    readonly requestedBy: string;
    readonly idempotencyKey: string;
  }): Promise<Enqueued> {
    const enqueued = await this.options.history.requestOnDemand(request, this.options.clock.now());
    this.announce(enqueued);
    return enqueued;
  }

  private announce(enqueued: Enqueued): void {
    if (enqueued.created)
      this.progress.emit({
        runId: enqueued.run.id,
        domain: enqueued.run.domain,
        phase: "queued",
        at: new Date(this.options.clock.now()).toISOString(),
      });
    this.kick();
  }

  /** Runs this queue holds now. */
  get active(): number {
    return this.running.size;
  }

  /** Looks for queued runs to start (never throws: errors go to onError). */
  kick(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pump(): Promise<void> {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return;
    const queued = await this.options.history.queued({ limit: 500 });
    for (const run of queued) {
      if (this.stopping || this.running.size >= this.concurrency) break;
      if (this.running.has(run.id) || (this.options.accept && !this.options.accept(run))) continue;
      this.start(run);
    }
  }

  private start(run: AuditRunSummary): void {
    const { history, clock } = this.options;
    this.ensureRenewal();
    const job = runAuditJob(
      {
        runId: run.id,
        jobKey: run.jobKey,
        domain: run.domain,
        trigger: run.trigger,
        requestedBy: run.requestedBy,
        cycleId: run.cycleId,
      },
      {
        history,
        clock,
        audit: this.options.auditorFor(run),
        holder: this.holder,
        leaseMs: this.leaseMs,
        progress: this.progress,
        ...(this.options.nextDueAt ? { nextDueAt: this.options.nextDueAt } : {}),
        ...(this.options.afterSave ? { afterSave: this.options.afterSave } : {}),
      },
    );
    this.running.set(run.id, job);
    this.cycleOf.set(run.id, run.cycleId);
    job
      .catch((error): AuditJobResult => {
        // The store failed mid-job: the run stays claimed, its lease expires, another start re-queues it.
        this.options.onError?.(error);
        return { runId: run.id, domain: run.domain, outcome: "failed", verdict: null, error: String(error) };
      })
      .then((result) => {
        this.running.delete(run.id);
        this.cycleOf.delete(run.id);
        if (this.running.size === 0) this.stopRenewal();
        this.events.emit("settled", result);
        this.kick();
      });
  }

  private ensureRenewal(): void {
    if (this.renewal) return;
    this.renewal = setInterval(
      () => {
        this.options.history
          .renew(this.holder, this.options.clock.now(), this.leaseMs)
          .catch((error) => this.options.onError?.(error));
      },
      Math.max(1_000, Math.floor(this.leaseMs / 3)),
    );
    this.renewal.unref();
  }

  private stopRenewal(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
  }

  /** The next job result of this queue. */
  private nextSettled(): Promise<void> {
    return new Promise((resolve) => this.events.once("settled", () => resolve()));
  }

  /**
   * Resolves when no run (of `cycleId`, when given) is queued in the store or running here. Runs
   * queued by other processes are counted too: this queue takes them.
   */
  async drain(cycleId?: number): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const all = await this.options.history.queued(cycleId === undefined ? {} : { cycleId });
      const queued = this.options.accept ? all.filter(this.options.accept) : all;
      const mine = [...this.running.keys()].filter(
        (id) => cycleId === undefined || this.cycleOf.get(id) === cycleId,
      );
      if (queued.length === 0 && mine.length === 0) return;
      if (queued.length > 0 && mine.length === 0) {
        this.kick();
        // Nothing of ours runs: the queued runs are claimed elsewhere or waiting for a kick; look again soon.
        await Promise.race([this.nextSettled(), new Promise((r) => setTimeout(r, 200).unref())]);
        continue;
      }
      await this.nextSettled();
    }
  }

  /**
   * Graceful stop (SIGTERM): takes no new run, lets running audits finish within `graceMs`, then puts
   * the unfinished ones back in the queue (a restart resumes them; a result that arrives later is
   * still stored once, by job key).
   */
  async stop(graceMs: number = monitorLimits.stopGraceMs): Promise<StopResult> {
    this.stopping = true;
    const pending = [...this.running.values()];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    await Promise.race([Promise.allSettled(pending), timeout]);
    clearTimeout(timer);
    await this.pumping;
    const left = this.running.size;
    this.stopRenewal();
    const requeued = left > 0 ? await this.options.history.requeue({ holders: [this.holder] }) : 0;
    return { finished: pending.length - left, requeued };
  }
}
