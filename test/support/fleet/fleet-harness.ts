/**
 * The fleet on loopback, for the crash test and the fleet benchmark: a private PostgreSQL, a fake MX
 * farm (fake-mx-farm.ts) and a fake DNS server (fake-dns.ts), a registry of many domains spread over
 * the farm's MX hosts like real hosting (a Zipf-like share: a few hosts carry most domains), real
 * `mailcharter worker` processes, and the scheduler of `serve --db postgres://…` driven here (the
 * same `openMonitor` with the distributed queue). Needs root (the cluster runs as postgres, the farm
 * binds port 25) and a build (`dist/cli/main.js`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { distributedQueue } from "../../../src/jobs/distributed-queue.js";
import type { Monitor } from "../../../src/monitor/monitor.js";
import { openMonitor } from "../../../src/monitor/monitor.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Postgres, startPostgres } from "../../interop/lab/postgres.js";
import { issue, rootCa } from "../pki.js";
import { type FakeDns, startDns } from "./fake-dns.js";
import { type Farm, startFarm } from "./fake-mx-farm.js";

export interface FleetOptions {
  readonly postgresAddress: string;
  readonly dnsAddress: string;
  readonly dnsPort?: number;
  /** The farm's MX addresses, grouped by provider (each group one provider network). */
  readonly providers: readonly (readonly string[])[];
  readonly domains: number;
  readonly latencyMs: number;
  /** Zipf exponent of the share of domains per MX host (1: a few hosts carry most). */
  readonly zipf?: number;
  readonly seed?: number;
  /** An already running cluster (the bench keeps one for all its runs). */
  readonly postgres?: Postgres;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout: string;
  stderr: string;
  /** CPU time of the process (user + system, ms), read from /proc before it ends. */
  cpuMs(): number;
}

export interface Fleet {
  readonly url: string;
  readonly postgres: Postgres;
  readonly farm: Farm;
  readonly dns: FakeDns;
  readonly dir: string;
  readonly domains: readonly string[];
  /** The MX host name of each domain. */
  readonly mxOf: ReadonlyMap<string, string>;
  readonly store: Store;
  readonly workerArgs: readonly string[];
  worker(extra?: readonly string[], env?: NodeJS.ProcessEnv): WorkerProcess;
  /** The service's side: a monitor whose queue sends runs to the workers. */
  scheduler(onError?: (error: unknown) => void): Promise<Monitor>;
  close(): Promise<void>;
}

/** A small deterministic PRNG (mulberry32), so a run's spread of domains is the same every time. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Domain i → MX index: every host gets one domain first, the rest follow weights 1/(rank+1)^s. */
export function zipfShare(domains: number, hosts: number, s: number, random: () => number): number[] {
  const weights = Array.from({ length: hosts }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w / total;
    cumulative.push(sum);
  }
  return Array.from({ length: domains }, (_, i) => {
    if (i < hosts) return i;
    const r = random();
    const found = cumulative.findIndex((c) => r < c);
    return found === -1 ? hosts - 1 : found;
  });
}

function readCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 (1-based) of /proc/PID/stat, in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export async function freshDatabase(base: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

export async function startFleet(options: FleetOptions, database = "fleet"): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-fleet-"));
  const ownPostgres = options.postgres === undefined;
  const postgres = options.postgres ?? (await startPostgres(options.postgresAddress));
  const url = await freshDatabase(postgres.url, database);
  const ca = await rootCa("mailcharter fleet farm CA");
  const leaf = await issue(ca, "mx.farm.test", {
    dnsNames: options.providers.map((_, p) => `*.p${p}.farm.test`),
  });
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, ca.pem);
  const geoFile = join(dir, "geo.csv");
  writeFileSync(geoFile, "127.0.0.0/8,FR\n");

  const a = new Map<string, string>();
  const mx = new Map<string, string>();
  const hostNames: string[] = [];
  const nameOfAddress = new Map<string, string>();
  options.providers.forEach((addresses, p) => {
    addresses.forEach((address, h) => {
      const name = `mx${h}.p${p}.farm.test`;
      a.set(name, address);
      hostNames.push(name);
      nameOfAddress.set(address, name);
    });
  });
  const random = prng(options.seed ?? 42);
  // Hosts ranked in a shuffled order, so the big ones are spread over the providers.
  const ranked = [...hostNames].sort(() => random() - 0.5);
  const share = zipfShare(options.domains, ranked.length, options.zipf ?? 1, random);
  const domains = share.map((_, i) => `d${i}.fleet.test`);
  const mxOf = new Map<string, string>();
  domains.forEach((d, i) => {
    const host = ranked[share[i] as number] as string;
    mx.set(d, host);
    mxOf.set(d, host);
  });
  const farm = await startFarm({
    addresses: [...nameOfAddress.keys()],
    latencyMs: options.latencyMs,
    cert: leaf.pem,
    key: leaf.keyPem,
    nameOf: (address) => nameOfAddress.get(address) ?? address,
  });
  const dnsPort = options.dnsPort ?? 53;
  const dns = await startDns(options.dnsAddress, dnsPort, { a, mx });

  const store = await openStore(url, { create: true });
  const registry = await Registry.open(store);
  // Organisations of up to 500 domains, like hosting customers.
  const orgs = [];
  for (let i = 0; i < domains.length; i += 500)
    orgs.push({
      name: `Org ${i / 500}`,
      contact: `pm${i / 500}@fleet.test`,
      adhesionDate: "2026-01-01",
      domains: domains.slice(i, i + 500).map((domain) => ({ domain, mx: [mxOf.get(domain) as string] })),
    });
  await registry.import(orgs);

  const workerArgs = [
    "dist/cli/main.js",
    "worker",
    "--db",
    url,
    "--resolver",
    `${options.dnsAddress}:${dnsPort}`,
    "--allow-private",
    "--ca-file",
    caFile,
    "--geo-file",
    geoFile,
    "--ehlo-name",
    "probe.fleet.test",
    "--timeout",
    "5000",
  ];
  const children: WorkerProcess[] = [];
  return {
    url,
    postgres,
    farm,
    dns,
    dir,
    domains,
    mxOf,
    store,
    workerArgs,
    worker(extra = [], env = {}) {
      const child = spawn("node", [...workerArgs, ...extra], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...env },
      });
      let last = 0;
      const sample = setInterval(() => {
        last = Math.max(last, readCpuMs(child.pid));
      }, 200);
      const proc: WorkerProcess = {
        child,
        stdout: "",
        stderr: "",
        exited: new Promise((resolve) =>
          child.on("exit", (code) => {
            clearInterval(sample);
            resolve(code);
          }),
        ),
        cpuMs: () => Math.max(last, readCpuMs(child.pid)),
      };
      child.stdout?.on("data", (d) => (proc.stdout += d));
      child.stderr?.on("data", (d) => (proc.stderr += d));
      children.push(proc);
      return proc;
    },
    async scheduler(onError = () => {}) {
      return openMonitor({
        store,
        auditor: () => {
          throw new Error("the service audits nothing in the distributed mode");
        },
        onError,
        queue: await distributedQueue(url, onError),
      });
    },
    async close() {
      for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
      await Promise.all(children.map((c) => c.exited));
      await store.close();
      await dns.close();
      await farm.close();
      if (ownPostgres) await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
