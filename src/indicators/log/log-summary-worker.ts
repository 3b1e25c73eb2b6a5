/**
 * One side of a three-thread summary (parallel-summary.ts), in a worker thread: the lines of that
 * side relayed by the thread that reads the file (line-relay.ts), joined into sessions; the
 * summary of those posted back at the end.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type RelayMessage, readBatch } from "./line-relay.js";
import type { SummaryJob } from "./parallel-summary.js";
import { PostfixSessions } from "./postfix-sessions.js";
import { addSession, emptySummary } from "./summary.js";

const job = workerData as SummaryJob;
const port = parentPort;
if (port === null) throw new Error("log-summary-worker: not a worker thread");
// The stamps' times come with the lines: the reference is never used to convert one here.
const parser = new PostfixSessions(new Date(job.reference), undefined, job.side);
const summary = emptySummary();
port.on("message", (message: RelayMessage) => {
  if (message.kind === "end") {
    port.postMessage({ kind: "summary", summary });
    port.close();
    return;
  }
  readBatch(message, port, (raw, frame, service) => {
    const result = parser.relayed(raw, frame, service);
    if (result.kind === "sessions") for (const s of result.sessions) addSession(summary, s);
  });
});
