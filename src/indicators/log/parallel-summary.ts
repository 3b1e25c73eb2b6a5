/**
 * `ingest-log --no-store` of a Postfix log file on three threads. This one reads the file: it splits
 * every line and scans every frame, once (so the lines, the lines not understood and the year of
 * the stamps are counted as one thread counts them). Postfix's outbound sessions (smtp, tlsproxy)
 * and inbound ones (smtpd) are joined from disjoint lines (postfix-sessions.ts), so it relays the
 * lines of each side, with the frames it found, to a worker of its own (line-relay.ts), which
 * joins them as one thread would after that same scan. The summary is this thread's line counts,
 * the outbound worker's deliveries and TLS classes, and the inbound worker's sessions.
 *
 * One thread when the machine has one core, when `threads` is 1, for Exim, or when a worker cannot
 * be started (its module is only there once built; from the sources it runs through tsx). A worker
 * that fails on the way (it should not) costs time, not the answer: the file is read again on one
 * thread.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type IngestOptions, ingestFile } from "./ingest.js";
import { type RelayLine, RelaySender } from "./line-relay.js";
import type { LogFormat } from "./parser.js";
import type { LogSummary } from "./summary.js";

/** What a worker is given (log-summary-worker.ts): the side it joins, the stamps' reference. */
export interface SummaryJob {
  readonly side: "inbound" | "outbound";
  readonly reference: string;
}

/** A worker that ended without its summary, or with an error: the summary is made on one thread. */
export class WorkerFailure extends Error {}

/**
 * A young generation of 64 MiB: the thread makes short-lived strings by the million (the lines it
 * reads), and with V8's default of a few MiB it spends about a tenth of its time collecting them.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 64 };

/** The built worker module, or (the sources run by tsx or vitest) the TypeScript one through tsx. */
export function startWorker(job: SummaryJob): Worker | null {
  const built = new URL("./log-summary-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: job, resourceLimits });
  const source = new URL("./log-summary-worker.ts", import.meta.url);
  if (!existsSync(fileURLToPath(source))) return null;
  const load = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(load, { eval: true, workerData: job, resourceLimits });
}

interface Joiner {
  readonly sender: RelaySender;
  readonly summary: Promise<LogSummary>;
  stop(): void;
}

/** A worker joining one side's lines, and the sender that relays them to it. */
function joiner(job: SummaryJob, start: typeof startWorker): Joiner | null {
  const worker = start(job);
  if (worker === null) return null;
  const sender = new RelaySender(worker);
  const summary = new Promise<LogSummary>((done, fail) => {
    let result: LogSummary | null = null;
    const failed = (reason: string) => {
      const failure = new WorkerFailure(`the ${job.side} summary thread ${reason}`);
      sender.fail(failure);
      fail(failure);
    };
    worker.on("message", (message: { kind: string; summary?: LogSummary }) => {
      if (message.kind === "summary" && message.summary) result = message.summary;
    });
    worker.once("error", (error) => failed(`failed: ${error.message}`));
    worker.once("exit", (code) => (result ? done(result) : failed(`ended (${code}) without a result`)));
  });
  // Waited for below, or dropped with a failure already handled: never an unhandled rejection.
  summary.catch(() => undefined);
  return { sender, summary, stop: () => void worker.terminate() };
}

export async function summariseFile(
  file: string,
  format: LogFormat,
  threads: number = availableParallelism(),
  start: typeof startWorker = startWorker,
): Promise<LogSummary> {
  const single: IngestOptions = { format, organisationId: null, directory: null, store: null };
  if (format !== "postfix" || threads < 2) return ingestFile(file, single);
  const path = resolve(file);
  const s = await stat(path).catch(() => null);
  // Not a file we can stat: ingestFile says why, in its own words.
  if (s === null || !s.isFile()) return ingestFile(file, single);
  const reference = s.mtime.toISOString();
  const outbound = joiner({ side: "outbound", reference }, start);
  const inbound = outbound && joiner({ side: "inbound", reference }, start);
  if (!outbound || !inbound) {
    outbound?.stop();
    return ingestFile(file, single);
  }
  const relay = {
    line: ((bytes, start, end, frame, service) =>
      (service === "smtpd" ? inbound : outbound).sender.line(bytes, start, end, frame, service)) as RelayLine,
    pace: async () => {
      await outbound.sender.pace();
      await inbound.sender.pace();
    },
  };
  try {
    const read = await ingestFile(path, {
      ...single,
      sessions: "none",
      limit: s.size,
      reference: s.mtime,
      relay,
    });
    outbound.sender.end();
    inbound.sender.end();
    const [o, i] = await Promise.all([outbound.summary, inbound.summary]);
    return { ...read, deliveries: o.deliveries, tls: { outbound: o.tls.outbound, inbound: i.tls.inbound } };
  } catch (error) {
    outbound.stop();
    inbound.stop();
    if (error instanceof WorkerFailure) return ingestFile(file, single);
    throw error;
  }
}
