/**
 * `mailcharter worker --db postgres://… [--concurrency N]`: one worker of the distributed mode. Any
 * number of them, on any machines, take the audit jobs that `serve --db postgres://…` (or its
 * scheduler) sends through pg-boss, with one politeness for the whole fleet (per MX host and per
 * provider, held in PostgreSQL) and one probe per shared endpoint per cycle. With `--notify-config`
 * and `--indicators-config` it also delivers outbox rows, reads the report mailboxes and generates the
 * TLS-RPT days (src/jobs/indicator-handlers.ts), and runs the indicators' schedule. SIGTERM or Ctrl-C:
 * no new job, running audits finish within the grace period, the rest go back to the fleet at once.
 */
import type { Command } from "commander";
import { parseCountries, territory } from "../audit/measures/territory.js";
import { errorMessage, UsageError } from "../core/errors.js";
import { jobLimits, monitorLimits } from "../core/limits.js";
import { emptyIndicatorsConfig } from "../jobs/indicators-config.js";
import { engineAuditor } from "../monitor/audit-job.js";
import { newHolder } from "../monitor/holder.js";
import { systemResolver } from "../net/resolver.js";
import { emptyNotifyConfig } from "../notify/config.js";
import { openStore, redactUrl } from "../store/database.js";
import type { CommandIo } from "./command.js";
import { collect } from "./command.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { networkOptions } from "./network-options.js";
import { parseCount, parseResolver } from "./options.js";

interface WorkerCommandOptions extends NetworkCommandOptions {
  readonly db?: string;
  readonly concurrency?: string;
  readonly perHost?: string;
  readonly perProvider?: string;
  readonly country?: string;
  readonly geoFile?: string[];
  readonly notifyConfig?: string;
  readonly indicatorsConfig?: string;
}

const isPostgres = (db: string) => /^postgres(ql)?:\/\//.test(db);

export async function workerMain(options: WorkerCommandOptions, io: CommandIo): Promise<number> {
  if (!options.db || !isPostgres(options.db))
    throw new UsageError("--db: a worker needs the service's PostgreSQL database (--db postgres://…)");
  const url = options.db;
  const concurrency = parseCount(options.concurrency, "--concurrency", jobLimits.workerConcurrency, 1, 256);
  const perHost = parseCount(options.perHost, "--per-host", jobLimits.fleetPerHost, 1, 64);
  const perProvider = parseCount(options.perProvider, "--per-provider", jobLimits.fleetPerProvider, 1, 4096);
  const geo = territory({ countries: parseCountries(options.country), geoFiles: options.geoFile ?? [] });
  const log = (line: string) => io.err.write(`mailcharter worker: ${line}\n`);
  const onError = (error: unknown) => log(errorMessage(error));

  const { FleetLimiter, FleetSlots } = await import("../jobs/fleet-limiter.js");
  const { SharedProbeCache } = await import("../jobs/shared-probe-cache.js");
  const { startWorker } = await import("../jobs/worker.js");
  const slots = new FleetSlots(url, onError);
  const { network, probeOptions } = commandContext(
    options,
    io.err,
    (local) => new FleetLimiter(local, slots, { perHost, perProvider }),
  );
  // Read before anything starts: a bad configuration is said at once.
  const { readNotifyConfig } = await import("../notify/config.js");
  const { readIndicatorsConfig } = await import("../jobs/indicators-config.js");
  const notify = options.notifyConfig ? readNotifyConfig(options.notifyConfig, true) : null;
  const indicators = options.indicatorsConfig ? readIndicatorsConfig(options.indicatorsConfig, true) : null;
  const store = await openStore(url);
  const holder = newHolder();
  try {
    const worker = await startWorker({
      url,
      store,
      holder,
      concurrency,
      onError,
      auditor: (cache) => engineAuditor({ ...probeOptions, territory: geo }, network, () => cache),
      cacheFor: (cycleId) => new SharedProbeCache({ store, cycleId, holder }),
      ...(notify || indicators
        ? {
            indicators: {
              config: indicators ?? emptyIndicatorsConfig,
              notify: notify ?? emptyNotifyConfig,
              resolver: systemResolver(parseResolver(options.resolver)),
              log,
            },
          }
        : {}),
    });
    io.out.write(
      `mailcharter worker: ${holder} on ${redactUrl(url)}; ${concurrency} audits at once; at most ${perHost} connection(s) per MX host and ${perProvider} per provider across the fleet\n`,
    );
    if (worker.indicators)
      io.out.write(
        `mailcharter worker: indicators: ${worker.indicators}; outbox rows delivered as jobs ask\n`,
      );
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          log(`${signal} again, exiting now`);
          process.exit(1);
        }
        stopping = true;
        log(`${signal}, stopping (running audits get ${monitorLimits.stopGraceMs / 1000} s)`);
        worker
          .stop()
          .then(({ handedBack }) => {
            const s = worker.stats;
            io.out.write(
              `mailcharter worker: stopped; ${s.done} audit(s) stored, ${s.alreadyDone} found done, ${s.reaped} reaped, ${handedBack} handed back\n`,
            );
          })
          .catch(onError)
          .finally(resolve);
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
    return 0;
  } finally {
    await slots.close();
    await store.close();
  }
}

export function register(program: Command, io: CommandIo): void {
  const command = program
    .command("worker")
    .description(
      "Run the jobs of the distributed mode (serve --db postgres://…): audits; with --notify-config and --indicators-config, deliveries, report mailboxes and TLS-RPT days; until SIGTERM",
    )
    .option("--db <url>", "the service's PostgreSQL database (postgres://…)")
    .option("--concurrency <n>", `audits at once in this worker (default ${jobLimits.workerConcurrency})`)
    .option(
      "--per-host <n>",
      `connections per MX address across the fleet (default ${jobLimits.fleetPerHost})`,
    )
    .option(
      "--per-provider <n>",
      `connections per provider network (IPv4 /24, IPv6 /48) across the fleet (default ${jobLimits.fleetPerProvider})`,
    )
    .option("--country <cc[,cc...]>", "territory for mx.territory (default: France and its overseas codes)")
    .option("--geo-file <path>", "extra IP ranges (CIDR,CC or FIRST,LAST,CC); repeatable", collect)
    .option(
      "--notify-config <file>",
      "notification channels (notify.json): this worker then delivers outbox rows (send-notice, send-tlsrpt jobs)",
    )
    .option(
      "--indicators-config <file>",
      "indicators.json: this worker then reads the report mailboxes and generates the TLS-RPT days",
    );
  networkOptions(command, null).action(async (options: WorkerCommandOptions) => {
    io.setExit(await workerMain(options, io));
  });
}
