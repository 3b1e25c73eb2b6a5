/**
 * The one job that audits a domain: `(payload, ctx) → result`, the same function for the in-process
 * queue and for pg-boss workers. Idempotent by job key: a job whose run is done returns the stored
 * result without probing again; a job whose run another live holder has is left to it. Outcomes are
 * data: a domain that cannot be reached is an audit with its findings; only a bug in us or an
 * unreachable store is a failed run.
 */
import {
  type AnnexChoice,
  type AuditOptions,
  type AuditReport,
  auditDomain,
  type ProbeCache,
} from "../audit/audit.js";
import { errorMessage } from "../core/errors.js";
import type { Clock } from "../net/clock.js";
import type { Network } from "../net/network.js";
import type { AuditHistory, RunRequest, Verdict } from "./history-store.js";
import type { ProgressHub, ProgressPhase } from "./progress.js";

/** Audits one domain; `onProgress` reports endpoints probed so far. */
export type Auditor = (
  domain: string,
  onProgress: (done: number, total: number, what: string) => void,
) => Promise<AuditReport>;

/** The engine as an Auditor: every audit given the same cache probes a shared endpoint once. */
export function engineAuditor(
  options: Omit<AuditOptions, "onProgress">,
  network: Network,
  cache: () => ProbeCache,
  /** Charte art. 8: the annex the domain's signatory accepted (default: the 2015 annex). */
  annexOf?: (domain: string) => Promise<AnnexChoice | null>,
): Auditor {
  return async (domain, onProgress) => {
    const annex = annexOf ? await annexOf(domain) : null;
    return auditDomain(
      domain,
      { ...options, ...(annex ? { annex } : {}), onProgress: (p) => onProgress(p.done, p.total, p.what) },
      network,
      cache(),
    );
  };
}

export interface AuditJobPayload extends RunRequest {
  readonly runId: number;
}

export interface AuditJobContext {
  readonly history: AuditHistory;
  readonly audit: Auditor;
  readonly clock: Clock;
  /** Who runs the job (`host:pid:nonce`), written on the run while it is held. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly progress?: ProgressHub;
  /** When the domain is next due after an audit finished at `finishedAt` (null: not scheduled). */
  readonly nextDueAt?: (domain: string, finishedAt: number) => Promise<number | null>;
  /** After a report is stored (not for a retry): detection and incidents (src/monitor/incidents). */
  readonly afterSave?: (runId: number) => Promise<void>;
}

export interface AuditJobResult {
  readonly runId: number;
  readonly domain: string;
  /** done: audited and stored now; already_done: stored before (a retry); held: another holder has it. */
  readonly outcome: "done" | "already_done" | "held" | "failed";
  readonly verdict: Verdict | null;
  readonly error: string | null;
}

export async function runAuditJob(payload: AuditJobPayload, ctx: AuditJobContext): Promise<AuditJobResult> {
  const { history, clock } = ctx;
  const say = (phase: ProgressPhase, extra: { done?: number; total?: number; what?: string } = {}) =>
    ctx.progress?.emit({
      runId: payload.runId,
      domain: payload.domain,
      phase,
      ...extra,
      at: new Date(clock.now()).toISOString(),
    });
  const result = (outcome: AuditJobResult["outcome"], verdict: Verdict | null, error: string | null) => ({
    runId: payload.runId,
    domain: payload.domain,
    outcome,
    verdict,
    error,
  });

  if (!(await history.claim(payload.runId, ctx.holder, clock.now(), ctx.leaseMs))) {
    const stored = await history.getAudit(payload.runId);
    if (stored?.status === "done") return result("already_done", stored.verdict, null);
    if (stored?.status === "failed") return result("failed", null, stored.error);
    return result("held", null, null);
  }
  say("discovering");
  let report: AuditReport;
  try {
    report = await ctx.audit(payload.domain, (done, total, what) => say("probing", { done, total, what }));
  } catch (error) {
    // The engine turns every server behaviour into findings: an exception here is a bug in us.
    const message = `internal error while auditing ${payload.domain}: ${errorMessage(error)}`;
    await history.fail(payload.jobKey, message, clock.now());
    say("failed", { what: message });
    return result("failed", null, message);
  }
  say("storing");
  const finished = Date.parse(report.finishedAt);
  const nextDueAt = ctx.nextDueAt ? await ctx.nextDueAt(payload.domain, finished) : undefined;
  const saved = await history.save(payload, report, {
    now: clock.now(),
    ...(nextDueAt !== undefined ? { nextDueAt } : {}),
  });
  if (saved.written) await ctx.afterSave?.(saved.runId);
  say("done", { what: report.verdict });
  return result(saved.written ? "done" : "already_done", report.verdict, null);
}
