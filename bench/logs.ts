/**
 * `npm run bench` (log part, also `npm run bench:logs`): lines per second of `mailcharter indicators
 * ingest-log --format postfix` on a generated 1-million-line Postfix log, side by side with Debian's
 * `pflogsumm` on the same file (both whole processes, medians of BENCH_LOG_RUNS runs, default 3).
 * mailcharter is timed three times: summary only (`--no-store`, what pflogsumm does too) with its
 * sessions joined on threads of their own where the machine has two cores, on one (`--threads 1`),
 * and storing every
 * session with the per-link figures in a fresh SQLite file (`--db`, `--org`). Needs no root and no
 * lab; writes its table to BENCHMARKS.md.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.env.BENCH_LOG_RUNS ?? 3);
const targetLines = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);

/** A deterministic pseudo-random sequence (xorshift32), so every run reads the same file. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const stamp = (t: Date) =>
  `${months[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, " ")} ${t.toISOString().slice(11, 19)}`;

/**
 * A busy MX's day: per message, smtpd's connect, TLS and client lines, cleanup, qmgr, smtp's TLS and
 * delivery lines, qmgr's removal and smtpd's disconnect — the shapes of a real Postfix 3.7 log with
 * `smtp_tls_loglevel = 1` (docs/mta-logs.md). Deliveries: 80 % verified TLS, 10 % in clear, 5 %
 * deferred for lack of STARTTLS, 5 % bounced.
 */
export function generatePostfixLog(lines: number): string {
  const next = random(42);
  const out: string[] = [];
  let t = Date.UTC(2026, 10, 30, 0, 0, 0);
  let n = 0;
  const peers = Array.from({ length: 50 }, (_, i) => ({
    domain: `peer${i}.example`,
    mx: `mx.peer${i}.example`,
    ip: `192.0.2.${i + 1}`,
  }));
  while (out.length < lines) {
    n++;
    t += Math.floor(next() * 2000);
    const at = stamp(new Date(t));
    const qid = `4Q${n.toString(36).toUpperCase().padStart(8, "0")}z`;
    const smtpd = 1000 + (n % 300);
    const smtp = 5000 + (n % 200);
    const client = `client${n % 97}.example[198.51.100.${n % 250}]`;
    const peer = peers[n % peers.length] as (typeof peers)[number];
    const roll = next();
    out.push(`${at} mx1 postfix/smtpd[${smtpd}]: connect from ${client}`);
    out.push(
      `${at} mx1 postfix/smtpd[${smtpd}]: Anonymous TLS connection established from ${client}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`,
    );
    out.push(`${at} mx1 postfix/smtpd[${smtpd}]: ${qid}: client=${client}`);
    out.push(`${at} mx1 postfix/cleanup[${smtpd + 1}]: ${qid}: message-id=<${n}@client.example>`);
    out.push(
      `${at} mx1 postfix/qmgr[900]: ${qid}: from=<sender${n % 1000}@client.example>, size=${2000 + (n % 5000)}, nrcpt=1 (queue active)`,
    );
    const to = `user${n % 5000}@${peer.domain}`;
    const relay = `${peer.mx}[${peer.ip}]:25`;
    if (roll < 0.8) {
      out.push(
        `${at} mx1 postfix/smtp[${smtp}]: Verified TLS connection established to ${relay}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`,
      );
      out.push(
        `${at} mx1 postfix/smtp[${smtp}]: ${qid}: to=<${to}>, relay=${relay}, delay=0.41, delays=0.01/0.01/0.2/0.19, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4R${n})`,
      );
    } else if (roll < 0.9) {
      out.push(
        `${at} mx1 postfix/smtp[${smtp}]: ${qid}: to=<${to}>, relay=${relay}, delay=0.3, delays=0.01/0.01/0.2/0.08, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4R${n})`,
      );
    } else if (roll < 0.95) {
      out.push(
        `${at} mx1 postfix/smtp[${smtp}]: ${qid}: to=<${to}>, relay=${relay}, delay=1.2, delays=0.01/0/1.2/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host ${relay.replace(/:25$/, "")})`,
      );
    } else {
      out.push(
        `${at} mx1 postfix/smtp[${smtp}]: ${qid}: to=<${to}>, relay=${relay}, delay=0.5, delays=0.01/0/0.3/0.2, dsn=5.1.1, status=bounced (host ${relay.replace(/:25$/, "")} said: 550 5.1.1 <${to}>: Recipient address rejected: User unknown (in reply to RCPT TO command))`,
      );
    }
    if (roll < 0.9 || roll >= 0.95) out.push(`${at} mx1 postfix/qmgr[900]: ${qid}: removed`);
    out.push(
      `${at} mx1 postfix/smtpd[${smtpd}]: disconnect from ${client} ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7`,
    );
  }
  return `${out.slice(0, lines).join("\n")}\n`;
}

