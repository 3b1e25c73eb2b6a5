/**
 * `ingest-log --no-store` of a Postfix log file on two threads. Postfix's inbound sessions (smtpd)
 * and outbound ones (smtp, tlsproxy) are joined from disjoint lines (postfix-sessions.ts), so one
 * thread reads the file for the outbound sessions while a worker reads it for the inbound ones, and
 * the two summaries add up to what one thread would count: same lines, same year inference (both
 * see every stamp), same join. Both read the same bytes: the file's size when it was opened, and the
 * year of its stamps from the same modification time. Whether a line is a frame at all (or "not
 * understood") is checked by one thread only, the even lines here and the odd ones in the worker:
 * each passes over the other's lines that none of its services wrote (PostfixSessions.skippable).
 *
 * One thread when the machine has one core, when `threads` is 1, for Exim, or when the worker cannot
 * be started (its module is only there once built; from the sources it runs through tsx).
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { MailcharterError } from "../../core/errors.js";
import { type IngestOptions, ingestFile } from "./ingest.js";
import type { LogFormat } from "./parser.js";
import type { LogSummary } from "./summary.js";

/** What the worker is given (log-summary-worker.ts). */
export interface SummaryJob {
  readonly file: string;
  readonly format: LogFormat;
  readonly limit: number;
  readonly reference: string;
  /** The lines whose frames the worker checks (IngestOptions.checkParity). */
  readonly checkParity: 0 | 1;
}

/**
 * A young generation of 64 MiB: the thread makes short-lived strings by the million (the lines it
 * reads), and with V8's default of a few MiB it spends about a tenth of its time collecting them.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 64 };

/** The built worker module, or (the sources run by tsx or vitest) the TypeScript one through tsx. */
function startWorker(job: SummaryJob): Worker | null {
  const built = new URL("./log-summary-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: job, resourceLimits });
  const source = new URL("./log-summary-worker.ts", import.meta.url);
  if (!existsSync(fileURLToPath(source))) return null;
  const load = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(load, { eval: true, workerData: job, resourceLimits });
}

export function inWorker(job: SummaryJob): Promise<LogSummary> | null {
  const worker = startWorker(job);
  if (worker === null) return null;
  return new Promise((done, fail) => {
    let result: LogSummary | null = null;
    worker.once("message", (summary: LogSummary) => {
      result = summary;
    });
    worker.once("error", fail);
    worker.once("exit", (code) => {
      if (result) done(result);
      else
        fail(
          new MailcharterError(
            "internal",
            `${job.file}: the summary thread ended (${code}) without a result`,
          ),
        );
    });
  });
}

export async function summariseFile(
  file: string,
  format: LogFormat,
  threads: number = availableParallelism(),
): Promise<LogSummary> {
  const single: IngestOptions = { format, organisationId: null, directory: null, store: null };
  if (format !== "postfix" || threads < 2) return ingestFile(file, single);
  const path = resolve(file);
  const s = await stat(path).catch(() => null);
  // Not a file we can stat: ingestFile says why, in its own words.
  if (s === null || !s.isFile()) return ingestFile(file, single);
  const job: SummaryJob = {
    file: path,
    format,
    limit: s.size,
    reference: s.mtime.toISOString(),
    checkParity: 1,
  };
  const inbound = inWorker(job);
  if (inbound === null) return ingestFile(file, single);
  const [outbound, theirs] = await Promise.all([
    ingestFile(path, {
      ...single,
      sessions: "outbound",
      limit: job.limit,
      reference: s.mtime,
      checkParity: 0,
    }),
    inbound,
  ]);
  return {
    ...outbound,
    unparsed: outbound.unparsed + theirs.unparsed,
    tls: { outbound: outbound.tls.outbound, inbound: theirs.tls.inbound },
  };
}
