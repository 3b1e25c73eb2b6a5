/**
 * Where the indicators' scheduled work stands, in the store (table `indicator_tasks`), so that a
 * restart or a second process sees what the first did: when each mailbox is next fetched, which
 * organisation-days have their TLS-RPT queued, the failures in a row and the last error of each.
 * A failed task is due again after a backoff (doubling from `firstRetryMs`, capped at `maxRetryMs`)
 * and given up after `maxAttempts`; a generation that succeeded is `done` and never runs again.
 */
import type { Kysely } from "kysely";
import type { Database, Store } from "../store/database.js";
import type { IndicatorTaskTable } from "../store/indicator-task-tables.js";
import { migrate } from "../store/migrations.js";

export type TaskKind = IndicatorTaskTable["kind"];

export interface IndicatorTask {
  readonly key: string;
  readonly kind: TaskKind;
  readonly status: IndicatorTaskTable["status"];
  readonly nextDueAt: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly detail: unknown;
  readonly updatedAt: string;
}

export const taskRetry = { firstRetryMs: 60_000, maxRetryMs: 6 * 3_600_000, maxAttempts: 10 } as const;

/** The task key of a mailbox's fetch, and of one organisation's TLS-RPT day. */
export const fetchKey = (mailbox: string) => `fetch:${mailbox}`;
export const generateKey = (organisationId: number, day: string) => `tlsrpt:${organisationId}:${day}`;
/** The store lease a task's work holds (monitor_leases, as the audit cycle's). */
export const taskLease = (key: string) => `indicators:${key}`;

const iso = (ms: number) => new Date(ms).toISOString();

const taskOf = (r: IndicatorTaskTable): IndicatorTask => ({
  key: r.key,
  kind: r.kind,
  status: r.status,
  nextDueAt: r.next_due_at,
  attempts: Number(r.attempts),
  lastError: r.last_error,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
  updatedAt: r.updated_at,
});

export class IndicatorTasks {
  private constructor(private readonly db: Kysely<Database>) {}

  static async open(store: Store): Promise<IndicatorTasks> {
    await migrate(store.db as never, store.engine);
    return new IndicatorTasks(store.db);
  }

  async get(key: string): Promise<IndicatorTask | null> {
    const row = await this.db
      .selectFrom("indicator_tasks")
      .selectAll()
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? taskOf(row) : null;
  }

  async list(kind?: TaskKind): Promise<IndicatorTask[]> {
    let q = this.db.selectFrom("indicator_tasks").selectAll();
    if (kind) q = q.where("kind", "=", kind);
    return (await q.orderBy("key").execute()).map(taskOf);
  }

  /** The tasks of these keys that exist, by key. */
  async many(keys: readonly string[]): Promise<Map<string, IndicatorTask>> {
    const found = new Map<string, IndicatorTask>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db
        .selectFrom("indicator_tasks")
        .selectAll()
        .where("key", "in", keys.slice(i, i + 500))
        .execute();
      for (const r of rows) found.set(r.key, taskOf(r));
    }
    return found;
  }

  /** A success: `done` (a generation), or due again at `nextDueMs` (a fetch). */
  async succeeded(
    key: string,
    kind: TaskKind,
    now: number,
    detail: unknown,
    nextDueMs: number | null,
  ): Promise<void> {
    await this.write(key, kind, now, {
      status: nextDueMs === null ? "done" : "due",
      next_due_at: iso(nextDueMs ?? now),
      attempts: 0,
      last_error: null,
      detail: JSON.stringify(detail),
    });
  }

  /** A failure: due again after the backoff, or given up after the last attempt; the new state. */
  async failed(
    key: string,
    kind: TaskKind,
    now: number,
    error: string,
    retry: {
      readonly firstRetryMs: number;
      readonly maxRetryMs: number;
      readonly maxAttempts: number;
    } = taskRetry,
  ): Promise<IndicatorTask> {
    const attempts = ((await this.get(key))?.attempts ?? 0) + 1;
    const delay = Math.min(retry.maxRetryMs, retry.firstRetryMs * 2 ** Math.min(attempts - 1, 30));
    await this.write(key, kind, now, {
      status: attempts >= retry.maxAttempts ? "failed" : "due",
      next_due_at: iso(now + delay),
      attempts,
      last_error: error.slice(0, 1000),
      detail: null,
    });
    return (await this.get(key)) as IndicatorTask;
  }

  private async write(
    key: string,
    kind: TaskKind,
    now: number,
    values: Pick<IndicatorTaskTable, "status" | "next_due_at" | "attempts" | "last_error" | "detail">,
  ): Promise<void> {
    const row = { ...values, updated_at: iso(now) };
    await this.db
      .insertInto("indicator_tasks")
      .values({ key, kind, ...row })
      .onConflict((oc) => oc.column("key").doUpdateSet(row))
      .execute();
  }
}
