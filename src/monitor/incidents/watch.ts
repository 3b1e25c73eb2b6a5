/**
 * The watch: after every audit the monitor stores (scheduled or on demand), detection against the
 * last good states, the plan, the store, the notices — and, for a suspected interruption, the
 * confirming audit after a pause. Audits are processed one at a time in this process, once in all
 * (the store's mark); `sweep()` processes what other processes (workers) stored.
 *
 * ```ts
 * const watch = new Watch({ history, incidents, clock, requestAudit, notify });
 * await watch.afterAudit(runId);      // the queue's post-audit hook
 * await watch.settle(drain);          // `monitor run-once`: wait for the confirming audits
 * ```
 */
import { incidentLimits } from "../../core/limits.js";
import type { Clock } from "../../net/clock.js";
import { type Baseline, detect } from "../detection/detect.js";
import type { Detection } from "../detection/detection.js";
import type { AuditHistory } from "../history-store.js";
import { type Incident, problemKey } from "./incident.js";
import type { NoticeSink } from "./incident-notice.js";
import type { Applied, IncidentStore, Teller } from "./incident-store.js";
import { type PlanLimits, planAudit, type Step } from "./plan.js";

/** Job keys of the confirming audits (`monitor run-once` takes them with its cycle's). */
export const confirmJobPrefix = "confirm:";

export interface WatchLimits extends PlanLimits {
  readonly confirmWaitMs: number;
}

export interface WatchOptions {
  readonly history: AuditHistory;
  readonly incidents: IncidentStore;
  readonly clock: Clock;
  /** Queues the confirming audit of a domain under a job key; returns its run id. */
  readonly requestAudit: (domain: string, jobKey: string) => Promise<number>;
  readonly notify?: NoticeSink;
  readonly limits?: Partial<WatchLimits>;
  readonly onError?: (error: unknown) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Ask for confirming audits by timer (serve); `monitor run-once` uses `settle` instead. */
  readonly timers?: boolean;
}

/** One detection of an audit and what it led to. */
export interface WatchedDetection {
  readonly detection: Detection;
  readonly organisation: string | null;
  readonly step: Step;
  readonly incidentId: number | null;
}

export interface IncidentChange {
  readonly incidentId: number;
  readonly change: Applied["change"] | "ongoing";
  readonly runId: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class Watch {
  readonly limits: WatchLimits;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly seen: WatchedDetection[] = [];
  private readonly changes: IncidentChange[] = [];
  private stopped = false;

  constructor(private readonly options: WatchOptions) {
    this.limits = {
      confirmPauseMs: options.limits?.confirmPauseMs ?? incidentLimits.confirmPauseMs,
      couldNotCheckIncidentMs:
        options.limits?.couldNotCheckIncidentMs ?? incidentLimits.couldNotCheckIncidentMs,
      flapWindowMs: options.limits?.flapWindowMs ?? incidentLimits.flapWindowMs,
      confirmWaitMs: options.limits?.confirmWaitMs ?? incidentLimits.confirmWaitMs,
    };
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The post-audit hook: never throws (a failure is reported, and `sweep` retries the audit). */
  afterAudit(runId: number): Promise<void> {
    return this.serial(() => this.process(runId)).catch((error) => this.options.onError?.(error));
  }

  /** Processes the stored audits not processed yet (another process's, or after a crash). */
  sweep(): Promise<number> {
    return this.serial(async () => {
      const since = new Date(this.options.clock.now() - incidentLimits.sweepWindowMs).toISOString();
      const ids = await this.options.incidents.unprocessedRuns(since);
      for (const id of ids) await this.process(id);
      return ids.length;
    });
  }

  private async process(runId: number): Promise<void> {
    const { incidents, history, clock } = this.options;
    if (await incidents.isProcessed(runId)) return;
    const run = await history.getAudit(runId);
    if (!run?.report || run.status !== "done" || run.trigger === "cli") return;
    const domain = run.domain;
    const at = run.report.finishedAt;
    const { baselines, counters } = await incidents.baselines(domain);
    const result = detect(baselines, { runId, report: run.report });
    const since = new Date(Date.parse(at) - this.limits.flapWindowMs).toISOString();
    const known = await incidents.incidentsOf(domain, since);
    const pending = await incidents.pendingSuspicions(domain);
    const plan = planAudit({
      domain,
      organisation: run.organisation,
      runId,
      at,
      result,
      incidents: known,
      pending,
      counters,
      baselines: baselines as Baseline[],
      limits: this.limits,
    });
    const now = new Date(clock.now()).toISOString();
    const applied = await incidents.apply(
      { domain, organisation: run.organisation, runId, at },
      plan.actions,
      now,
      this.teller,
    );
    if (applied === null) return;
    const after = new Map((await incidents.incidentsOf(domain, since)).map((i) => [problemKey(i), i]));
    const lastingKey = (d: Detection) =>
      d.severity === "could_not_check"
        ? problemKey({ subject: d.subject, kind: "could_not_check" })
        : problemKey(d);
    for (const { detection, step } of plan.steps) {
      const incident =
        step === "suspected" || step === "counted" ? undefined : after.get(lastingKey(detection));
      this.seen.push({ detection, organisation: run.organisation, step, incidentId: incident?.id ?? null });
      if (incident && step === "ongoing")
        this.changes.push({ incidentId: incident.id, change: "ongoing", runId });
    }
    for (const a of applied) this.changes.push({ ...a, runId });
    if (this.options.timers && plan.actions.some((a) => a.type === "suspect")) this.confirmLater();
  }

  /** The notice of an applied change, handed to the sink inside the change's transaction. */
  private readonly teller: Teller = async (db, applied, incident) => {
    const notify = this.options.notify;
    if (!notify) return false;
    const event =
      applied.change === "threshold" || (applied.change === "opened" && incident.severity === "warning")
        ? "warning"
        : applied.change;
    const thresholdDays =
      event === "warning" ? incident.thresholds[incident.thresholds.length - 1] : undefined;
    const key = `incident:${incident.id}:${event}:${event === "warning" ? thresholdDays : incident.reopened}`;
    await notify(
      {
        event,
        key,
        audience: incident.audience,
        incident,
        ...(thresholdDays !== undefined ? { thresholdDays } : {}),
      },
      db,
    );
    return true;
  };

  private confirmLater(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.confirmDue().catch((error) => this.options.onError?.(error));
    }, this.limits.confirmPauseMs + 50);
    timer.unref();
    this.timers.add(timer);
  }

