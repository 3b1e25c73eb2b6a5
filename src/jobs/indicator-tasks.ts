/**
 * Where the indicators' scheduled work stands, in the store (table `indicator_tasks`), so that a
 * restart or a second process sees what the first did: when each mailbox is next fetched, which
 * organisation-days have their TLS-RPT queued, the failures in a row and the last error of each.
 * A failed task is due again after a backoff (doubling from `firstRetryMs`, capped at `maxRetryMs`)
 * and given up after `maxAttempts`; a generation that succeeded is `done` and never runs again.
 * A given-up task stays so — a restart does not revive it — until an operator retries it
 * (`indicators schedule --retry`): due now, its attempts reset, the retry recorded with who asked and
 * what the task had failed with (`indicator_task_retries`).
 */
import type { Kysely } from "kysely";
import type { Database, Store } from "../store/database.js";
import type { IndicatorTaskRetryTable, IndicatorTaskTable } from "../store/indicator-task-tables.js";
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

/** An operator's retry of a given-up task, as recorded. */
export interface TaskRetry {
  readonly key: string;
  readonly at: string;
  readonly by: string;
  /** The attempts the task had been given up after, and its last error then. */
  readonly attempts: number;
  readonly lastError: string | null;
}

/** Why a task could not be retried: it does not exist, or it is not given up (due or done). */
export type RetryRefusal = {
  readonly key: string;
  readonly reason: "unknown" | "not-failed";
  readonly status?: string;
};

const retryOf = (r: IndicatorTaskRetryTable): TaskRetry => ({
  key: r.key,
  at: r.retried_at,
  by: r.retried_by,
  attempts: Number(r.attempts),
  lastError: r.last_error,
});

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

  /**
   * Puts a given-up task back to due now with its attempts reset, and records the retry; in one
   * transaction, and only if the task is still `failed` (two operators retrying at once retry once).
   */
  async retry(key: string, now: number, by: string): Promise<TaskRetry | RetryRefusal> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("indicator_tasks")
        .selectAll()
        .where("key", "=", key)
        .executeTakeFirst();
      if (!row) return { key, reason: "unknown" as const };
      if (row.status !== "failed") return { key, reason: "not-failed" as const, status: row.status };
      const updated = await trx
        .updateTable("indicator_tasks")
        .set({ status: "due", next_due_at: iso(now), attempts: 0, updated_at: iso(now) })
        .where("key", "=", key)
        .where("status", "=", "failed")
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return { key, reason: "not-failed" as const, status: "due" };
      const record: IndicatorTaskRetryTable = {
        key,
        retried_at: iso(now),
        retried_by: by.slice(0, 200),
        attempts: Number(row.attempts),
        last_error: row.last_error,
      };
      await trx.insertInto("indicator_task_retries").values(record).execute();
      return retryOf(record);
    });
  }

  /** The keys of the given-up tasks, in key order. */
  async failedKeys(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("indicator_tasks")
      .select("key")
      .where("status", "=", "failed")
      .orderBy("key")
      .execute();
    return rows.map((r) => r.key);
  }

  /** The latest retry of each task that was ever retried, by key. */
  async lastRetries(): Promise<Map<string, TaskRetry>> {
    const rows = await this.db
      .selectFrom("indicator_task_retries")
      .selectAll()
      .orderBy("retried_at")
      .execute();
    return new Map(rows.map((r) => [r.key, retryOf(r)]));
  }

  /** The due generations whose next run has come, by key (the scheduler's look beyond its window). */
  async dueGenerations(now: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("indicator_tasks")
      .select("key")
      .where("kind", "=", "generate-tlsrpt")
      .where("status", "=", "due")
      .where("next_due_at", "<=", iso(now))
      .orderBy("key")
      .execute();
    return rows.map((r) => r.key);
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
