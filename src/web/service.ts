/**
 * `mailcharter serve` assembled: the store and its migrations, the data directory's secrets, the TLS
 * identity, the HTTPS server, the optional plain-HTTP redirector, session purging, and a graceful
 * stop (no new connections, running work finished or handed back, the store closed last).
 */
import { randomBytes } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Accounts } from "../accounts/accounts.js";
import { serviceLimits } from "../core/limits.js";
import { generateSigningKey } from "../registry/published-list.js";
import { Registry } from "../registry/repository.js";
import { openStore, type Store } from "../store/database.js";
import type { AuditHistoryPort, ServiceContext } from "./context.js";
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
 * Work running beside the server (the monitor's scheduler and audit runner). `stop` must finish or
 * re-queue what is running; it is awaited before the store closes.
 */
export interface BackgroundWork {
  stop(): Promise<void>;
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
  /** The monitor part's hooks; absent until it is there (then no history and no scheduler). */
  readonly monitor?: {
    readonly history: (store: Store, registry: Registry) => AuditHistoryPort;
    readonly start: (store: Store, registry: Registry) => Promise<BackgroundWork>;
  };
}

export interface RunningService {
  readonly server: Server;
  readonly store: Store;
  readonly identity: TlsIdentity;
  readonly https: HostPort;
  readonly http: HostPort | null;
  readonly accounts: Accounts;
  readonly schedulerRunning: boolean;
  close(): Promise<void>;
}

const bound = (server: { address(): AddressInfo | string | null }): HostPort => {
  const a = server.address();
  if (!a || typeof a === "string") throw new Error("server not listening");
  return { host: a.address, port: a.port };
};

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

  const store = await openStore(options.db);
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
    const now = () => new Date();
    const accounts = new Accounts(store, registry, now);
    const ctx: ServiceContext = {
      registry,
      accounts,
      publisher: new ListPublisher(registry, key, now),
      history: options.monitor ? options.monitor.history(store, registry) : null,
      now,
    };
    const server = await buildServer(ctx, {
      https: { cert: identity.cert, key: identity.key },
      sessionSecret,
      logger: options.logger,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    stops.listeners.push(() => server.app.close());
    await server.app.listen({ host: options.listen.host, port: options.listen.port });
    const https = bound(server.app.server);

    let redirector: HttpServer | null = null;
    if (options.httpListen) {
      redirector = await startRedirectServer(options.httpListen, https.port, options.listen.host);
      const r = redirector;
      stops.listeners.push(() => new Promise((resolve) => r.close(() => resolve())));
    }

    const purge = setInterval(() => {
      accounts.sessions
        .purge(now().toISOString())
        .catch((error) => server.app.log.error({ err: error }, "session purge"));
    }, 10 * 60_000);
    purge.unref();
    stops.work.push(async () => clearInterval(purge));

    let schedulerRunning = false;
    if (options.scheduler && options.monitor) {
      const work = await options.monitor.start(store, registry);
      schedulerRunning = true;
      stops.work.push(() => work.stop());
    }

    return {
      server,
      store,
      identity,
      https,
      http: redirector ? bound(redirector) : null,
      accounts,
      schedulerRunning,
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
