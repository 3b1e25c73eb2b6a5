/**
 * The in-process backend (the embedded default): jobs run in this process, at most `concurrency` of
 * a kind at once, retried with backoff after an exception. A kind and key already waiting or running
 * is not queued twice. Audits are the store-backed audit queue's (src/monitor/audit-queue.ts): their
 * run is queued in the store before the job is sent, so an `audit-domain` job only wakes that queue,
 * which runs `runAuditJob` as it always did. Other kinds keep their work in their own tables (accept →
 * commit → job), so a job lost with the process is found again by its owner at the next start.
 */
import { errorMessage } from "../core/errors.js";
import { jobLimits } from "../core/limits.js";
import type { JobContext, JobKind, JobOutcome, JobPayloads, Jobs, SendOptions, Sent } from "./job.js";
import type { JobHandlers } from "./job-handlers.js";

export interface InProcessJobsOptions {
  readonly handlers: JobHandlers;
  /** Jobs of one kind at once, unless its registration says otherwise. */
  readonly concurrency?: number;
  /** The store-backed audit queue: `audit-domain` jobs wake it instead of running here. */
  readonly auditQueue?: { kick(): void };
  readonly retryLimit?: number;
  readonly retryDelayMs?: number;
  readonly onError?: (error: unknown, job: { kind: JobKind; key: string; attempt: number }) => void;
}

type AnyHandler = (payload: unknown, ctx: JobContext) => Promise<JobOutcome>;

interface Pending {
  readonly id: string;
  readonly kind: JobKind;
  readonly key: string;
  readonly payload: unknown;
  attempt: number;
  notBefore: number;
}

export interface InProcessJobs extends Jobs {
  /** Jobs waiting (delayed included) and running, for tests and the stop message. */
  readonly size: { readonly waiting: number; readonly running: number };
  /** Resolves when nothing waits or runs. */
  idle(): Promise<void>;
}

export function inProcessJobs(options: InProcessJobsOptions): InProcessJobs {
  const retryLimit = options.retryLimit ?? jobLimits.retryLimit;
  const retryDelayMs = options.retryDelayMs ?? jobLimits.retryDelaySeconds * 1000;
  const waiting: Pending[] = [];
  const running = new Map<string, { job: Pending; done: Promise<void>; abort: AbortController }>();
  const timers = new Set<NodeJS.Timeout>();
  const idleWaiters: (() => void)[] = [];
  let started = false;
  let stopping = false;
  let counter = 0;

  const keyOf = (kind: JobKind, key: string) => `${kind}\u0000${key}`;
  const limitOf = (kind: JobKind) =>
    Math.max(1, options.handlers.get(kind)?.options.concurrency ?? options.concurrency ?? 4);
  const runningOf = (kind: JobKind) => [...running.values()].filter((r) => r.job.kind === kind).length;

  const checkIdle = () => {
    if (waiting.length > 0 || running.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const later = (ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      pump();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  function pump(): void {
    if (!started || stopping) return;
    const now = Date.now();
    for (let i = 0; i < waiting.length; ) {
      const job = waiting[i] as Pending;
      const registered = options.handlers.get(job.kind);
      if (!registered || job.notBefore > now || runningOf(job.kind) >= limitOf(job.kind)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      run(job, registered.handler as AnyHandler);
    }
    const next = Math.min(...waiting.map((j) => j.notBefore));
    if (Number.isFinite(next) && next > now) later(next - now);
    checkIdle();
  }

  function again(job: Pending, afterMs: number): void {
    job.notBefore = Date.now() + afterMs;
    waiting.push(job);
    later(afterMs);
  }

  function run(job: Pending, handler: AnyHandler) {
    const abort = new AbortController();
    const ctx: JobContext = {
      id: job.id,
      kind: job.kind,
      key: job.key,
      attempt: job.attempt,
      signal: abort.signal,
    };
    const done = (async () => {
      try {
        const outcome = await handler(job.payload, ctx);
        if (outcome.status === "retry" && !stopping) again(job, outcome.afterMs ?? retryDelayMs);
      } catch (error) {
        options.onError?.(error, { kind: job.kind, key: job.key, attempt: job.attempt });
        if (job.attempt < retryLimit && !stopping) {
          const delay = retryDelayMs * 2 ** (job.attempt - 1);
          job.attempt++;
          again(job, delay);
        }
      }
    })().finally(() => {
      running.delete(keyOf(job.kind, job.key));
      pump();
      checkIdle();
    });
    running.set(keyOf(job.kind, job.key), { job, done, abort });
  }

  return {
    mode: "in-process",
    get size() {
      return { waiting: waiting.length, running: running.size };
    },
    async send<K extends JobKind>(
      kind: K,
      key: string,
      payload: JobPayloads[K],
      sendOptions: SendOptions = {},
    ): Promise<Sent> {
      if (kind === "audit-domain" && options.auditQueue) {
        options.auditQueue.kick();
        return { id: `run:${(payload as JobPayloads["audit-domain"]).runId}` };
      }
      const k = keyOf(kind, key);
      if (running.has(k) || waiting.some((j) => keyOf(j.kind, j.key) === k)) return { id: null };
      const job: Pending = {
        id: `local:${++counter}`,
        kind,
        key,
        // A copy, as a queue in PostgreSQL would keep it: the sender's later changes do not reach it.
        payload: JSON.parse(JSON.stringify(payload)),
        attempt: 1,
        notBefore: Date.now() + Math.max(0, sendOptions.startAfterMs ?? 0),
      };
      waiting.push(job);
      if (job.notBefore > Date.now()) later(job.notBefore - Date.now());
      pump();
      return { id: job.id };
    },
    async start() {
      started = true;
      pump();
    },
    idle() {
      if (waiting.length === 0 && running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop(graceMs = 20_000) {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const pending = [...running.values()];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled(pending.map((r) => r.done)), timeout]);
      clearTimeout(timer);
      for (const r of running.values())
        r.abort.abort(new Error(`stopped: ${errorMessage("grace period over")}`));
    },
  };
}
