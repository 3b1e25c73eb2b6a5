/** The inbound half of a two-thread summary (parallel-summary.ts), in a worker thread. */
import { parentPort, workerData } from "node:worker_threads";
import { ingestFile } from "./ingest.js";
import type { SummaryJob } from "./parallel-summary.js";

const job = workerData as SummaryJob;
const summary = await ingestFile(job.file, {
  format: job.format,
  organisationId: null,
  directory: null,
  store: null,
  sessions: "inbound",
  limit: job.limit,
  reference: new Date(job.reference),
  checkParity: job.checkParity,
});
parentPort?.postMessage(summary);