function timed(command: string, args: readonly string[]): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => {
      if (out.length < 1_000_000) out += c;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${command} exited ${code}`));
      else resolve({ ms, out });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-bench-logs-"));
  try {
    const log = join(dir, "mail.log");
    writeFileSync(log, generatePostfixLog(targetLines));
    const bytes = statSync(log).size;
    const summaryOnly: number[] = [];
    const oneThread: number[] = [];
    const storing: number[] = [];
    const pflogsumm: number[] = [];
    let summary = "";
    for (let i = 0; i < runs; i++) {
      const a = await timed("node", [
        "dist/cli/main.js",
        "indicators",
        "ingest-log",
        "--format",
        "postfix",
        "--no-store",
        "--json",
        log,
      ]);
      summaryOnly.push(a.ms);
      summary = a.out;
      const one = await timed("node", [
        "dist/cli/main.js",
        "indicators",
        "ingest-log",
        "--format",
        "postfix",
        "--no-store",
        "--threads",
        "1",
        "--json",
        log,
      ]);
      if (one.out !== a.out) throw new Error("one thread and two gave different summaries");
      oneThread.push(one.ms);
      const db = join(dir, `bench-${i}.sqlite`);
      await timed("node", [
        "dist/cli/main.js",
        "registry",
        "add",
        "--db",
        db,
        "--name",
        "Bench",
        "--contact",
        "pm@mx1.example",
        "--adhesion",
        "2026-01-01",
        "--domain",
        "mx1.example=mx1.example",
      ]);
      storing.push(
        (
          await timed("node", [
            "dist/cli/main.js",
            "indicators",
            "ingest-log",
            "--format",
            "postfix",
            "--org",
            "Bench",
            "--db",
            db,
            "--json",
            log,
          ])
        ).ms,
      );
      pflogsumm.push((await timed("pflogsumm", [log])).ms);
    }
    const parsed = JSON.parse(summary) as { lines: number; deliveries: Record<string, number> };
    if (parsed.lines !== targetLines)
      throw new Error(`ingest-log read ${parsed.lines} lines, not ${targetLines}`);
    const perSecond = (ms: number) => Math.round(targetLines / (ms / 1000)).toLocaleString("en-US");
    const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const [s, s1, st, p] = [median(summaryOnly), median(oneThread), median(storing), median(pflogsumm)];
    const pflogVersion = (
      await timed("sh", ["-c", "dpkg-query -W -f='${Version}' pflogsumm 2>/dev/null || echo ?"])
    ).out;
    const table = [
      `## ${new Date().toISOString().slice(0, 10)} — MTA log parsing, ${runs} runs, medians`,
      "",
      `Machine: ${readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?"}, ${cpus().length} cores; Node ${process.version}; pflogsumm ${pflogVersion} (Debian).`,
      `A generated Postfix log of ${targetLines.toLocaleString("en-US")} lines (${(bytes / 1048576).toFixed(0)} MiB; ${parsed.deliveries.sent} sent, ${parsed.deliveries.deferred} deferred, ${parsed.deliveries.bounced} bounced), bench/logs.ts. Whole processes, Node start-up included.`,
      "",
      "| tool | time | lines/s | pflogsumm / tool |",
      "|---|---|---|---|",
      `| \`mailcharter indicators ingest-log --no-store --json\` (summary, like pflogsumm; ${cpus().length >= 2 ? "one thread reads, two join outbound and inbound" : "one thread: one core"}) | ${fmt(s)} | ${perSecond(s)} | ${(p / s).toFixed(2)}× |`,
      `| \`… --no-store --threads 1 --json\` (the same summary on one thread) | ${fmt(s1)} | ${perSecond(s1)} | ${(p / s1).toFixed(2)}× |`,
      `| \`mailcharter indicators ingest-log --org … --db new.sqlite\` (every session and link figure stored) | ${fmt(st)} | ${perSecond(st)} | ${(p / st).toFixed(2)}× |`,
      `| \`pflogsumm\` | ${fmt(p)} | ${perSecond(p)} | 1.00× |`,
      "",
    ].join("\n");
    console.log(table);
    const file = "BENCHMARKS.md";
    const previous = readFileSync(file, "utf8");
    const [head, ...rest] = previous.split(/\n(?=## )/);
    writeFileSync(file, [head?.trimEnd(), "", table, ...rest].join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("logs.ts") && process.env.BENCH_LOG_GENERATE === undefined) await main();
else if (process.env.BENCH_LOG_GENERATE)
  writeFileSync(process.env.BENCH_LOG_GENERATE, generatePostfixLog(targetLines));
