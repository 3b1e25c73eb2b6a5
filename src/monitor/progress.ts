/**
 * Live progress of audits, per run id, for the dashboard (server-sent events or polling): queued →
 * discovering → probing endpoint n/m → storing → done (or failed). The last event of each run is kept,
 * so a late subscriber starts from where the run is.
 */
import { EventEmitter } from "node:events";

export type ProgressPhase = "queued" | "discovering" | "probing" | "storing" | "done" | "failed";

export interface ProgressEvent {
  readonly runId: number;
  readonly domain: string;
  readonly phase: ProgressPhase;
  /** Endpoints probed so far and in all (phase "probing"). */
  readonly done?: number;
  readonly total?: number;
  /** What was just probed ("mx.example.org:25"), or the failure. */
  readonly what?: string;
  readonly at: string;
}

const final = (phase: ProgressPhase) => phase === "done" || phase === "failed";

/** Runs whose last event is kept after they end, so a page opened just after still sees "done". */
const keptFinished = 1_000;

export class ProgressHub {
  private readonly emitter = new EventEmitter();
  private readonly last = new Map<number, ProgressEvent>();
  private readonly finished: number[] = [];

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(event: ProgressEvent): void {
    this.last.set(event.runId, event);
    if (final(event.phase)) {
      this.finished.push(event.runId);
      while (this.finished.length > keptFinished) this.last.delete(this.finished.shift() as number);
    }
    this.emitter.emit(String(event.runId), event);
    this.emitter.emit("*", event);
  }

  /** The latest event of a run, if this process saw it. */
  current(runId: number): ProgressEvent | undefined {
    return this.last.get(runId);
  }

  /** Every event of every run (for logs and metrics); returns the unsubscribe function. */
  onAny(listener: (event: ProgressEvent) => void): () => void {
    this.emitter.on("*", listener);
    return () => this.emitter.off("*", listener);
  }

  /**
   * The events of one run, starting with its current state, until it is done or failed (or `signal`
   * aborts, e.g. the client went away).
   */
  async *follow(runId: number, signal?: AbortSignal): AsyncGenerator<ProgressEvent> {
    const pending: ProgressEvent[] = [];
    let wake: (() => void) | null = null;
    const listener = (event: ProgressEvent) => {
      pending.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.emitter.on(String(runId), listener);
    signal?.addEventListener("abort", onAbort);
    try {
      const now = this.last.get(runId);
      if (now) {
        yield now;
        if (final(now.phase)) return;
      }
      while (!signal?.aborted) {
        const next = pending.shift();
        if (!next) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        yield next;
        if (final(next.phase)) return;
      }
    } finally {
      this.emitter.off(String(runId), listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
