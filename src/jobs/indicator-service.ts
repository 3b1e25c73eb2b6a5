/**
 * The indicators' schedule inside `serve` (src/web/service.ts) and `mailcharter worker`
 * (src/jobs/worker.ts): the configuration read, the handlers registered on the process's job backend,
 * and the schedule's loop started; one call, one `stop()`.
 *
 * - `serve` on SQLite (embedded): the jobs run in this process (in-process backend).
 * - `serve --db postgres://…`: the schedule sends the jobs through pg-boss; the workers run them.
 * - `worker`: runs the jobs (its pg-boss backend) and the schedule too: any number of processes may
 *   look, the store decides (src/jobs/indicator-schedule.ts).
 */
import { type Clock, systemClock } from "../net/clock.js";
import type { Resolver } from "../net/resolver.js";
import type { NotifyConfig } from "../notify/config.js";
import type { Transports } from "../notify/deliver.js";
import type { Store } from "../store/database.js";
import { inProcessJobs } from "./in-process-jobs.js";
import { type IndicatorWorkContext, registerIndicatorHandlers } from "./indicator-handlers.js";
import { IndicatorSchedule } from "./indicator-schedule.js";
import type { IndicatorsConfig } from "./indicators-config.js";
import type { Jobs } from "./job.js";
import { jobHandlers } from "./job-handlers.js";

export interface IndicatorServiceOptions {
  readonly store: Store;
  readonly indicators: IndicatorsConfig;
  readonly notify: NotifyConfig;
  readonly resolver: Resolver;
  readonly holder: string;
  /** in-process: run the jobs here; pg-boss: the jobs go to the workers through this backend. */
  readonly backend: { readonly mode: "in-process" } | { readonly mode: "pg-boss"; readonly jobs: Jobs };
  /** Run the schedule's loop (serve's `--no-scheduler` turns it off). */
  readonly schedule: boolean;
  readonly clock?: Clock;
  readonly transports?: Transports;
  readonly log?: (line: string) => void;
  readonly onError?: (error: unknown) => void;
}

export interface IndicatorService {
  readonly jobs: Jobs;
  readonly schedule: IndicatorSchedule;
  /** One line for the start banner. */
  readonly summary: string;
  stop(graceMs?: number): Promise<void>;
}

/** What the configuration schedules, in words. */
export function describeIndicators(config: IndicatorsConfig): string {
  const parts: string[] = [];
  if (config.mailboxes.length > 0)
    parts.push(
      `${config.mailboxes.length} report mailbox(es) read every ${Math.min(...config.mailboxes.map((m) => m.everyMs)) / 1000} s`,
    );
  const g = config.generate;
  if (g)
    parts.push(
      `TLS-RPT of ${g.organisations ? g.organisations.map((o) => o.name).join(", ") : "every organisation with logs"} generated ${g.afterMs / 60_000} min after each UTC day (catch-up ${g.catchUpDays} days)`,
    );
  return parts.length > 0 ? parts.join("; ") : "none configured";
}

export async function startIndicatorService(options: IndicatorServiceOptions): Promise<IndicatorService> {
  const clock = options.clock ?? systemClock;
  let jobs: Jobs;
  if (options.backend.mode === "in-process") {
    const handlers = jobHandlers();
    const local = inProcessJobs({
      handlers,
      onError: (error) => options.onError?.(error),
    });
    const ctx: IndicatorWorkContext = {
      store: options.store,
      indicators: options.indicators,
      notify: options.notify,
      resolver: options.resolver,
      clock,
      holder: options.holder,
      jobs: () => local,
      ...(options.transports ? { transports: options.transports } : {}),
      ...(options.log ? { log: options.log } : {}),
    };
    await registerIndicatorHandlers(handlers, ctx);
    await local.start();
    jobs = local;
  } else jobs = options.backend.jobs;
  const schedule = await IndicatorSchedule.open({
    store: options.store,
    config: options.indicators,
    jobs,
    clock,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  if (options.schedule) schedule.start();
  const owned = options.backend.mode === "in-process";
  return {
    jobs,
    schedule,
    summary: `${describeIndicators(options.indicators)}${options.schedule ? "" : " (schedule off)"}`,
    async stop(graceMs = 20_000) {
      await schedule.stop();
      if (owned) await jobs.stop(graceMs);
    },
  };
}

export interface ServeIndicatorsOptions {
  /** indicators.json as read before the service starts (a bad file stops it before anything listens). */
  readonly config: IndicatorsConfig;
  /** The service's database: postgres:// sends the jobs to the workers. */
  readonly db: string;
  readonly resolver: Resolver;
  readonly schedule: boolean;
  readonly holder: string;
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  readonly onError?: (error: unknown) => void;
}

/** serve's indicators (src/web/service.ts `indicators`): null when indicators.json schedules nothing. */
export function serveIndicators(
  options: ServeIndicatorsOptions,
): (store: Store, notify: NotifyConfig) => Promise<IndicatorService | null> {
  return async (store, notify) => {
    const indicators = options.config;
    if (indicators.mailboxes.length === 0 && indicators.generate === null) return null;
    const postgres = /^postgres(ql)?:\/\//.test(options.db);
    const sender = postgres
      ? await (await import("./pg-boss-jobs.js")).pgBossJobs({
          url: options.db,
          handlers: jobHandlers(),
          ...(options.onError ? { onError: options.onError } : {}),
        })
      : null;
    const service = await startIndicatorService({
      store,
      indicators,
      notify,
      resolver: options.resolver,
      holder: options.holder,
      backend: sender ? { mode: "pg-boss", jobs: sender } : { mode: "in-process" },
      schedule: options.schedule,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    return {
      ...service,
      summary: sender ? `${service.summary}; run by the workers` : service.summary,
      async stop(graceMs?: number) {
        await service.stop(graceMs);
        await sender?.stop(1_000);
      },
    };
  };
}
