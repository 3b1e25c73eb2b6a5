/**
 * The queue `serve --db postgres://…` gives its monitor: runs are sent as pg-boss jobs to the workers
 * (this process works no job kind; it runs pg-boss's maintenance, which expires lost jobs).
 */

import type { RunQueue } from "../monitor/audit-queue.js";
import type { QueueDeps } from "../monitor/monitor.js";
import { jobAuditQueue } from "./job-audit-queue.js";
import { jobHandlers } from "./job-handlers.js";
import { pgBossJobs } from "./pg-boss-jobs.js";

export async function distributedQueue(
  url: string,
  onError: (error: unknown) => void,
): Promise<(deps: QueueDeps) => RunQueue> {
  const jobs = await pgBossJobs({ url, handlers: jobHandlers(), onError });
  return jobAuditQueue({ jobs, onError });
}
