/**
 * The handlers of the indicators' and the outbox's job kinds, one code path for `serve` (in-process
 * jobs) and `mailcharter worker` (pg-boss):
 *
 * - `fetch-mailbox`: reads a configured report mailbox (src/indicators/tlsrpt/imap-mailbox.ts) and
 *   stores its reports once (ingestion is idempotent by organisation and report-id).
 * - `generate-tlsrpt`: one organisation's TLS-RPT of one UTC day from its ingested logs, queued to each
 *   rua (src/indicators/tlsrpt/outgoing.ts), then a `send-tlsrpt` job per outbox row so it goes now.
 * - `send-tlsrpt` / `send-notice`: deliver an outbox row (or a notice's rows) now, through the
 *   outbox's own claim (a lease on the row: two processes never send one row at once) and its
 *   backoff: a row still pending comes back as a job when its next attempt is due.
 *
 * A fetch or a generation holds the store lease `indicators:<task>` while it runs, so two processes
 * never read one mailbox or generate one day at once; what it did is recorded in `indicator_tasks`
 * (src/jobs/indicator-tasks.ts). A failure of the work (a mailbox unreachable, a DNS failure on a
 * TLSRPT record) is not a failed job: it is recorded with its backoff and the schedule sends the job
 * again when it is due. Only a failing store makes a job fail (and the backend retry it).
 */
import type { Kysely } from "kysely";
import { errorMessage } from "../core/errors.js";
import { fetchMailbox } from "../indicators/tlsrpt/imap-mailbox.js";
import { generateOutgoing } from "../indicators/tlsrpt/outgoing.js";
import { TlsRptStore } from "../indicators/tlsrpt/report-store.js";
import { holderIsDead } from "../monitor/holder.js";
import { ScheduleStore } from "../monitor/schedule-store.js";
import type { Clock } from "../net/clock.js";
import type { Resolver } from "../net/resolver.js";
import type { NotifyConfig } from "../notify/config.js";
import { deliverDue, type Transports } from "../notify/deliver.js";
import { registryContacts } from "../notify/notify-service.js";
import { Registry } from "../registry/repository.js";
import type { Database, Store } from "../store/database.js";
import { fetchKey, generateKey, IndicatorTasks, taskLease, taskRetry } from "./indicator-tasks.js";
import type { IndicatorsConfig } from "./indicators-config.js";
import type { JobOutcome, Jobs } from "./job.js";
import type { JobHandlers } from "./job-handlers.js";

export interface IndicatorWorkContext {
  readonly store: Store;
  readonly indicators: IndicatorsConfig;
  readonly notify: NotifyConfig;
  /** Resolver of the TLSRPT records (RFC 8460 §3). */
  readonly resolver: Resolver;
  readonly clock: Clock;
  readonly holder: string;
  /** Where `send-tlsrpt` jobs go after a generation (the backend these handlers are registered in). */
  readonly jobs: () => Jobs;
  /** How long a task's lease lasts without renewal (a fetch or a generation takes far less). */
  readonly leaseMs?: number;
  readonly transports?: Transports;
  readonly log?: (line: string) => void;
}

export const indicatorLeaseMs = 10 * 60_000;

/** The least pause before a pending outbox row is looked at again. */
const minRetryMs = 1_000;

