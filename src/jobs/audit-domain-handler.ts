/**
 * The `audit-domain` handler: `runAuditJob` (src/monitor/audit-job.ts), the function the in-process
 * queue runs, so both modes audit and store alike. The run's unique job key makes a retried job write
 * nothing twice; a run another live holder has is not a failure but a job to try again later.
 */
import {
  type AuditJobContext,
  type AuditJobPayload,
  type AuditJobResult,
  runAuditJob,
} from "../monitor/audit-job.js";
import type { JobHandler } from "./job.js";

/** How long a job whose run is held elsewhere waits before asking again. */
export const heldRetryMs = 15_000;

export function auditDomainHandler(
  contextFor: (payload: AuditJobPayload) => AuditJobContext,
  onResult?: (result: AuditJobResult) => void,
): JobHandler<"audit-domain"> {
  return async (payload) => {
    const result = await runAuditJob(payload, contextFor(payload));
    onResult?.(result);
    if (result.outcome === "held")
      return {
        status: "retry",
        reason: `run ${payload.runId} (${payload.domain}) is held by another process`,
        afterMs: heldRetryMs,
      };
    return { status: "done", detail: result.outcome };
  };
}

/** The job payload of a queued run. */
export const auditPayload = (run: {
  readonly id: number;
  readonly jobKey: string;
  readonly domain: string;
  readonly trigger: AuditJobPayload["trigger"];
  readonly requestedBy: string;
  readonly cycleId: number | null;
}): AuditJobPayload => ({
  runId: run.id,
  jobKey: run.jobKey,
  domain: run.domain,
  trigger: run.trigger,
  requestedBy: run.requestedBy,
  cycleId: run.cycleId,
});
