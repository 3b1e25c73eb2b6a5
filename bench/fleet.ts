/**
 * `npm run bench:fleet`: the distributed mode at scale, on loopback. A fake MX farm (real STARTTLS
 * and TLS handshakes of node:tls, a reply latency) on 127.1.P.H — P a provider network, H one of its
 * MX hosts — and a fake DNS server; thousands of domains spread over the MX hosts like real hosting
 * (a Zipf share: a few hosts carry most domains); a private PostgreSQL (127.1.255.1). Each run is a
 * fresh database and one scheduler cycle over every domain:
 *
 * - `scale`: latency-bound (few audits at once per worker, a slow farm): 1, 2 and 4 worker
 *   processes, and the embedded mode (`monitor run-once` on SQLite, in-process queue);
 * - `size`: the throughput run (`FLEET_DOMAINS` domains, 2 workers), and the same MX hosts with half
 *   the domains, to show what grows with domains and what with unique MX hosts.
 *
 * Reports domains/minute, CPU-ms per domain (the auditing processes, from /proc), connections per
 * unique MX and the most connections open at once to one MX, counted at the farm: the run fails if
 * that ever exceeds the per-host cap. Needs root and PostgreSQL (scripts/install-system-deps.sh).
 * Environment: FLEET_DOMAINS (default 2000; 10000 for the full run), FLEET_MX (200), FLEET_PROVIDERS
 * (25), FLEET_LATENCY_MS (50), FLEET_SCALE_DOMAINS (200), FLEET_SCALE_MX (40),
 * FLEET_SCALE_LATENCY_MS (50), FLEET_RUNS (scale,size), FLEET_WRITE (1: add the table to BENCHMARKS.md).
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Registry } from "../src/registry/repository.js";
import { openStore } from "../src/store/database.js";
import { startPostgres } from "../test/interop/lab/postgres.js";
import { type Fleet, startFleet } from "../test/support/fleet/fleet-harness.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const domainsFull = env("FLEET_DOMAINS", 2000);
const mxCount = env("FLEET_MX", 200);
const providerCount = env("FLEET_PROVIDERS", 25);
const latency = env("FLEET_LATENCY_MS", 50);
const scaleDomains = env("FLEET_SCALE_DOMAINS", 200);
const scaleMx = env("FLEET_SCALE_MX", 40);
const scaleLatency = env("FLEET_SCALE_LATENCY_MS", 50);
const runs = (process.env.FLEET_RUNS ?? "scale,size").split(",");
const cap = 2;

/** MX addresses grouped by provider: 127.1.P.H, H from 1. */
function providers(count: number): string[][] {
  const groups: string[][] = Array.from({ length: Math.min(providerCount, count) }, () => []);
  for (let i = 0; i < count; i++)
    groups[i % providerCount]?.push(`127.1.${i % providerCount}.${1 + Math.floor(i / providerCount)}`);
  return groups;
}

interface Result {
  readonly label: string;
  readonly mode: string;
  readonly domains: number;
  readonly mx: number;
  readonly seconds: number;
  readonly cpuMs: number;
  readonly connections: number;
  readonly peak: number;
  readonly done: number;
}

const postgres = await startPostgres("127.1.255.1");
const results: Result[] = [];
let database = 0;

async function withFleet<T>(
  domains: number,
  mx: number,
  latencyMs: number,
  body: (fleet: Fleet) => Promise<T>,
): Promise<T> {
  const fleet = await startFleet(
    {
      postgresAddress: "127.1.255.1",
      dnsAddress: "127.1.255.2",
      providers: providers(mx),
      domains,
      latencyMs,
      postgres,
    },
    `bench_${process.pid}_${++database}`,
  );
  try {
    return await body(fleet);
  } finally {
    await fleet.close();
  }
}

async function distributed(
  label: string,
  fleet: Fleet,
  workers: number,
  concurrency: number,
): Promise<Result> {
  const procs = Array.from({ length: workers }, () => fleet.worker(["--concurrency", String(concurrency)]));
  // Let the workers start (node, pg-boss) before the clock runs.
  await new Promise((r) => setTimeout(r, 3_000));
  fleet.farm.reset();
  const cpuBefore = procs.reduce((s, p) => s + p.cpuMs(), 0);
  const monitor = await fleet.scheduler((e) => console.error(`scheduler: ${String(e)}`));
  const started = Date.now();
  const outcome = await monitor.runCycle();
  const seconds = (Date.now() - started) / 1000;
  const cpuMs = procs.reduce((s, p) => s + p.cpuMs(), 0) - cpuBefore;
  await monitor.stop(1_000);
  for (const p of procs) p.child.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.exited));
  return {
    label,
    mode: `${workers} worker${workers > 1 ? "s" : ""} × ${concurrency}`,
    domains: fleet.domains.length,
    mx: fleet.farm.hosts.size,
    seconds,
    cpuMs,
    connections: fleet.farm.total(),
    peak: fleet.farm.peak(),
    done: outcome.runs.filter((r) => r.status === "done").length,
  };
}