export async function registerIndicatorHandlers(
  handlers: JobHandlers,
  ctx: IndicatorWorkContext,
): Promise<void> {
  const tasks = await IndicatorTasks.open(ctx.store);
  const schedule = await ScheduleStore.open(ctx.store);
  const reports = await TlsRptStore.open(ctx.store);
  const registry = await Registry.open(ctx.store);
  const log = ctx.log ?? (() => {});
  const leaseMs = ctx.leaseMs ?? indicatorLeaseMs;

  /** Runs `work` under the task's lease; null when another live process holds it. */
  const leased = async <T>(key: string, work: () => Promise<T>): Promise<T | null> => {
    const name = taskLease(key);
    const dead = (h: string) => holderIsDead(h, ctx.holder);
    if (!(await schedule.acquireLease(name, ctx.holder, ctx.clock.now(), leaseMs, dead))) return null;
    // Renewed while the work runs (a mailbox of many mails), so it never passes to another mid-way.
    const renewal = setInterval(
      () => void schedule.renewLease(name, ctx.holder, ctx.clock.now(), leaseMs).catch(() => {}),
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await schedule.releaseLease(name, ctx.holder).catch(() => {});
    }
  };

  handlers.register(
    "fetch-mailbox",
    async (payload): Promise<JobOutcome> => {
      const mailbox = ctx.indicators.mailboxes.find((m) => m.name === payload.mailbox);
      if (!mailbox) return { status: "done", detail: `no mailbox ${payload.mailbox} in the configuration` };
      const key = fetchKey(mailbox.name);
      const outcome = await leased(key, async () => {
        const task = await tasks.get(key);
        // Fetched by another process since this job was sent: not again before its interval.
        if (task && task.status === "due" && Date.parse(task.nextDueAt) > ctx.clock.now()) return "not due";
        try {
          const run = await fetchMailbox(reports, {
            location: mailbox.location,
            password: mailbox.password.reveal().toString("utf8"),
            ...(mailbox.ca ? { ca: mailbox.ca } : {}),
            processedFolder: mailbox.processed,
            rejectedFolder: mailbox.setAside,
            now: () => new Date(ctx.clock.now()),
            resolver: ctx.resolver,
          });
          const count = (status: string) => run.mails.filter((m) => m.result.status === status).length;
          const detail = {
            accepted: count("accepted"),
            duplicate: count("duplicate"),
            setAside: count("rejected"),
            left: run.left,
          };
          const now = ctx.clock.now();
          // Mails left over the per-run bound: the next run is due at once.
          await tasks.succeeded(
            key,
            "fetch-mailbox",
            now,
            detail,
            run.left > 0 ? now : now + mailbox.everyMs,
          );
          if (run.mails.length > 0)
            log(
              `mailbox ${mailbox.name}: ${detail.accepted} report(s) stored, ${detail.duplicate} already stored, ${detail.setAside} set aside`,
            );
          return "fetched";
        } catch (error) {
          // A mailbox is never given up: tried again after a backoff of at most its interval or 30 min.
          const task = await tasks.failed(key, "fetch-mailbox", ctx.clock.now(), errorMessage(error), {
            ...taskRetry,
            maxRetryMs: Math.max(mailbox.everyMs, 30 * 60_000),
            maxAttempts: Number.POSITIVE_INFINITY,
          });
          log(`mailbox ${mailbox.name}: ${errorMessage(error)} (again at ${task.nextDueAt})`);
          return "failed";
        }
      });
      return { status: "done", detail: outcome ?? "held by another process" };
    },
    { concurrency: 2 },
  );

  handlers.register(
    "generate-tlsrpt",
    async (payload): Promise<JobOutcome> => {
      const key = generateKey(payload.organisationId, payload.day);
      const entry = (await registry.entries()).find((e) => e.id === payload.organisationId);
      if (!entry) return { status: "done", detail: `no organisation ${payload.organisationId}` };
      const generate = ctx.indicators.generate;
      if (!generate) return { status: "done", detail: "no generate section in the configuration" };
      const selector =
        generate.organisations?.find((o) => o.name === entry.signatory.name)?.dkimSelector ??
        generate.dkimSelector;
      const queued = await leased(key, async () => {
        if ((await tasks.get(key))?.status === "done") return [];
        const now = ctx.clock.now();
        const run = await generateOutgoing(ctx.store, {
          entry,
          day: payload.day,
          send: true,
          resolver: ctx.resolver,
          dkimSelector: selector,
          now: new Date(now),
        });
        // No session that day (yet): nothing recorded, the logs may still come within the window.
        if (run.document.sessions === 0) return [];
        const errors = [
          ...run.dnsErrors.map((d) => `TLSRPT record of ${d}: DNS failure`),
          ...run.document.reports.flatMap((r) =>
            r.enqueued.filter((e) => e.status === "error").map((e) => `${e.destination}: ${e.error}`),
          ),
        ];
        const detail = {
          sessions: run.document.sessions,
          reports: run.document.reports.map((r) => ({
            policyDomain: r.policyDomain,
            reportId: r.reportId,
            rua: r.rua,
            ruaError: r.ruaError,
            queued: r.enqueued.map((e) => `${e.destination} ${e.status}`),
          })),
        };
        if (errors.length > 0) {
          // What was queued stays queued (and is not queued twice when the day runs again).
          const task = await tasks.failed(key, "generate-tlsrpt", now, errors.join("; "));
          log(
            `TLS-RPT ${entry.signatory.name} ${payload.day}: ${errors.join("; ")} (${task.status === "failed" ? `given up after ${task.attempts} attempts` : `again at ${task.nextDueAt}`})`,
          );
        } else {
          await tasks.succeeded(key, "generate-tlsrpt", now, detail, null);
          log(
            `TLS-RPT ${entry.signatory.name} ${payload.day}: ${run.document.reports.length} report(s) from ${run.document.sessions} session(s), ${run.outbox.filter((o) => o.status === "queued").length} queued`,
          );
        }
        return run.outbox.map((o) => o.id);
      });
      if (queued === null) return { status: "done", detail: "held by another process" };
      for (const id of queued) await ctx.jobs().send("send-tlsrpt", `outbox:${id}`, { ref: String(id) });
      return { status: "done", detail: `${queued.length} outbox row(s)` };
    },
    { concurrency: 1 },
  );

  const deliverRows = async (ids: readonly number[]): Promise<JobOutcome> => {
    if (ids.length === 0) return { status: "done", detail: "nothing to deliver" };
    const contacts = registryContacts(registry);
    await deliverDue(
      {
        db: ctx.store.db,
        config: ctx.notify,
        registry: contacts,
        only: ids,
        ...(ctx.transports ? { transports: ctx.transports } : {}),
      },
      new Date(ctx.clock.now()),
    );
    const wait = await nextLook(ctx.store.db, ids, ctx.notify, ctx.clock.now());
    return wait === null
      ? { status: "done" }
      : {
          status: "retry",
          reason: "an outbox row is pending (its next attempt, or another's claim)",
          afterMs: wait,
        };
  };

  handlers.register("send-tlsrpt", async (payload) => deliverRows(refIds(payload.ref)));

  handlers.register("send-notice", async (payload) => {
    const noticeId = Number(payload.ref);
    if (!Number.isInteger(noticeId)) return { status: "done", detail: `bad notice id ${payload.ref}` };
    // Addressing first (the notice's rows are made from the registry and the channels), then its rows.
    await deliverDue(
      { db: ctx.store.db, config: ctx.notify, registry: registryContacts(registry), only: [] },
      new Date(ctx.clock.now()),
    );
    const rows = await ctx.store.db
      .selectFrom("notify_outbox")
      .select("id")
      .where("notice_id", "=", noticeId)
      .execute();
    return deliverRows(rows.map((r) => Number(r.id)));
  });
}

const refIds = (ref: string): number[] => (/^\d+$/.test(ref) ? [Number(ref)] : []);

/**
 * When the rows still pending should be looked at again (ms from now), or null when none is: sent,
 * given up, or an e-mail without a relay (it waits in the outbox for the configuration, not in a job).
 */
async function nextLook(
  db: Kysely<Database>,
  ids: readonly number[],
  notify: NotifyConfig,
  now: number,
): Promise<number | null> {
  const rows = await db
    .selectFrom("notify_outbox")
    .select(["channel", "state", "next_attempt_at", "lease_until"])
    .where("id", "in", [...ids])
    .execute();
  let wait: number | null = null;
  for (const row of rows) {
    if (row.state !== "pending" || (row.channel === "email" && !notify.email)) continue;
    const at = Math.max(Date.parse(row.next_attempt_at), row.lease_until ? Date.parse(row.lease_until) : 0);
    const ms = Math.max(minRetryMs, at - now);
    wait = wait === null ? ms : Math.min(wait, ms);
  }
  return wait;
}
