/**
 * `mailcharter indicators schedule [--db …] [--json] [--retry TASK… | --retry-failed]`: what the
 * service's indicator schedule did and will do (indicators.json, run by `serve` and the workers): each
 * report mailbox's last fetch and the next, each organisation-day's TLS-RPT (done, due again after a
 * failure, or given up), with the last error. Exit 0, or 1 when a task has failed for good or is
 * failing now.
 *
 * A TLS-RPT day given up after its attempts stays given up across restarts; once its cause is fixed
 * (a configuration, a DNS record), `--retry KEY` (repeatable) or `--retry-failed` puts it back to due
 * now with its attempts reset, and records who did it and what it had failed with (shown as `lastRetry`).
 * A key that is no task is a usage error (2); a task that is not given up is left alone (exit 1).
 */
import { userInfo } from "node:os";
import type { Command } from "commander";
import { MailcharterError } from "../core/errors.js";
import type { ScheduleDocument, ScheduleTask } from "../jobs/schedule-document.js";
import { type CommandIo, collect } from "./command.js";

interface ScheduleOptions {
  readonly db?: string;
  readonly json?: boolean;
  readonly retry?: string[];
  readonly retryFailed?: boolean;
}

/** Who retried, as recorded: the CLI and the system user running it. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

const counts = (detail: unknown): string => {
  const d = (detail ?? {}) as Record<string, unknown>;
  if (typeof d.accepted === "number")
    return `${d.accepted} stored, ${d.duplicate} already stored, ${d.setAside} set aside${Number(d.left) > 0 ? `, ${d.left} left` : ""}`;
  if (typeof d.sessions === "number")
    return `${d.sessions} session(s), ${Array.isArray(d.reports) ? d.reports.length : 0} report(s)`;
  return "";
};

function line(t: ScheduleTask): string {
  const what = t.kind === "fetch-mailbox" ? `mailbox ${t.mailbox}` : `TLS-RPT ${t.organisation} ${t.day}`;
  const last = counts(t.detail);
  const retried = t.lastRetry
    ? `; retried ${t.lastRetry.at} by ${t.lastRetry.by} after ${t.lastRetry.attempts} attempt(s)`
    : "";
  if (t.status === "done") return `${what}: done ${t.updatedAt}${last ? ` (${last})` : ""}${retried}`;
  if (t.status === "failed")
    return `${what} [${t.key}]: given up after ${t.attempts} attempt(s): ${t.lastError}${retried}`;
  if (t.attempts > 0)
    return `${what}: failing (${t.attempts} in a row), again at ${t.nextDueAt}: ${t.lastError}${retried}`;
  return `${what}: next at ${t.nextDueAt}${last ? ` (last run ${t.updatedAt}: ${last})` : ""}${retried}`;
}

export async function indicatorsSchedule(
  options: ScheduleOptions,
  io: CommandIo,
  now: () => number = Date.now,
): Promise<number> {
  const retry = options.retry ?? [];
  if (retry.length > 0 && options.retryFailed)
    throw new MailcharterError("usage", "--retry and --retry-failed: give one or the other");
  for (const key of retry)
    if (!/^(fetch:.+|tlsrpt:\d+:\d{4}-\d{2}-\d{2})$/.test(key))
      throw new MailcharterError(
        "usage",
        `--retry ${JSON.stringify(key)}: not a task key (tlsrpt:ORGANISATION-ID:YYYY-MM-DD or fetch:MAILBOX, as indicators schedule --json lists them)`,
      );
  // Loaded by this command only: every `indicators` command starts without the store's modules.
  const [{ retryTasks, scheduleDocument }, { openStore }] = await Promise.all([
    import("../jobs/schedule-view.js"),
    import("../store/database.js"),
  ]);
  const store = await openStore(options.db, { create: false });
  let document: ScheduleDocument;
  let refusedExit = 0;
  try {
    if (retry.length > 0 || options.retryFailed) {
      const outcome = await retryTasks(store, options.retryFailed ? "failed" : retry, now(), cliActor());
      for (const r of outcome.retried)
        io.err.write(
          `${r.key}: due again now, attempts reset (was given up after ${r.attempts} attempt(s): ${r.lastError ?? "no error recorded"})\n`,
        );
      for (const r of outcome.refused)
        io.err.write(
          r.reason === "unknown"
            ? `${r.key}: no such task (indicators schedule lists them)\n`
            : `${r.key}: not given up (${r.status}), left as it is\n`,
        );
      if (options.retryFailed && outcome.retried.length === 0) io.err.write("No given-up task to retry.\n");
      if (outcome.refused.some((r) => r.reason === "unknown")) refusedExit = 2;
      else if (outcome.refused.length > 0) refusedExit = 1;
    }
    document = await scheduleDocument(store);
  } finally {
    await store.close();
  }
  if (options.json) io.out.write(`${JSON.stringify(document, null, 2)}\n`);
  else if (document.tasks.length === 0)
    io.out.write(
      "No scheduled indicator work has run yet (indicators.json in the service's data directory).\n",
    );
  else for (const t of document.tasks) io.out.write(`${line(t)}\n`);
  if (refusedExit > 0) return refusedExit;
  return document.tasks.some((t) => t.status === "failed" || t.attempts > 0) ? 1 : 0;
}

export function registerIndicatorsSchedule(indicators: Command, io: CommandIo): void {
  indicators
    .command("schedule")
    .description(
      "What the service's indicator schedule did: report mailboxes fetched, TLS-RPT days generated, failures; --retry puts given-up tasks back to due",
    )
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--json", "print mailcharter/indicators-schedule/1 (schema/indicators-schedule.schema.json)")
    .option(
      "--retry <task>",
      "put this given-up task (its key, e.g. tlsrpt:3:2026-11-30) back to due now, attempts reset; repeatable",
      collect,
    )
    .option("--retry-failed", "put every given-up task back to due now, attempts reset")
    .action(async (options: ScheduleOptions) => {
      io.setExit(await indicatorsSchedule(options, io));
    });
}
