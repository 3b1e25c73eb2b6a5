/**
 * The indicators in the service's schedule: every few seconds it looks at what is due and sends the
 * jobs (src/jobs/indicator-handlers.ts runs them, in this process or in the workers):
 *
 * - each configured report mailbox whose fetch is due (every `fetchEverySeconds`);
 * - once each UTC day is over (`afterMinutes` past the next midnight, so the day's last log lines are
 *   in), a `generate-tlsrpt` job for each organisation that sends TLS-RPT and has outbound sessions in
 *   its ingested logs that day, for the previous day and, catching up, the days before within
 *   `catchUpDays` that were never generated (the service was down, the logs came late).
 *
 * What is due is read from the store (`indicator_tasks`), so any number of processes may run this loop:
 * the job keys (`fetch:<mailbox>`, `tlsrpt:<org>:<day>`) keep a job from waiting twice, the tasks'
 * leases keep two from running at once, and a generated day is done for good (its report-id is stable
 * and is the outbox's de-duplication key, so nothing would be queued twice anyway).
 */
import type { Kysely } from "kysely";
import type { Clock } from "../net/clock.js";
import { Registry } from "../registry/repository.js";
import type { Database, Store } from "../store/database.js";
import { fetchKey, generateKey, IndicatorTasks } from "./indicator-tasks.js";
import type { IndicatorsConfig } from "./indicators-config.js";
import type { Jobs } from "./job.js";

const dayMs = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC days whose report is due at `now`: the last one over for `afterMs`, then earlier ones. */
export function dueDays(now: number, afterMs: number, catchUpDays: number): string[] {
  const latest = Math.floor((now - afterMs) / dayMs) * dayMs - dayMs;
  return Array.from({ length: catchUpDays }, (_, i) => dayOf(latest - i * dayMs));
}

export interface IndicatorScheduleOptions {
  readonly store: Store;
  readonly config: IndicatorsConfig;
  readonly jobs: Jobs;
  readonly clock: Clock;
  readonly onError?: (error: unknown) => void;
  /** Waits between looks (injected so tests need no real time). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface TickOutcome {
  /** The jobs sent by this look (kind and key). */
  readonly sent: readonly { readonly kind: "fetch-mailbox" | "generate-tlsrpt"; readonly key: string }[];
  /** Configured organisations the registry does not know. */
  readonly unknown: readonly string[];
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

/** Organisations with outbound sessions in their ingested logs on these days, with those days. */
async function daysWithSessions(
  db: Kysely<Database>,
  days: readonly string[],
  organisations: readonly number[] | null,
): Promise<Map<number, string[]>> {
  let q = db
    .selectFrom("log_sessions")
    .select(["organisation_id", "day"])
    .distinct()
    .where("direction", "=", "outbound")
    .where("organisation_id", "is not", null)
    .where("day", "in", [...days]);
  if (organisations)
    q = q.where("organisation_id", "in", organisations.length > 0 ? [...organisations] : [-1]);
  const byOrg = new Map<number, string[]>();
  for (const row of await q.execute()) {
    const id = Number(row.organisation_id);
    byOrg.set(id, [...(byOrg.get(id) ?? []), row.day]);
  }
  return byOrg;
}

export class IndicatorSchedule {
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private stopped = false;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private warned = new Set<string>();

  private constructor(
    private readonly options: IndicatorScheduleOptions,
    private readonly tasks: IndicatorTasks,
    private readonly registry: Registry,
  ) {}

  static async open(options: IndicatorScheduleOptions): Promise<IndicatorSchedule> {
    return new IndicatorSchedule(
      options,
      await IndicatorTasks.open(options.store),
      await Registry.open(options.store),
    );
  }

  /** True when the configuration schedules anything. */
  get active(): boolean {
    return this.options.config.mailboxes.length > 0 || this.options.config.generate !== null;
  }

  /** The pause between looks: the shortest interval configured. */
  get tickMs(): number {
    const { mailboxes, generate } = this.options.config;
    return Math.min(...mailboxes.map((m) => m.everyMs), generate?.checkEveryMs ?? Number.POSITIVE_INFINITY);
  }

  /** One look: sends the jobs due now. */
  async tick(): Promise<TickOutcome> {
    const { config, jobs, clock } = this.options;
    const now = clock.now();
    const sent: { kind: "fetch-mailbox" | "generate-tlsrpt"; key: string }[] = [];
    const due = (task: { status: string; nextDueAt: string } | undefined) =>
      !task || (task.status === "due" && Date.parse(task.nextDueAt) <= now);

    const fetches = await this.tasks.many(config.mailboxes.map((m) => fetchKey(m.name)));
    for (const mailbox of config.mailboxes) {
      const key = fetchKey(mailbox.name);
      if (!due(fetches.get(key))) continue;
      await jobs.send("fetch-mailbox", key, { mailbox: mailbox.name });
      sent.push({ kind: "fetch-mailbox", key });
    }

    const unknown: string[] = [];
    const generate = config.generate;
    if (generate && now - this.lastCheck >= generate.checkEveryMs) {
      this.lastCheck = now;
      const days = dueDays(now, generate.afterMs, generate.catchUpDays);
      let organisations: number[] | null = null;
      if (generate.organisations) {
        const entries = await this.registry.entries();
        organisations = [];
        for (const o of generate.organisations) {
          const entry = entries.find((e) => e.signatory.name === o.name);
          if (entry) organisations.push(entry.id);
          else unknown.push(o.name);
        }
      }
      const byOrg = await daysWithSessions(this.options.store.db, days, organisations);
      const keys = [...byOrg].flatMap(([id, ds]) => ds.map((d) => generateKey(id, d)));
      const tasks = await this.tasks.many(keys);
      for (const [organisationId, ds] of [...byOrg].sort(([a], [b]) => a - b))
        for (const day of ds.sort()) {
          const key = generateKey(organisationId, day);
          if (!due(tasks.get(key))) continue;
          await jobs.send("generate-tlsrpt", key, { organisationId, day });
          sent.push({ kind: "generate-tlsrpt", key });
        }
      // A day given up and then retried (indicators schedule --retry) may lie before the catch-up
      // window by now: its task, due again, is sent too, or the retry would wait forever.
      const inWindow = new Set(keys);
      for (const key of await this.tasks.dueGenerations(now)) {
        const parsed = /^tlsrpt:(\d+):(\d{4}-\d{2}-\d{2})$/.exec(key);
        if (!parsed || inWindow.has(key)) continue;
        const organisationId = Number(parsed[1]);
        if (organisations && !organisations.includes(organisationId)) continue;
        await jobs.send("generate-tlsrpt", key, { organisationId, day: parsed[2] as string });
        sent.push({ kind: "generate-tlsrpt", key });
      }
      for (const name of unknown)
        if (!this.warned.has(name)) {
          this.warned.add(name);
          this.options.onError?.(
            new Error(`${config.source}: generate.organisations: no organisation ${name} in the registry`),
          );
        }
    }
    return { sent, unknown };
  }

  /** Looks until `stop()`: one now, then one every `tickMs`. */
  start(): void {
    if (this.loop || !this.active) return;
    const sleep = this.options.sleep ?? realSleep;
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.tick();
        } catch (error) {
          this.options.onError?.(error);
        }
        if (this.stopped) break;
        await sleep(this.tickMs, this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }
}
