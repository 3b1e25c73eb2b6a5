/**
 * The queue of audit runs in the distributed mode (`serve --db postgres://…`): the scheduler and the
 * on-demand requests queue runs in the store as before, and each run is sent as an `audit-domain` job
 * to the workers, which run `runAuditJob`. Nothing is audited in this process. `drain(cycle)` waits
 * for the store to show every run of the cycle finished, reaping runs of dead workers meanwhile and
 * sending again what stands still (a send lost with the database), so a cycle always ends.
 */
import { jobLimits } from "../core/limits.js";
import type { RunQueue, StopResult } from "../monitor/audit-queue.js";
import type { Enqueued, RunRequest } from "../monitor/history-store.js";
import type { QueueDeps } from "../monitor/monitor.js";
import { auditPayload } from "./audit-domain-handler.js";
import type { Jobs } from "./job.js";
import { reapRuns, resendQueued } from "./run-reaper.js";

export interface JobAuditQueueOptions {
  readonly jobs: Jobs;
  readonly isHolderDead?: (holder: string) => boolean;
  readonly onError?: (error: unknown) => void;
  /** Between looks at the store while draining. */
  readonly pollMs?: number;
  /** A cycle with no run finished for this long has its queued runs sent again. */
  readonly stallMs?: number;
  readonly reapIntervalMs?: number;
}

export function jobAuditQueue(options: JobAuditQueueOptions): (deps: QueueDeps) => RunQueue {
  return (deps) => new JobAuditQueue(deps, options);
}

export class JobAuditQueue implements RunQueue {
  readonly holder: string;
  readonly progress: QueueDeps["progress"];
  readonly active = 0;
  private stopping = false;
  private readonly wake = new Set<() => void>();

  constructor(
    private readonly deps: QueueDeps,
    private readonly options: JobAuditQueueOptions,
  ) {
    this.holder = deps.holder;
    this.progress = deps.progress;
  }

  private async send(enqueued: Enqueued): Promise<Enqueued> {
    if (enqueued.run.status === "queued") {
      await this.options.jobs.send("audit-domain", enqueued.run.jobKey, auditPayload(enqueued.run));
      if (enqueued.created)
        this.progress.emit({
          runId: enqueued.run.id,
          domain: enqueued.run.domain,
          phase: "queued",
          at: new Date(this.deps.clock.now()).toISOString(),
        });
    }
    return enqueued;
  }

  async enqueue(request: RunRequest): Promise<Enqueued> {
    return this.send(await this.deps.history.enqueue(request, this.deps.clock.now()));
  }

  async requestAudit(request: {
    readonly domain: string;
    readonly requestedBy: string;
    readonly idempotencyKey: string;
  }): Promise<Enqueued> {
    return this.send(await this.deps.history.requestOnDemand(request, this.deps.clock.now()));
  }

  /** Runs of dead holders back in the queue, and every queued run sent (once more) to the workers. */
  async recover(): Promise<number> {
    const reaped = await this.reap();
    await resendQueued(this.deps.history, this.options.jobs);
    return reaped;
  }

  private reap(): Promise<number> {
    return reapRuns({
      history: this.deps.history,
      jobs: this.options.jobs,
      self: this.holder,
      now: this.deps.clock.now(),
      ...(this.options.isHolderDead ? { isHolderDead: this.options.isHolderDead } : {}),
    });
  }

  /** The workers poll pg-boss: nothing to wake here. */
  kick(): void {}

  async drain(cycleId?: number): Promise<void> {
    const pollMs = this.options.pollMs ?? 1_000;
    const stallMs = this.options.stallMs ?? jobLimits.stallMs;
    const reapEvery = this.options.reapIntervalMs ?? jobLimits.reapIntervalMs;
    let lastOpen = Number.POSITIVE_INFINITY;
    let lastChange = Date.now();
    let lastReap = Date.now();
    while (!this.stopping) {
      try {
        const runs =
          cycleId === undefined
            ? await this.deps.history.queued()
            : await this.deps.history.runsOfCycle(cycleId);
        const open = runs.filter((r) => r.status === "queued" || r.status === "running").length;
        if (open === 0) return;
        if (open < lastOpen) {
          lastOpen = open;
          lastChange = Date.now();
        }
        if (Date.now() - lastReap >= reapEvery) {
          lastReap = Date.now();
          await this.reap();
        }
        if (Date.now() - lastChange >= stallMs) {
          lastChange = Date.now();
          await resendQueued(this.deps.history, this.options.jobs, cycleId);
        }
      } catch (error) {
        // The database restarting: look again at the next poll.
        this.options.onError?.(error);
      }
      await this.pause(pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake.add(done);
    });
  }

  async stop(graceMs?: number): Promise<StopResult> {
    this.stopping = true;
    for (const wake of [...this.wake]) wake();
    await this.options.jobs.stop(graceMs);
    return { finished: 0, requeued: 0 };
  }
}