/** The embedded mode: `monitor run-once` on SQLite, its in-process queue and the local per-host cap. */
async function inProcess(label: string, fleet: Fleet, concurrency: number): Promise<Result> {
  const file = join(fleet.dir, "embedded.sqlite");
  const store = await openStore(file, { create: true });
  const registry = await Registry.open(store);
  await registry.import(
    await (await Registry.open(fleet.store)).list().then((list) =>
      list.map((s) => ({
        name: s.name,
        contact: s.contact,
        adhesionDate: s.adhesionDate,
        domains: s.domains.map((d) => ({ domain: d.domain, mx: d.mx })),
      })),
    ),
  );
  await store.close();
  const args = fleet.workerArgs.slice(2).filter((_, i, all) => all[i] !== "--db" && all[i - 1] !== "--db");
  fleet.farm.reset();
  const started = Date.now();
  const child = spawn(
    "node",
    [
      "dist/cli/main.js",
      "monitor",
      "run-once",
      "--db",
      file,
      "--json",
      "--concurrency",
      String(concurrency),
      ...args,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  let cpuMs = 0;
  const sample = setInterval(() => {
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpuMs = Math.max(cpuMs, (Number(f[11]) + Number(f[12])) * 10);
    } catch {}
  }, 200);
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(sample);
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) console.error(`monitor run-once exited ${code}: ${err.slice(0, 2000)}`);
  const report = JSON.parse(out || "{}") as { audits?: { status: string }[] };
  return {
    label,
    mode: `embedded (SQLite, in-process × ${concurrency})`,
    domains: fleet.domains.length,
    mx: fleet.farm.hosts.size,
    seconds,
    cpuMs,
    connections: fleet.farm.total(),
    peak: fleet.farm.peak(),
    done: (report.audits ?? []).filter((a) => a.status === "done").length,
  };
}

function say(r: Result): void {
  results.push(r);
  console.log(
    `${r.label}: ${r.mode}: ${r.done}/${r.domains} domains on ${r.mx} MX in ${r.seconds.toFixed(1)} s — ${((r.domains / r.seconds) * 60).toFixed(0)} domains/min, ${(r.cpuMs / r.domains).toFixed(1)} CPU-ms/domain, ${(r.connections / r.mx).toFixed(1)} connections/MX, peak ${r.peak}/MX`,
  );
  if (r.peak > cap)
    throw new Error(`${r.label} ${r.mode}: ${r.peak} connections open at once to one MX (cap ${cap})`);
  if (r.done !== r.domains)
    throw new Error(`${r.label} ${r.mode}: ${r.domains - r.done} domain(s) not audited`);
}

try {
  if (runs.includes("scale")) {
    for (const workers of [1, 2, 4])
      await withFleet(scaleDomains, scaleMx, scaleLatency, async (f) =>
        say(await distributed("scale", f, workers, 4)),
      );
    await withFleet(scaleDomains, scaleMx, scaleLatency, async (f) => say(await inProcess("scale", f, 4)));
  }
  if (runs.includes("size")) {
    await withFleet(Math.round(domainsFull / 2), mxCount, latency, async (f) =>
      say(await distributed("size", f, 2, 32)),
    );
    await withFleet(domainsFull, mxCount, latency, async (f) => say(await distributed("size", f, 2, 32)));
  }
} finally {
  await postgres.stop();
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(" ")} at the end`;
const lines = [
  `## Fleet benchmark, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  "",
  `\`npm run bench:fleet\` (bench/fleet.ts): MX hosts in up to ${providerCount} provider networks (per-host cap ${cap}, per-provider 8); scale runs ${scaleDomains} domains on ${scaleMx} MX at ${scaleLatency} ms per reply, 4 audits at once per process; size runs on ${mxCount} MX at ${latency} ms, 2 workers × 32. Machine: ${machine}.`,
  "",
  "| run | mode | domains | MX | s | domains/min | CPU-ms/domain | connections/MX | peak/MX |",
  "|---|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.label} | ${r.mode} | ${r.domains} | ${r.mx} | ${r.seconds.toFixed(1)} | ${((r.domains / r.seconds) * 60).toFixed(0)} | ${(r.cpuMs / r.domains).toFixed(1)} | ${(r.connections / r.mx).toFixed(1)} | ${r.peak} |`,
  ),
  "",
];
const table = lines.join("\n");
console.log(`\n${table}`);
if (process.env.FLEET_WRITE === "1") {
  const previous = readFileSync("BENCHMARKS.md", "utf8");
  const [head, ...rest] = previous.split(/\n(?=## )/);
  writeFileSync("BENCHMARKS.md", [head?.trimEnd(), "", table, ...rest].join("\n"));
}