  /** Queues the confirming audit of every suspicion whose pause has passed; returns their run ids. */
  async confirmDue(): Promise<number[]> {
    const { incidents, clock } = this.options;
    const now = new Date(clock.now()).toISOString();
    const runs: number[] = [];
    const asked = new Map<string, number>();
    for (const s of await incidents.pendingSuspicions()) {
      if (s.confirmRunId !== null || s.confirmAt > now) continue;
      // One confirming audit per domain checks every suspicion of the domain.
      let runId = asked.get(s.domain);
      if (runId === undefined) {
        runId = await this.options.requestAudit(s.domain, `${confirmJobPrefix}${s.id}`);
        asked.set(s.domain, runId);
        runs.push(runId);
      }
      await incidents.setConfirmRun(s.id, runId);
    }
    return runs;
  }

  /**
   * `monitor run-once`: processes what is left, then, while suspicions wait for their confirming audit,
   * waits out the pause, queues the audits and waits for them (`drain`), within `confirmWaitMs`.
   */
  async settle(drain: () => Promise<void>): Promise<void> {
    const { incidents, clock } = this.options;
    const sleep = this.options.sleep ?? realSleep;
    const deadline = clock.now() + this.limits.confirmPauseMs + this.limits.confirmWaitMs;
    await this.sweep();
    for (;;) {
      const waiting = (await incidents.pendingSuspicions()).filter((s) => s.confirmRunId === null);
      if (waiting.length === 0 || this.stopped) return;
      const first = Math.min(...waiting.map((s) => Date.parse(s.confirmAt)));
      const now = clock.now();
      if (first > deadline) return;
      if (first > now) await sleep(first - now);
      const runs = await this.confirmDue();
      if (runs.length > 0) await drain();
      await this.sweep();
      if (clock.now() > deadline) return;
    }
  }

  /** The detections and incident changes seen since the last call (for `monitor run-once`). */
  take(): { detections: WatchedDetection[]; changes: IncidentChange[] } {
    return { detections: this.seen.splice(0), changes: this.changes.splice(0) };
  }

  /** Incidents by id (for reports). */
  incident(id: number): Promise<Incident | null> {
    return this.options.incidents.get(id);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
