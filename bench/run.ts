/**
 * `npm run bench`: mailcharter side by side with sslscan and testssl.sh (Debian packages) on the same
 * lab endpoints — MX 25 (STARTTLS), IMAP 993, HTTPS 443, for a strong and a weak configuration.
 * Every tool reaches the servers through a counting TCP relay on 127.0.20.x, so connections are
 * counted the same way for all. Also in the same run: the start-up (`node -e 0` against
 * `mailcharter --version`), and a whole-domain audit against the sum of its endpoints' probe times.
 * Prints medians, mailcharter/peer ratios and connection counts, and writes the table to
 * BENCHMARKS.md. Needs root and the lab's packages (scripts/install-system-deps.sh); run it under
 * the lab lock (`flock /tmp/mailcharter-lab.lock npm run bench`).
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { labGeo, startLab } from "../test/interop/lab/lab.js";
import { scenarioByName } from "../test/interop/lab/scenarios.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const withTestssl = process.env.BENCH_TESTSSL !== "0";

interface Relay {
  readonly address: string;
  count: number;
  close(): Promise<void>;
}

/** A TCP relay that counts the connections it accepts, each forwarded to the real server. */
async function relay(listen: string, target: string, port: number): Promise<Relay> {
  const state = { count: 0 };
  const server: Server = createServer((client) => {
    state.count++;
    const upstream = tcpConnect({ host: target, port });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(port, listen, resolve));
  return {
    address: listen,
    get count() {
      return state.count;
    },
    set count(v: number) {
      state.count = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function timed(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", () => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.once("error", reject);
    child.once("close", () => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, out });
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Endpoint {
  readonly label: string;
  readonly scenario: "good" | "legacy";
  readonly port: number;
  readonly service: string;
  readonly starttls?: "smtp" | "imap" | "pop3";
}

const endpoints: readonly Endpoint[] = [
  { label: "strong MX 25 STARTTLS", scenario: "good", port: 25, service: "smtp", starttls: "smtp" },
  { label: "strong IMAP 993", scenario: "good", port: 993, service: "imap" },
  { label: "strong HTTPS 443", scenario: "good", port: 443, service: "https" },
  { label: "weak MX 25 STARTTLS", scenario: "legacy", port: 25, service: "smtp", starttls: "smtp" },
  { label: "weak HTTPS 443", scenario: "legacy", port: 443, service: "https" },
];

const mailcharter = (targets: readonly string[], service?: string) => [
  "dist/cli/main.js",
  "probe",
  ...targets,
  ...(service ? ["--service", service] : []),
  "--allow-private",
  "--json",
  "--ehlo-name",
  "bench.lab.test",
];

interface Row {
  label: string;
  mc: number;
  mcConnections: number;
  mcReported: number;
  sslscan: number;
  sslscanConnections: number;
  testssl: number | null;
  testsslConnections: number | null;
  accepted: number;
}

const lab = await startLab();
const relays: Relay[] = [];
try {
  const rows: Row[] = [];
  let relayIndex = 1;
  for (const endpoint of endpoints) {
    const scenario = scenarioByName(endpoint.scenario);
    const r = await relay(`127.0.20.${relayIndex++}`, scenario.address, endpoint.port);
    relays.push(r);
    const target = `${r.address}:${endpoint.port}`;
    // Warm-up: each server's first connection starts processes (Postfix smtpd, Dovecot login).
    await timed("node", mailcharter([target], endpoint.service));
    await timed("sslscan", [
      "--no-colour",
      ...(endpoint.starttls ? [`--starttls-${endpoint.starttls}`] : []),
      target,
    ]);
    const mc: number[] = [];
    const mcConn: number[] = [];
    let reported = 0;
    let accepted = 0;
    for (let i = 0; i < runs; i++) {
      r.count = 0;
      const { ms, out } = await timed("node", mailcharter([target], endpoint.service));
      mc.push(ms);
      mcConn.push(r.count);
      const report = JSON.parse(out) as {
        endpoints: Array<{
          stats: { connections: number };
          tls: { cipherSuites?: Record<string, string[]> } | null;
        }>;
      };
      reported = report.endpoints[0]?.stats.connections ?? 0;
      accepted = Object.values(report.endpoints[0]?.tls?.cipherSuites ?? {}).reduce(
        (n, s) => n + s.length,
        0,
      );
    }
    const ss: number[] = [];
    const ssConn: number[] = [];
    for (let i = 0; i < runs; i++) {
      r.count = 0;
      const { ms } = await timed("sslscan", [
        "--no-colour",
        ...(endpoint.starttls ? [`--starttls-${endpoint.starttls}`] : []),
        target,
      ]);
      ss.push(ms);
      ssConn.push(r.count);
    }
    let testssl: number | null = null;
    let testsslConnections: number | null = null;
    if (withTestssl) {
      r.count = 0;
      const { ms } = await timed(
        "testssl",
        [
          "--quiet",
          "--color",
          "0",
          "--warnings",
          "off",
          "-n",
          "none",
          "-p",
          "-e",
          "-P",
          "-S",
          "-f",
          ...(endpoint.starttls ? ["-t", endpoint.starttls] : []),
          target,
        ],
        { ...process.env, NXCONNECT: "127.0.0.1:0" },
      );
      testssl = ms;
      testsslConnections = r.count;
    }
    rows.push({
      label: endpoint.label,
      mc: median(mc),
      mcConnections: median(mcConn),
      mcReported: reported,
      sslscan: median(ss),
      sslscanConnections: median(ssConn),
      testssl,
      testsslConnections,
      accepted,
    });
    console.log(JSON.stringify(rows.at(-1)));
  }

  // A whole domain: every endpoint of the strong scenario in one mailcharter process, against sslscan
  // run on them one after another.
  const good = scenarioByName("good");
  const domainPorts: ReadonlyArray<[number, string, string?]> = [
    [25, "smtp", "smtp"],
    [465, "submission"],
    [587, "submission", "smtp"],
    [143, "imap", "imap"],
    [993, "imap"],
    [110, "pop3", "pop3"],
    [995, "pop3"],
    [443, "https"],
  ];
  const domainTargets = domainPorts.map(([port]) => `${good.address}:${port}`);
  const domainMc: number[] = [];
  const domainSs: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    domainMc.push((await timed("node", mailcharter(domainTargets))).ms);
    let total = 0;
    for (const [port, , starttls] of domainPorts) {
      total += (
        await timed("sslscan", [
          "--no-colour",
          ...(starttls ? [`--starttls-${starttls}`] : []),
          `${good.address}:${port}`,
        ])
      ).ms;
    }
    domainSs.push(total);
  }

  // Start-up: Node alone, then the CLI's smallest command (one bundle file read, no command loaded).
  const startup = { node: [] as number[], version: [] as number[], help: [] as number[] };
  for (let i = 0; i < Math.max(runs, 5) * 2; i++) {
    startup.node.push((await timed("node", ["-e", "0"])).ms);
    startup.version.push((await timed("node", ["dist/cli/main.js", "--version"])).ms);
    startup.help.push((await timed("node", ["dist/cli/main.js", "probe", "--help"])).ms);
  }

  // A whole domain's audit (every step side by side) against the sum of its endpoints' own times.
  const geoFile = join(lab.dir, "bench-geo.csv");
  writeFileSync(geoFile, labGeo);
  const auditArgs = [
    "dist/cli/main.js",
    "audit",
    "good.lab.test",
    "--json",
    "--resolver",
    lab.validatingResolver,
    "--allow-private",
    "--ca-file",
    lab.rootCaFile,
    "--geo-file",
    geoFile,
    "--ehlo-name",
    "bench.lab.test",
  ];
  await timed("node", auditArgs);
  const audits: { wall: number; sum: number; slowest: number; endpoints: number; verdict: string }[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const { ms, out } = await timed("node", auditArgs);
    const report = JSON.parse(out) as {
      verdict: string;
      endpoints: Array<{ stats: { durationMs: number } }>;
    };
    const durations = report.endpoints.map((e) => e.stats.durationMs);
    audits.push({
      wall: ms,
      sum: durations.reduce((a, b) => a + b, 0),
      slowest: Math.max(...durations),
      endpoints: durations.length,
      verdict: report.verdict,
    });
  }
  const audit = {
    wall: median(audits.map((a) => a.wall)),
    sum: median(audits.map((a) => a.sum)),
    slowest: median(audits.map((a) => a.slowest)),
    endpoints: audits[0]?.endpoints ?? 0,
    verdict: audits[0]?.verdict ?? "?",
  };
  console.log(JSON.stringify({ startup, audit }));

  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines = [
    `## ${new Date().toISOString().slice(0, 10)} — ${runs} runs per tool (testssl.sh once), medians`,
    "",
    `Machine: ${readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?"}, ${(await import("node:os")).cpus().length} cores; Node ${process.version}; sslscan and testssl.sh from Debian.`,
    "Wall time is the whole process (Node start-up included for mailcharter). Connections are counted by a relay in front of the server.",
    "",
    "| endpoint | accepted suites | mailcharter | sslscan | testssl.sh | mc/sslscan | mc/testssl | connections mc (reported) / sslscan / testssl |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.accepted} | ${fmt(r.mc)} | ${fmt(r.sslscan)} | ${r.testssl === null ? "—" : fmt(r.testssl)} | ${ratio(r.mc, r.sslscan)} | ${r.testssl === null ? "—" : ratio(r.mc, r.testssl)} | ${r.mcConnections} (${r.mcReported}) / ${r.sslscanConnections} / ${r.testsslConnections ?? "—"} |`,
    ),
    `| whole domain (8 endpoints, strong) | — | ${fmt(median(domainMc))} | ${fmt(median(domainSs))} (one after another) | — | ${ratio(median(domainMc), median(domainSs))} | — | — |`,
    "",
    "| start-up (whole process, median) | time |",
    "|---|---|",
    `| \`node -e 0\` | ${fmt(median(startup.node))} |`,
    `| \`mailcharter --version\` | ${fmt(median(startup.version))} |`,
    `| \`mailcharter probe --help\` (loads the probe command) | ${fmt(median(startup.help))} |`,
    "",
    `| \`mailcharter audit good.lab.test\` (${audit.endpoints} endpoints, ${audit.verdict}) | time |`,
    "|---|---|",
    `| whole audit, whole process | ${fmt(audit.wall)} |`,
    `| slowest endpoint (its probe's durationMs) | ${fmt(audit.slowest)} |`,
    `| sum of the endpoints' probe times | ${fmt(audit.sum)} (audit/sum ${ratio(audit.wall, audit.sum)}) |`,
    "",
  ];
  const table = lines.join("\n");
  console.log(`\n${table}`);
  const file = "BENCHMARKS.md";
  let previous = "";
  try {
    previous = readFileSync(file, "utf8");
  } catch {
    previous = "# Benchmarks\n\nProduced by `npm run bench` (see bench/run.ts). Newest first.\n\n";
  }
  const [head, ...rest] = previous.split(/\n(?=## )/);
  writeFileSync(file, [head?.trimEnd(), "", table, ...rest].join("\n"));
} finally {
  await Promise.all(relays.map((r) => r.close()));
  await lab.stop();
}
