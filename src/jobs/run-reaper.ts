/**
 * The reaper of the distributed mode: audit runs left `running` by a holder that is gone (a worker
 * killed with `kill -9`: its pid is gone on this host; elsewhere: its run lease passed without renewal)
 * are put back in the queue and sent to the workers again. No job is lost: the run row, not the
 * pg-boss job, is the record of what is owed; a pg-boss job that comes back later finds the run done
 * and writes nothing (the run's unique job key).
 */
import type { AuditHistory } from "../monitor/history-store.js";
import { holderIsDead } from "../monitor/holder.js";
import { auditPayload } from "./audit-domain-handler.js";
import type { Jobs } from "./job.js";

export interface ReapOptions {
  readonly history: AuditHistory;
  readonly jobs: Pick<Jobs, "send">;
  /** This process's holder (never reaped by itself). */
  readonly self: string;
  readonly now: number;
  readonly isHolderDead?: (holder: string) => boolean;
}

/** Runs re-queued and sent again. */
export async function reapRuns(options: ReapOptions): Promise<number> {
  const { history, self } = options;
  const dead = options.isHolderDead ?? ((holder: string) => holderIsDead(holder, self));
  const holders = (await history.runningHolders()).filter((h) => h !== self && dead(h));
  const runs = await history.reclaim({ holders, expiredAt: options.now });
  for (const run of runs) await options.jobs.send("audit-domain", run.jobKey, auditPayload(run));
  return runs.length;
}

/** Sends every queued run (of a cycle, or all) again: after a start, or when a cycle stands still. */
export async function resendQueued(
  history: AuditHistory,
  jobs: Pick<Jobs, "send">,
  cycleId?: number,
): Promise<number> {
  const queued = await history.queued(cycleId === undefined ? {} : { cycleId });
  for (const run of queued) await jobs.send("audit-domain", run.jobKey, auditPayload(run));
  return queued.length;
}
