/**
 * The three-thread summary of a Postfix log (src/indicators/log/parallel-summary.ts) counts exactly
 * what one thread counts: the real worker threads (run from the sources through tsx), on the log
 * fixtures, a generated busy MX's log, a log in RFC 3339 stamps, one mangled line by line, and one
 * over the turn of the year.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { generatePostfixLog } from "../../../bench/logs.js";
import { type SummaryJob, startWorker, summariseFile } from "../../../src/indicators/log/parallel-summary.js";
import type { LogSummary } from "../../../src/indicators/log/summary.js";
import { cli, usageError } from "../../support/cli.js";
import { turningLog } from "../../support/logs.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-parallel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const fixtures = ["postfix-mixed.txt", "lab-postfix-sender.txt", "lab-postfix-receiver.txt"].map((name) =>
  readFileSync(new URL(`../../fixtures/logs/${name}`, import.meta.url), "utf8"),
);

/** Every third line's characters shifted by one somewhere: frames broken, lines cut, bytes over 127. */
function mangled(text: string): string {
  return text
    .split("\n")
    .map((line, i) => {
      if (i % 3 !== 0 || line.length < 10) return line;
      const at = (i * 7) % line.length;
      return `${line.slice(0, at)}${["é", "\u0001", " ", "[", ""][i % 5]}${line.slice(at + 1)}`;
    })
    .join("\n");
}

/** Classic stamps rewritten as RFC 3339 ones with a fraction and a zone (rsyslog's own format). */
function rfc3339(text: string): string {
  return text.replace(
    /^(\w{3}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)/gm,
    (_, _month, day: string, clock: string) => `2026-11-${day.padStart(2, "0")}T${clock}.123456+01:00`,
  );
}

describe("a Postfix log summarised on two threads", () => {
  const cases: [string, string][] = [
    ...fixtures.map((text, i): [string, string] => [`fixture ${i}`, text]),
    // More smtpd and smtp lines than a relayed batch holds, and more batches than may be on their way.
    ["a generated MX log", generatePostfixLog(200_000)],
    ["the same in RFC 3339 stamps", rfc3339(generatePostfixLog(5_000))],
    ["fixtures mangled", mangled(fixtures.join("\n"))],
    ["a log over the turn of the year, mangled", turningLog(20_000).join("\n")],
  ];
  for (const [name, text] of cases)
    it(`${name}: the same summary as one thread`, async () => {
      const path = file(`${name.replace(/\W+/g, "-")}.log`, text);
      const one = await summariseFile(path, "postfix", 1);
      const joined: Record<string, LogSummary> = {};
      const watched = (job: SummaryJob) => {
        const worker = startWorker(job);
        worker?.on("message", (m: { kind: string; summary?: LogSummary }) => {
          if (m.kind === "summary" && m.summary) joined[job.side] = m.summary;
        });
        return worker;
      };
      const two = await summariseFile(path, "postfix", 2, watched);
      expect(two).toEqual(one);
      // Joined by the two workers indeed, not read again on one thread.
      expect(joined.outbound?.deliveries).toEqual(one.deliveries);
      expect(joined.outbound?.tls.outbound).toEqual(one.tls.outbound);
      expect(joined.inbound?.tls.inbound).toEqual(one.tls.inbound);
      expect(one.lines).toBeGreaterThan(10);
      const inbound = Object.values(one.tls.inbound).reduce((a, b) => a + b, 0);
      const outbound = one.deliveries.sent + one.deliveries.deferred + one.deliveries.bounced;
      expect(inbound + outbound).toBeGreaterThan(0);
      // A busy MX's log has both halves: the worker's inbound sessions and this thread's deliveries.
      if (name.startsWith("a generated")) expect(Math.min(inbound, outbound)).toBeGreaterThan(15_000);
      if (name.includes("mangled")) expect(one.unparsed).toBeGreaterThan(10);
    });

  it("a worker that fails on the way: the same summary, read again on one thread", async () => {
    const path = file("failing.log", generatePostfixLog(60_000));
    const one = await summariseFile(path, "postfix", 1);
    let started = 0;
    // The inbound worker takes one batch, then dies: the outbound one is real.
    const failing = (job: SummaryJob) => {
      started++;
      if (job.side === "outbound") return startWorker(job);
      return new Worker(
        `const { parentPort } = require("node:worker_threads");
         parentPort.once("message", () => process.exit(7));`,
        { eval: true },
      );
    };
    expect(await summariseFile(path, "postfix", 2, failing)).toEqual(one);
    expect(started).toBe(2);
    // A worker that cannot start at all: one thread from the outset.
    expect(await summariseFile(path, "postfix", 2, () => null)).toEqual(one);
  });

  it("a file that cannot be read is the same clear error either way", async () => {
    await expect(summariseFile(join(dir, "missing.log"), "postfix", 2)).rejects.toThrow(/cannot read/);
  });

  it("--threads takes 1 or 2, with --no-store only", async () => {
    const path = file("small.log", fixtures[0] as string);
    expect(
      usageError(
        await cli("indicators", "ingest-log", "--format", "postfix", "--no-store", "--threads", "3", path),
      ),
    ).toMatch(/--threads: "3" is not 1 or 2/);
    expect(
      usageError(await cli("indicators", "ingest-log", "--format", "postfix", "--threads", "2", path)),
    ).toMatch(/needs --no-store/);
    const two = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--no-store",
      "--threads",
      "2",
      "--json",
      path,
    );
    const one = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--no-store",
      "--threads",
      "1",
      "--json",
      path,
    );
    expect(JSON.parse(two.out)).toEqual(JSON.parse(one.out));
  });
});
