/**
 * `mailcharter serve`: the service over HTTPS (default https://127.0.0.1:8443/, loopback only until
 * told otherwise). The server code is loaded only when the command runs, so other commands start fast.
 */
import { dirname, join } from "node:path";
import { type Command, Option } from "commander";
import { errorMessage, UsageError } from "../core/errors.js";
import { incidentLimits, monitorLimits } from "../core/limits.js";
import { newHolder } from "../monitor/holder.js";
import { systemResolver } from "../net/resolver.js";
import type { OutboundConfig } from "../outbound/config.js";
import { defaultDatabasePath, type Store } from "../store/database.js";
import { type CommandIo, collect } from "./command.js";
import { parseCount, parseResolver } from "./options.js";

export const defaultListen = "127.0.0.1:8443";

/** `HOST:PORT`, `[IPv6]:PORT`; the port 1–65535 (0 for any free port, for tests). */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65_535)
    throw new UsageError(`${what}: "${text}" is not HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)`);
  return { host: (match[1] ?? match[2]) as string, port };
}

interface ServeOptions {
  readonly db?: string;
  readonly dataDir?: string;
  readonly listen: string;
  readonly httpListen?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly scheduler: boolean;
  readonly logLevel: string;
  readonly resolver?: string;
  readonly allowPrivate?: boolean;
  readonly notifyConfig?: string;
  readonly indicatorsConfig?: string;
  /** The outbound test's receiving endpoint, run inside the service when given. */
  readonly outboundConfig?: string;
  /** The audits' engine, as `monitor run-once` takes it. */
  readonly caFile?: string[];
  readonly geoFile?: string[];
  readonly country?: string;
  readonly ehloName?: string;
  readonly confirmPause?: string;
  readonly schedulerTick?: string;
}

/** The outbound test's receiving endpoint on the service's own store (loaded only when configured). */
async function startOutbound(config: OutboundConfig, store: Store) {
  const { startOutboundListener } = await import("../outbound/listener.js");
  const { openOutboundStore } = await import("../outbound/outbound-store.js");
  return startOutboundListener(config, {
    store: await openOutboundStore(store),
    log: (line) => process.stderr.write(`mailcharter serve: ${line}\n`),
  });
}

const isPostgres = (db: string) => /^postgres(ql)?:\/\//.test(db);

