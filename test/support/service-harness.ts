/**
 * The service on a real HTTPS listener (127.0.0.1, a free port) over a fresh store, with two
 * organisations (X and Y), one account per role and an API token for each: what the web tests need.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Accounts } from "../../src/accounts/accounts.js";
import type { Principal } from "../../src/accounts/principal.js";
import { openAnnexService } from "../../src/annex/annex-service.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { IncidentStore } from "../../src/monitor/incidents/incident-store.js";
import type { ProgressHub } from "../../src/monitor/progress.js";
import { ScheduleStore } from "../../src/monitor/schedule-store.js";
import type { OutboundConfig } from "../../src/outbound/config.js";
import { outboundPort } from "../../src/outbound/outbound-tests.js";
import { generateSigningKey } from "../../src/registry/published-list.js";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";
import { historyPort } from "../../src/web/app/audits-port.js";
import { type IndicatorsPort, indicatorsPort } from "../../src/web/app/indicators-port.js";
import type { AuditHistoryPort, ServiceContext } from "../../src/web/context.js";
import { ListPublisher } from "../../src/web/published-list-service.js";
import { buildServer, type Server, type ServerOptions, type ServiceLimits } from "../../src/web/server.js";
import { selfSignedIdentity } from "../../src/web/tls-identity.js";
import { WebClient } from "./web-client.js";

export const password = "correct horse battery staple";

export type Who = "public" | "auditor" | "operatorX" | "operatorY" | "agency";
export const everyone: readonly Who[] = ["public", "auditor", "operatorX", "operatorY", "agency"];

export interface Harness {
  readonly server: Server;
  readonly ctx: ServiceContext;
  readonly base: string;
  readonly ca: string;
  readonly ids: {
    readonly orgX: number;
    readonly orgY: number;
    readonly domainX: number;
    readonly domainY: number;
  };
  readonly emails: Record<Exclude<Who, "public">, string>;
  readonly tokens: Record<Exclude<Who, "public">, string>;
  readonly principals: Record<Exclude<Who, "public">, Principal>;
  readonly clock: { now: Date };
  client(): WebClient;
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

/** Outbound tests can be started (no listener runs in the harness: the variants only name addresses). */
const outboundConfig: OutboundConfig = {
  file: "(harness)",
  testLifetimeMs: 60_000,
  variants: [
    {
      kind: "valid",
      domain: "valid.t.example",
      mxHost: "mx.valid.t.example",
      listen: { host: "127.0.0.1", port: 0 },
      tls: null,
    },
    {
      kind: "no-starttls",
      domain: "plain.t.example",
      mxHost: "mx.plain.t.example",
      listen: { host: "127.0.0.1", port: 0 },
      tls: null,
    },
  ],
};

const identityDir = mkdtempSync(join(tmpdir(), "mailcharter-web-"));
const key = generateSigningKey();
const sessionSecret = "a test session secret, long enough for the signer";

export async function startHarness(
  store: Store,
  options: {
    limits?: Partial<ServiceLimits>;
    history?: AuditHistoryPort | null;
    indicators?: IndicatorsPort | null;
    seed?: boolean;
    logger?: ServerOptions["logger"];
    progress?: ProgressHub;
  } = {},
): Promise<Harness> {
  const identity = await selfSignedIdentity(identityDir, "127.0.0.1");
  const clock = { now: new Date() };
  const now = () => new Date(clock.now);
  const registry = await Registry.open(store);
  const accounts = new Accounts(store, registry, now);
  const ctx: ServiceContext = {
    registry,
    accounts,
    publisher: new ListPublisher(registry, key, now),
    history:
      options.history === undefined
        ? historyPort(await AuditHistory.open(store), await ScheduleStore.open(store))
        : options.history,
    incidents: await IncidentStore.open(store),
    indicators: options.indicators === undefined ? await indicatorsPort(store) : options.indicators,
    now,
    tlsrpt: await TlsRptStore.open(store),
    outbound: outboundPort(store, outboundConfig, now),
    progress: options.progress ?? null,
    annex: await openAnnexService(store),
  };
  const emails = {
    auditor: "auditor@agency.example",
    operatorX: "postmaster@x.example",
    operatorY: "postmaster@y.example",
    agency: "keeper@agency.example",
  };
  if (options.seed !== false && (await accounts.count()) === 0) {
    await registry.add({
      name: "X Mail",
      contact: "contact@x.example",
      adhesionDate: "2026-01-15",
      domains: [{ domain: "x.example", mx: ["mx.x.example"] }],
    });
    await registry.add({
      name: "Y Télécom",
      contact: "contact@y.example",
      adhesionDate: "2026-02-01",
      domains: [{ domain: "y.example", mx: ["*.y.example"] }],
    });
    await accounts.add({ email: emails.agency, role: "agency", password });
    await accounts.add({ email: emails.auditor, role: "auditor", password });
    await accounts.add({ email: emails.operatorX, role: "operator", organisation: "X Mail", password });
    await accounts.add({ email: emails.operatorY, role: "operator", organisation: "Y Télécom", password });
  }
  const entries = await registry.entries();
  const x = entries.find((e) => e.signatory.name === "X Mail");
  const y = entries.find((e) => e.signatory.name === "Y Télécom");
  const list = await accounts.list();
  const principal = (email: string): Principal => {
    const a = list.find((l) => l.email === email);
    if (!a) throw new Error(`no account ${email}`);
    return {
      kind: "account",
      accountId: a.id,
      email,
      role: a.role,
      organisationId: a.organisationId,
      via: "token",
    };
  };
  const principals = {
    agency: principal(emails.agency),
    auditor: principal(emails.auditor),
    operatorX: principal(emails.operatorX),
    operatorY: principal(emails.operatorY),
  };
  const token = async (p: Principal) => (await accounts.createToken(p, { name: "tests" })).token;
  const tokens = {
    agency: await token(principals.agency),
    auditor: await token(principals.auditor),
    operatorX: await token(principals.operatorX),
    operatorY: await token(principals.operatorY),
  };
  const server = await buildServer(ctx, {
    https: { cert: identity.cert, key: identity.key },
    sessionSecret,
    logger: options.logger ?? false,
    limits: {
      loginAttemptsPerIp: 1000,
      loginAttemptsPerAccount: 1000,
      requestsPerMinute: 100_000,
      ...options.limits,
    },
  });
  await server.app.listen({ host: "127.0.0.1", port: 0 });
  const address = server.app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const base = `https://127.0.0.1:${port}`;
  const harness: Harness = {
    server,
    ctx,
    base,
    ca: identity.cert,
    ids: {
      orgX: x?.id ?? 0,
      orgY: y?.id ?? 0,
      domainX: x?.domains[0]?.id ?? 0,
      domainY: y?.domains[0]?.id ?? 0,
    },
    emails,
    tokens,
    principals,
    clock,
    client: () => new WebClient(base, identity.cert),
    restart: async () => {
      await server.app.close();
      return startHarness(store, { ...options, seed: false });
    },
    close: () => server.app.close(),
  };
  return harness;
}
