/**
 * `mailcharter indicators schedule [--db …] [--json]`: what the service's indicator schedule did and
 * will do (indicators.json, run by `serve` and the workers): each report mailbox's last fetch and the
 * next, each organisation-day's TLS-RPT (done, due again after a failure, or given up), with the last
 * error. Read-only; exit 0, or 1 when a task has failed for good or is failing now.
 */
import type { Command } from "commander";
import { IndicatorTasks } from "../jobs/indicator-tasks.js";
import type { ScheduleDocument, ScheduleTask } from "../jobs/schedule-document.js";
import { Registry } from "../registry/repository.js";
import { openStore } from "../store/database.js";
import type { CommandIo } from "./command.js";

interface ScheduleOptions {
  readonly db?: string;
  readonly json?: boolean;
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
  if (t.status === "done") return `${what}: done ${t.updatedAt}${last ? ` (${last})` : ""}`;
  if (t.status === "failed") return `${what}: given up after ${t.attempts} attempt(s): ${t.lastError}`;
  if (t.attempts > 0)
    return `${what}: failing (${t.attempts} in a row), again at ${t.nextDueAt}: ${t.lastError}`;
  return `${what}: next at ${t.nextDueAt}${last ? ` (last run ${t.updatedAt}: ${last})` : ""}`;
}

export async function indicatorsSchedule(options: ScheduleOptions, io: CommandIo): Promise<number> {
  const store = await openStore(options.db, { create: false });
  let document: ScheduleDocument;
  try {
    const tasks = await (await IndicatorTasks.open(store)).list();
    const names = new Map(
      (await (await Registry.open(store)).entries()).map((e) => [e.id, e.signatory.name]),
    );
    document = {
      schema: "mailcharter/indicators-schedule/1",
      tasks: tasks.map((t) => {
        const fetch = /^fetch:(.+)$/.exec(t.key);
        const generate = /^tlsrpt:(\d+):(\d{4}-\d{2}-\d{2})$/.exec(t.key);
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
        };
      }),
    };
  } finally {
    await store.close();
  }
  if (options.json) io.out.write(`${JSON.stringify(document, null, 2)}\n`);
  else if (document.tasks.length === 0)
    io.out.write(
      "No scheduled indicator work has run yet (indicators.json in the service's data directory).\n",
    );
  else for (const t of document.tasks) io.out.write(`${line(t)}\n`);
  return document.tasks.some((t) => t.status === "failed" || t.attempts > 0) ? 1 : 0;
}

export function registerIndicatorsSchedule(indicators: Command, io: CommandIo): void {
  indicators
    .command("schedule")
    .description(
      "What the service's indicator schedule did: report mailboxes fetched, TLS-RPT days generated, failures",
    )
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--json", "print mailcharter/indicators-schedule/1 (schema/indicators-schedule.schema.json)")
    .action(async (options: ScheduleOptions) => {
      io.setExit(await indicatorsSchedule(options, io));
    });
}
