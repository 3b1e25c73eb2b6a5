/**
 * `mailcharter serve` assembled: the store and its migrations, the data directory's secrets, the TLS
 * identity, the HTTPS server, the optional plain-HTTP redirector, session purging, and a graceful
 * stop (no new connections, running work finished or handed back, the store closed last).
 */
import { randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Accounts } from "../accounts/accounts.js";
import { openAnnexService } from "../annex/annex-service.js";
import { MailcharterError } from "../core/errors.js";
import { monitorLimits, serviceLimits } from "../core/limits.js";
import { TlsRptStore } from "../indicators/tlsrpt/report-store.js";
import { exposition } from "../metrics/exposition.js";
import { readMetrics } from "../metrics/metrics-store.js";
import { AuditHistory } from "../monitor/history-store.js";
import { IncidentStore } from "../monitor/incidents/incident-store.js";
import type { ProgressHub } from "../monitor/progress.js";
import { ScheduleStore } from "../monitor/schedule-store.js";
import { type NotifyConfig, notifyConfigName, readNotifyConfig } from "../notify/config.js";
import { listDeliveries } from "../notify/delivery-log.js";
import { startNotifyWorker } from "../notify/notify-service.js";
import type { OutboundConfig } from "../outbound/config.js";
import { outboundPort } from "../outbound/outbound-tests.js";
import { generateSigningKey } from "../registry/published-list.js";
import { Registry } from "../registry/repository.js";
import { openStore, type Store } from "../store/database.js";
import { historyPort, type RequestAudit } from "./app/audits-port.js";
import { indicatorsPort } from "./app/indicators-port.js";
import type { ServiceContext } from "./context.js";
import { ensureDataDir, readOrCreate } from "./data-dir.js";
import { startRedirectServer } from "./http-redirect.js";
import { ListPublisher } from "./published-list-service.js";
import { buildServer, redactedPaths, type Server, type ServerOptions } from "./server.js";
import { identityFromFiles, selfSignedIdentity, type TlsIdentity } from "./tls-identity.js";

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * What `serve` needs of the monitor (src/monitor/monitor.ts's Monitor): on-demand audits, the
 * in-process scheduler, recovery of what a dead process left running, and a graceful stop that
 * finishes or re-queues running audits; it is awaited before the store closes.
 */
export interface MonitorHandle {
  requestAudit: RequestAudit;
  /** Live progress of the audits it runs (the pages' event streams). */
  readonly progress?: ProgressHub;
  start(): void;
  recover(): Promise<number>;
  stop(): Promise<unknown>;
}

export interface ServiceOptions {
  readonly db: string;
  readonly dataDir: string;
  readonly listen: HostPort;
  readonly httpListen: HostPort | null;
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly scheduler: boolean;
  readonly logger: ServerOptions["logger"];
  readonly limits?: ServerOptions["limits"];
  /**
   * The monitor (src/monitor's openMonitor): its queue runs on-demand audits in this process and, with
   * the scheduler, the cadence. Absent: the history is read, on-demand audits are recorded as queued
   * for `mailcharter monitor run-once` or a worker.
   */
  readonly monitor?: (store: Store) => Promise<MonitorHandle>;
  /** The notification channels' configuration (default: notify.json in the data directory). */
  readonly notifyConfig?: string;
  /** The outbound test's configuration: its tests can be started from the service when given. */
  readonly outboundConfig?: OutboundConfig | null;
  /**
   * The indicators' schedule (src/jobs/indicator-service.ts: report mailboxes read, TLS-RPT generated
   * each day), started once the store is open and stopped before it closes; null when none is set up.
   */
  readonly indicators?: (store: Store, notify: NotifyConfig) => Promise<BackgroundWork | null>;
}

/** Background work the service starts and stops (the indicators' schedule). */
export interface BackgroundWork {
  /** One line for the start banner. */
  readonly summary: string;
  stop(): Promise<void>;
}

export interface RunningService {
  readonly server: Server;
  readonly store: Store;
  readonly identity: TlsIdentity;
  readonly https: HostPort;
  readonly http: HostPort | null;
  readonly accounts: Accounts;
  readonly schedulerRunning: boolean;
  /** What the indicators' schedule does, or null without one. */
  readonly indicators: string | null;
  close(): Promise<void>;
}

const bound = (server: { address(): AddressInfo | string | null }): HostPort => {
  const a = server.address();
  if (!a || typeof a === "string") throw new Error("server not listening");
  return { host: a.address, port: a.port };
};

/** A port taken or refused is the user's to fix, said plainly (not an internal error). */
function listenError(option: string, at: HostPort, error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "EADDRINUSE"
      ? "the address is in use (another server runs there?)"
      : code === "EACCES"
        ? "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
        : code === "EADDRNOTAVAIL"
          ? "this machine has no such address"
          : (error as Error).message;
  throw new MailcharterError("config", `${option} ${at.host}:${at.port}: ${why}`, { cause: error });
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  ensureDataDir(options.dataDir);
  const identity = options.tls
    ? identityFromFiles(options.tls.cert, options.tls.key)
    : await selfSignedIdentity(options.dataDir, options.listen.host);
  const sessionSecret = readOrCreate(options.dataDir, "session-secret", () =>
    randomBytes(32).toString("base64url"),
  ).text.trim();
  const signingKey = readOrCreate(options.dataDir, "list-signing-key.json", () =>
    JSON.stringify(generateSigningKey()),
  );
  const key = JSON.parse(signingKey.text) as { privatePem: string; publicPem: string };

  // Read before anything starts: a bad configuration is the user's to fix, said at once.
  const notifyConfig = readNotifyConfig(
    options.notifyConfig ?? join(options.dataDir, notifyConfigName),
    options.notifyConfig !== undefined,
  );
  const store = await openStore(options.db, { create: true });
  // Stopped in this order: no new connections (HTTPS, then HTTP), the background work finished or
  // handed back, then the store.
  const stops: { listeners: (() => Promise<void>)[]; work: (() => Promise<void>)[] } = {
    listeners: [],
    work: [],
  };
  let stopped: Promise<void> | null = null;
  const stopAll = () => {
    stopped ??= (async () => {
      for (const step of [...stops.listeners, ...stops.work]) await step().catch(() => {});
      await store.close();
    })();
    return stopped;
  };
  try {
    const registry = await Registry.open(store);
    const monitor = options.monitor ? await options.monitor(store) : null;
    if (monitor) stops.work.push(async () => void (await monitor.stop()));
    const now = () => new Date();
    const accounts = new Accounts(store, registry, now);
    const ctx: ServiceContext = {
      registry,
      accounts,
      publisher: new ListPublisher(registry, key, now),
      history: historyPort(
        await AuditHistory.open(store),
        await ScheduleStore.open(store),
        monitor?.requestAudit,
      ),
      incidents: await IncidentStore.open(store),
      indicators: await indicatorsPort(store),
      now,
      scheduler: monitor && options.scheduler ? { tickMs: monitorLimits.tickMs } : null,
      tlsrpt: await TlsRptStore.open(store),
      notify: {
        deliveries: (page) => listDeliveries(store.db, page),
        metrics: async () => exposition(await readMetrics(store.db, now())),
        metricsToken: () => notifyConfig.metricsToken?.reveal() ?? null,
      },
      outbound: outboundPort(store, options.outboundConfig ?? null, now),
      progress: monitor?.progress ?? null,
      annex: await openAnnexService(store),
    };
    const server = await buildServer(ctx, {
      https: { cert: identity.cert, key: identity.key },
      sessionSecret,
      logger: options.logger,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    stops.listeners.push(() => server.app.close());
    await server.app
      .listen({ host: options.listen.host, port: options.listen.port })
      .catch((error) => listenError("--listen", options.listen, error));
    const https = bound(server.app.server);

    let redirector: HttpServer | null = null;
    if (options.httpListen) {
      const at = options.httpListen;
      redirector = await startRedirectServer(at, https.port, options.listen.host).catch((error) =>
        listenError("--http-listen", at, error),
      );
      const r = redirector;
      stops.listeners.push(() => new Promise((resolve) => r.close(() => resolve())));
    }

    const purge = setInterval(() => {
      accounts.sessions
        .purge(now().toISOString())
        .catch((error) => server.app.log.error({ err: error }, "session purge"));
    }, 10 * 60_000);
    purge.unref();
    stops.work.unshift(async () => clearInterval(purge));

    // Notices and reports are delivered by this process (the outbox is in the store: a worker
    // elsewhere, or monitor run-once, may deliver too; leases keep them from sending one twice).
    const notifier = startNotifyWorker(store, registry, notifyConfig, (error) =>
      server.app.log.error({ err: error }, "notification delivery"),
    );
    stops.work.unshift(() => notifier.stop());

    const indicators = options.indicators ? await options.indicators(store, notifyConfig) : null;
    if (indicators) stops.work.unshift(() => indicators.stop());

    let schedulerRunning = false;
    if (monitor && options.scheduler) {
      monitor.start();
      schedulerRunning = true;
    } else if (monitor) await monitor.recover();

    return {
      server,
      store,
      identity,
      https,
      http: redirector ? bound(redirector) : null,
      accounts,
      schedulerRunning,
      indicators: indicators?.summary ?? null,
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export const defaultLogger = (): ServerOptions["logger"] => ({
  level: "info",
  redact: { paths: redactedPaths, censor: "[redacted]" },
});

export { serviceLimits };
