/**
 * Where the indicator schedule stands, as `indicators schedule` prints it and the agency's page shows
 * it (one function for both), and the operator's retry of given-up tasks. Reads and writes through
 * IndicatorTasks and the registry, never SQL.
 */
import { Registry } from "../registry/repository.js";
import type { Store } from "../store/database.js";
import { IndicatorTasks, type RetryRefusal, type TaskRetry } from "./indicator-tasks.js";
import type { ScheduleDocument } from "./schedule-document.js";

export async function scheduleDocument(store: Store): Promise<ScheduleDocument> {
  const tasks = await IndicatorTasks.open(store);
  const retries = await tasks.lastRetries();
  const names = new Map((await (await Registry.open(store)).entries()).map((e) => [e.id, e.signatory.name]));
  return {
    schema: "mailcharter/indicators-schedule/1",
    tasks: (await tasks.list()).map((t) => {
      const fetch = /^fetch:(.+)$/.exec(t.key);
      const generate = /^tlsrpt:(\d+):(\d{4}-\d{2}-\d{2})$/.exec(t.key);
      const retry = retries.get(t.key);
      return {
        key: t.key,
        kind: t.kind,
        mailbox: fetch?.[1] ?? null,
        organisation: generate ? (names.get(Number(generate[1])) ?? `#${generate[1]}`) : null,
        day: generate?.[2] ?? null,
        status: t.status,
        nextDueAt: t.nextDueAt,
        attempts: t.attempts,
        lastError: t.lastError,
        detail: t.detail,
        updatedAt: t.updatedAt,
        lastRetry: retry
          ? { at: retry.at, by: retry.by, attempts: retry.attempts, lastError: retry.lastError }
          : null,
      };
    }),
  };
}

/** What a retry request did: the tasks put back to due, and those that could not be (with why). */
export interface RetryOutcome {
  readonly retried: readonly TaskRetry[];
  readonly refused: readonly RetryRefusal[];
}

/** Retries the tasks of `keys`, or every given-up task with `"failed"`. */
export async function retryTasks(
  store: Store,
  which: readonly string[] | "failed",
  now: number,
  by: string,
): Promise<RetryOutcome> {
  const tasks = await IndicatorTasks.open(store);
  const keys = which === "failed" ? await tasks.failedKeys() : which;
  const retried: TaskRetry[] = [];
  const refused: RetryRefusal[] = [];
  for (const key of keys) {
    const result = await tasks.retry(key, now, by);
    if ("reason" in result) refused.push(result);
    else retried.push(result);
  }
  return { retried, refused };
}