export function serveCommand(program: Command, out: NodeJS.WritableStream): void {
  program
    .command("serve")
    .description(
      "Run the service: dashboard, public list and REST API over HTTPS (default https://127.0.0.1:8443/)",
    )
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option(
      "--data-dir <dir>",
      "where the certificate, keys and secrets are kept (default: beside the SQLite file)",
    )
    .option("--listen <host:port>", "HTTPS address", defaultListen)
    .option("--http-listen <host:port>", "also listen for plain HTTP, which only redirects to HTTPS")
    .option("--tls-cert <file>", "certificate chain (PEM); without it a self-signed one is generated once")
    .option("--tls-key <file>", "private key (PEM) of --tls-cert")
    .option("--no-scheduler", "do not run the audit scheduler in this process")
    .option("--notify-config <file>", "notification channels (default: notify.json in the data directory)")
    .option(
      "--indicators-config <file>",
      "report mailboxes and daily TLS-RPT generation (default: indicators.json in the data directory)",
    )
    .option(
      "--resolver <ip[:port]>",
      "DNS server the audits and the TLS-RPT rua look-ups ask (default: the system's)",
    )
    .option("--allow-private", "let audits reach loopback, private and reserved addresses (off by default)")
    .option(
      "--outbound-config <file>",
      "also run the outbound test's receiving endpoint (outbound-test listen)",
    )
    .option("--ca-file <path>", "extra trusted roots (PEM) for the audits; repeatable", collect)
    .option("--country <cc[,cc...]>", "territory for mx.territory (default: France and its overseas codes)")
    .option(
      "--geo-file <path>",
      "extra IP ranges (CIDR,CC or FIRST,LAST,CC) for the audits; repeatable",
      collect,
    )
    .option("--ehlo-name <fqdn>", "name the audits send in EHLO (default: this host's name)")
    .option(
      "--confirm-pause <seconds>",
      `pause before a suspected interruption is probed again (default ${incidentLimits.confirmPauseMs / 1000})`,
    )
    .option(
      "--scheduler-tick <seconds>",
      `how often the scheduler looks for due domains and confirmations (default ${monitorLimits.tickMs / 1000})`,
    )
    .addOption(
      new Option("--log-level <level>", "request log level (on stderr)")
        .choices(["fatal", "error", "warn", "info", "debug"])
        .default("info"),
    )
    .action(async (o: ServeOptions) => {
      const listen = parseHostPort(o.listen, "--listen");
      const httpListen = o.httpListen ? parseHostPort(o.httpListen, "--http-listen") : null;
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
        throw new UsageError("--tls-cert and --tls-key go together");
      // Validated before anything listens: a bad outbound configuration starts nothing.
      const outboundConfig = o.outboundConfig
        ? (await import("../outbound/config.js")).loadOutboundConfig(o.outboundConfig)
        : null;
      const db = o.db ?? defaultDatabasePath();
      const dataDir = o.dataDir ?? (isPostgres(db) ? dirname(defaultDatabasePath()) : dirname(db));
      // Read before anything listens or is written: a bad indicators.json is said at once.
      const { indicatorsConfigName, readIndicatorsConfig } = await import("../jobs/indicators-config.js");
      const indicatorsConfig = readIndicatorsConfig(
        o.indicatorsConfig ?? join(dataDir, indicatorsConfigName),
        o.indicatorsConfig !== undefined,
      );
      const tickSeconds = parseCount(
        o.schedulerTick,
        "--scheduler-tick",
        monitorLimits.tickMs / 1000,
        1,
        3600,
      );
      const { startService, defaultLogger } = await import("../web/service.js");
      const { monitorFactory } = await import("./monitor-command.js");
      const { serveIndicators } = await import("../jobs/indicator-service.js");
      const onError = (error: unknown) =>
        process.stderr.write(`mailcharter serve: monitor: ${errorMessage(error)}\n`);
      // On PostgreSQL the audits are jobs for `mailcharter worker` processes (src/jobs): sent, not run here.
      const distributed = isPostgres(db)
        ? await (await import("../jobs/distributed-queue.js")).distributedQueue(db, onError)
        : null;
      const service = await startService({
        db,
        dataDir,
        listen,
        httpListen,
        tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : null,
        scheduler: o.scheduler,
        ...(o.notifyConfig ? { notifyConfig: o.notifyConfig } : {}),
        outboundConfig,
        indicators: serveIndicators({
          config: indicatorsConfig,
          db,
          resolver: systemResolver(parseResolver(o.resolver)),
          schedule: o.scheduler,
          holder: newHolder(),
          log: (line) => process.stderr.write(`mailcharter serve: indicators: ${line}\n`),
          onError: (error) => process.stderr.write(`mailcharter serve: indicators: ${errorMessage(error)}\n`),
        }),
        // The monitor's queue runs on-demand audits here; with the scheduler, the cadence too.
        monitor: monitorFactory(
          {
            ...(o.allowPrivate ? { allowPrivate: true } : {}),
            ...(o.resolver ? { resolver: o.resolver } : {}),
            ...(o.caFile ? { caFile: o.caFile } : {}),
            ...(o.geoFile ? { geoFile: o.geoFile } : {}),
            ...(o.country ? { country: o.country } : {}),
            ...(o.ehloName ? { ehloName: o.ehloName } : {}),
            ...(o.confirmPause !== undefined ? { confirmPause: o.confirmPause } : {}),
          },
          { onError, tickMs: tickSeconds * 1000, ...(distributed ? { queue: distributed } : {}) },
        ),
        logger: { ...(defaultLogger() as object), level: o.logLevel, stream: process.stderr } as never,
      });
      const outbound = outboundConfig
        ? await startOutbound(outboundConfig, service.store).catch(async (error: unknown) => {
            await service.close();
            throw error;
          })
        : null;
      const host = service.https.host.includes(":") ? `[${service.https.host}]` : service.https.host;
      const certificate =
        service.identity.source === "files"
          ? `certificate ${service.identity.certPath}`
          : `self-signed certificate ${service.identity.certPath}${service.identity.source === "generated" ? " (generated now)" : ""}`;
      out.write(`mailcharter serve: https://${host}:${service.https.port}/\n`);
      out.write(`  TLS: ${certificate}\n  SHA-256 fingerprint: ${service.identity.fingerprint}\n`);
      out.write(`  database: ${service.store.engine} ${service.store.location}; data directory ${dataDir}\n`);
      if (service.http)
        out.write(`  plain HTTP on ${service.http.host}:${service.http.port} redirects to HTTPS\n`);
      out.write(
        `  scheduler: ${service.schedulerRunning ? "running" : o.scheduler ? "off" : "off (--no-scheduler)"}\n`,
      );
      if (service.indicators) out.write(`  indicators: ${service.indicators}\n`);
      for (const v of outbound?.variants ?? [])
        out.write(`  outbound test: ${v.kind} ${v.domain} MX ${v.mxHost} on ${v.host}:${v.port}\n`);
      if (distributed)
        out.write(
          `  audits: sent to workers through pg-boss (start one: mailcharter worker --db ${service.store.location})\n`,
        );
      if ((await service.accounts.count()) === 0)
        out.write(
          `  no account yet: mailcharter user add --email you@example.org --role agency${o.db ? ` --db ${o.db}` : ""}\n`,
        );

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            out.write(`mailcharter serve: ${signal} again, exiting now\n`);
            process.exit(1);
          }
          stopping = true;
          out.write(`mailcharter serve: ${signal}, stopping (finishing running work)\n`);
          const force = setTimeout(() => {
            out.write("mailcharter serve: still busy after the grace period, exiting\n");
            process.exit(1);
          }, 30_000);
          force.unref();
          Promise.resolve(outbound?.close())
            .then(() => service.close())
            .then(() => {
              clearTimeout(force);
              out.write("mailcharter serve: stopped\n");
              resolve();
            });
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
    });
}

export function register(program: Command, io: CommandIo): void {
  serveCommand(program, io.out);
}
