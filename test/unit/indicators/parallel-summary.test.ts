/**
 * The two-thread summary of a Postfix log (src/indicators/log/parallel-summary.ts) counts exactly
 * what one thread counts: the real worker thread (run from the sources through tsx), on the log
 * fixtures, a generated busy MX's log, a log in RFC 3339 stamps, one mangled line by line, and one
 * over the turn of the year.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generatePostfixLog } from "../../../bench/logs.js";
import { inWorker, summariseFile } from "../../../src/indicators/log/parallel-summary.js";
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
    ["a generated MX log", generatePostfixLog(30_000)],
    ["the same in RFC 3339 stamps", rfc3339(generatePostfixLog(5_000))],
    ["fixtures mangled", mangled(fixtures.join("\n"))],
    ["a log over the turn of the year, mangled", turningLog(20_000).join("\n")],
  ];
  for (const [name, text] of cases)
    it(`${name}: the same summary as one thread`, async () => {
      const path = file(`${name.replace(/\W+/g, "-")}.log`, text);
      const one = await summariseFile(path, "postfix", 1);
      const two = await summariseFile(path, "postfix", 2);
      expect(two).toEqual(one);
      expect(one.lines).toBeGreaterThan(10);
      const inbound = Object.values(one.tls.inbound).reduce((a, b) => a + b, 0);
      const outbound = one.deliveries.sent + one.deliveries.deferred + one.deliveries.bounced;
      expect(inbound + outbound).toBeGreaterThan(0);
      // A busy MX's log has both halves: the worker's inbound sessions and this thread's deliveries.
      if (name.startsWith("a generated")) expect(Math.min(inbound, outbound)).toBeGreaterThan(1_000);
      if (name.includes("mangled")) expect(one.unparsed).toBeGreaterThan(10);
    });

  it("the worker alone counts the inbound sessions, and the lines of its parity not understood", async () => {
    const path = file("turning.log", turningLog(6_000).join("\n"));
    const size = readFileSync(path).length;
    const job = { file: path, format: "postfix" as const, limit: size, reference: new Date().toISOString() };
    const one = await summariseFile(path, "postfix", 1);
    const odd = await inWorker({ ...job, checkParity: 1 });
    const even = await inWorker({ ...job, checkParity: 0 });
    if (odd === null || even === null) throw new Error("the worker thread did not start");
    const [o, e] = await Promise.all([odd, even]);
    for (const half of [o, e]) {
      expect(half.tls.inbound).toEqual(one.tls.inbound);
      expect(Object.values(half.tls.outbound).every((n) => n === 0)).toBe(true);
      expect(half.lines).toBe(one.lines);
    }
    expect(o.unparsed).toBeGreaterThan(0);
    expect(e.unparsed).toBeGreaterThan(0);
    expect(o.unparsed + e.unparsed).toBe(one.unparsed);
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
