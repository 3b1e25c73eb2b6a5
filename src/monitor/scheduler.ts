/**
 * The scheduler: every registered domain in force is audited on its cadence (default daily, with
 * jitter). A cycle takes the domains due at its start; its audits share one endpoint cache, so an MX
 * named by many domains is probed once per cycle. A cycle holds the `cycle` lease in the store: it never
 * overlaps itself, in one process or several. A cycle interrupted by a crash is resumed, not restarted:
 * a domain whose audit was stored has its next due time in the future and is not audited again.
 */
import { ProbeCache } from "../audit/audit.js";
import { monitorLimits } from "../core/limits.js";
import type { Clock } from "../net/clock.js";
import { inForceAt } from "../registry/model.js";
import { Registry } from "../registry/repository.js";
import type { Store } from "../store/database.js";
import type { Auditor } from "./audit-job.js";
import type { RunQueue } from "./audit-queue.js";
import { dueDomains, nextDue } from "./due.js";
import type { AuditHistory, AuditRunSummary } from "./history-store.js";
import { holderIsDead } from "./holder.js";
import type { Cycle, ScheduleStore } from "./schedule-store.js";

export const cycleLease = "cycle";

export interface CycleOutcome {
  /** ran: this process ran (or resumed) the cycle; held: another live process holds the cycle lease. */
  readonly status: "ran" | "held" | "interrupted";
  readonly cycle: Cycle | null;
  readonly resumed: boolean;
  /** The cycle's runs (every domain due at its start, once), after it ended. */
  readonly runs: readonly AuditRunSummary[];
  /** Due domains left to a run queued or running outside the cycle (an on-demand audit). */
  readonly deferred: readonly string[];
  readonly heldBy?: string;
}

export interface SchedulerOptions {
  readonly store: Store;
  readonly history: AuditHistory;
  readonly schedule: ScheduleStore;
  readonly queue: RunQueue;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly jitterFraction?: number;
  readonly cycleLeaseMs?: number;
  readonly isHolderDead?: (holder: string) => boolean;
  readonly onError?: (error: unknown) => void;
  /** Waits between looks for due domains (injected so tests need no real time). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly tickMs?: number;
}

const realSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export class Scheduler {
  private readonly caches = new Map<number, ProbeCache>();
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private stopped = false;
  private inCycle = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** The auditor of a run, given the engine's auditor for a cache: a cycle's runs share the cycle's. */
  auditorFor(engine: (cache: ProbeCache) => Auditor): (run: AuditRunSummary) => Auditor {
    return (run) => {
      if (run.cycleId === null) return engine(new ProbeCache());
      let cache = this.caches.get(run.cycleId);
      if (!cache) {
        cache = new ProbeCache();
        this.caches.set(run.cycleId, cache);
      }
      return engine(cache);
    };
  }

  /** When a domain is next due after an audit finished at `finishedAt`, from its cadence. */
  nextDueAt = async (domain: string, finishedAt: number): Promise<number> => {
    const [schedule] = await this.options.schedule.schedule([domain]);
    return nextDue(
      finishedAt,
      schedule?.cadenceSeconds ?? 86_400,
      this.options.random ?? Math.random,
      this.options.jitterFraction ?? monitorLimits.jitterFraction,
    );
  };

  /** Registered domains of the signatories in force today, in registry order. */
  private async registeredDomains(): Promise<string[]> {
    const today = new Date(this.options.clock.now()).toISOString().slice(0, 10);
    const registry = await Registry.open(this.options.store);
    return (await registry.list())
      .filter((s) => inForceAt(s, today))
      .flatMap((s) => s.domains.map((d) => d.domain));
  }

  /** Runs one cycle now: resumes an unfinished one, else plans the domains due and audits them. */
  async runCycle(): Promise<CycleOutcome> {
    const { schedule, history, queue, clock } = this.options;
    const leaseMs = this.options.cycleLeaseMs ?? monitorLimits.cycleLeaseMs;
    const dead = this.options.isHolderDead ?? ((h: string) => holderIsDead(h, queue.holder));
    const held = async (): Promise<CycleOutcome> => {
      const lease = await schedule.leaseHolder(cycleLease);
      return {
        status: "held",
        cycle: null,
        resumed: false,
        runs: [],
        deferred: [],
        ...(lease ? { heldBy: lease.holder } : {}),
      };
    };
    // The lease keeps other processes out; this flag keeps a second cycle of this process out.
    if (this.inCycle) return held();
    this.inCycle = true;
    let acquired = false;
    try {
      acquired = await schedule.acquireLease(cycleLease, queue.holder, clock.now(), leaseMs, dead);
    } finally {
      if (!acquired) this.inCycle = false;
    }
    if (!acquired) return held();
    const renewal = setInterval(
      () => {
        schedule
          .renewLease(cycleLease, queue.holder, clock.now(), leaseMs)
          .catch((error) => this.options.onError?.(error));
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    let cycle: Cycle | null = null;
    try {
      await queue.recover();
      const [unfinished] = await schedule.unfinishedCycles();
      const resumed = unfinished !== undefined;
      cycle = unfinished ?? (await schedule.startCycle(queue.holder, clock.now(), 0));
      const deferred = await this.plan(cycle);
      queue.kick();
      await queue.drain(cycle.id);
      const runs = await history.runsOfCycle(cycle.id);
      if (runs.some((r) => r.status === "queued" || r.status === "running")) {
        await schedule.finishCycle(cycle.id, clock.now(), "interrupted");
        return { status: "interrupted", cycle: await schedule.cycle(cycle.id), resumed, runs, deferred };
      }
      await schedule.finishCycle(cycle.id, clock.now(), "done");
      return { status: "ran", cycle: await schedule.cycle(cycle.id), resumed, runs, deferred };
    } finally {
      clearInterval(renewal);
      this.inCycle = false;
      if (cycle) this.caches.delete(cycle.id);
      await schedule.releaseLease(cycleLease, queue.holder).catch((error) => this.options.onError?.(error));
    }
  }

  /** Queues every due domain into the cycle, once (job key `cycle:ID:DOMAIN`). */
  private async plan(cycle: Cycle): Promise<string[]> {
    const { schedule, queue, clock, history } = this.options;
    const domains = await this.registeredDomains();
    const due = dueDomains(await schedule.schedule(domains), clock.now());
    const deferred: string[] = [];
    for (const domain of due) {
      const { run } = await queue.enqueue({
        jobKey: `cycle:${cycle.id}:${domain}`,
        domain,
        trigger: "schedule",
        requestedBy: "scheduler",
        cycleId: cycle.id,
      });
      if (run.cycleId !== cycle.id) deferred.push(domain);
    }
    await schedule.setPlanned(cycle.id, (await history.runsOfCycle(cycle.id)).length);
    return deferred;
  }

  /** Runs cycles until `stop()`: one now, then one every tick (each takes only the domains due). */
  start(): void {
    if (this.loop) return;
    const sleep = this.options.sleep ?? realSleep;
    const tick = this.options.tickMs ?? monitorLimits.tickMs;
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.runCycle();
        } catch (error) {
          this.options.onError?.(error);
        }
        if (this.stopped) break;
        await sleep(tick, this.abort.signal);
      }
    })();
  }

  /** Stops the loop; the queue's own `stop()` decides what happens to running audits. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
  }

  /** Resolves when the loop has ended (after stop()). */
  async whenStopped(): Promise<void> {
    await this.loop;
  }
}
