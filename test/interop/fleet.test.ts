/**
 * The distributed mode against a real PostgreSQL (a private cluster on 127.0.16.1), real
 * `mailcharter worker` processes and a fake MX farm with real TLS on 127.0.16.x:
 * - several workers share a cycle: every domain audited once, each MX probed once (its connections
 *   counted at the farm), never more than the per-host cap open at once to one MX;
 * - a loop of cycles with `kill -9` of workers at random points and a PostgreSQL restart during a
 *   cycle: every run of every cycle ends done, exactly once, with its measures and endpoints written
 *   once; no run is lost.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetSlots } from "../../src/jobs/fleet-limiter.js";
import type { Monitor } from "../../src/monitor/monitor.js";
import type { CycleOutcome } from "../../src/monitor/scheduler.js";
import { type Fleet, prng, startFleet, type WorkerProcess } from "../support/fleet/fleet-harness.js";
import { fleetAddresses } from "./lab/ports.js";

const mxCount = 8;
const mx = Array.from({ length: mxCount }, (_, i) => `127.0.16.${fleetAddresses.mxBase + i}`);
// Two providers of four MX hosts each.
const providers = [mx.slice(0, 4), mx.slice(4)];
const domainCount = 48;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({
    postgresAddress: fleetAddresses.postgres,
    dnsAddress: fleetAddresses.dns,
    providers,
    domains: domainCount,
    latencyMs: 40,
  });
}, 180_000);
afterAll(async () => {
  await fleet?.close();
});

/**
 * Runs the cycle to its end as `serve` does: one scheduler (one holder) asking again after a failure,
 * so a cycle cut by the database restarting is resumed by the same holder.
 */
async function cycleToEnd(errors: unknown[]): Promise<CycleOutcome> {
  const end = Date.now() + 600_000;
  let monitor: Monitor | null = null;
  try {
    while (Date.now() < end) {
      try {
        monitor ??= await fleet.scheduler((e) => errors.push(e));
        const outcome = await monitor.runCycle();
        if (outcome.status === "ran") return outcome;
      } catch (error) {
        errors.push(error);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await monitor?.stop(1_000).catch(() => {});
  }
  throw new Error(`the cycle never ended: ${errors.slice(-3).map(String).join("; ")}`);
}

/** Every domain due again (the next cycle audits them all). */
async function allDue(): Promise<void> {
  await fleet.store.db.updateTable("monitor_schedule").set({ next_due_at: null }).execute();
}

async function expectExactlyOnce(cycleId: number): Promise<void> {
  const db = fleet.store.db;
  const runs = await db
    .selectFrom("audit_runs")
    .select(["id", "domain", "status", "report"])
    .where("cycle_id", "=", cycleId)
    .execute();
  expect(runs).toHaveLength(domainCount);
  expect(new Set(runs.map((r) => r.domain)).size).toBe(domainCount);
  expect(runs.filter((r) => r.status !== "done").map((r) => `${r.domain}:${r.status}`)).toEqual([]);
  for (const run of runs) {
    const report = JSON.parse(run.report ?? "null") as { measures: { id: string }[]; endpoints: unknown[] };
    const [measures] = await db
      .selectFrom("audit_measures")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("run_id", "=", run.id)
      .execute();
    const [endpoints] = await db
      .selectFrom("audit_endpoints")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("run_id", "=", run.id)
      .execute();
    expect(Number(measures?.n)).toBe(new Set(report.measures.map((m) => m.id)).size);
    expect(Number(endpoints?.n)).toBe(report.endpoints.length);
  }
}

describe("the fleet on PostgreSQL", () => {
  it("fleet slots: the cap holds across sessions; a dead session's slots are released at once", async () => {
    const a = new FleetSlots(fleet.url);
    const b = new FleetSlots(fleet.url);
    try {
      const [a1, a2] = [await a.tryTake("host:192.0.2.1", 2), await a.tryTake("host:192.0.2.1", 2)];
      expect(a1).not.toBeNull();
      expect(a2).not.toBeNull();
      expect(await a.tryTake("host:192.0.2.1", 2)).toBeNull(); // the same session never takes one twice
      expect(await b.tryTake("host:192.0.2.1", 2)).toBeNull();
      expect(await b.tryTake("host:192.0.2.2", 2)).not.toBeNull(); // another host
      a1?.();
      await new Promise((r) => setTimeout(r, 50));
      const b1 = await b.tryTake("host:192.0.2.1", 2);
      expect(b1).not.toBeNull();
      // The session holding the last slot dies (its backend is cut, as when its worker is killed).
      const admin = new pg.Client({ connectionString: fleet.url });
      await admin.connect();
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mailcharter-fleet-slots' and pid in (select pid from pg_locks where locktype = 'advisory' and objid = 1 and granted) and pid <> pg_backend_pid()",
      );
      await admin.end();
      await new Promise((r) => setTimeout(r, 200));
      // Whichever session was cut, its slot came back: the survivor (or the reconnected one) gets it.
      const again = (await b.tryTake("host:192.0.2.1", 2)) ?? (await a.tryTake("host:192.0.2.1", 2));
      expect(again).not.toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  it("serve --db postgres:// schedules and sends; a worker process audits; both stop on SIGTERM", async () => {
    await allDue();
    const before = await fleet.store.db
      .selectFrom("audit_runs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "done")
      .executeTakeFirstOrThrow();
    const dataDir = mkdtempSync(join(tmpdir(), "mailcharter-fleet-serve-"));
    const serve = spawn(
      "node",
      [
        "dist/cli/main.js",
        "serve",
        "--db",
        fleet.url,
        "--listen",
        `${fleetAddresses.serve}:8443`,
        "--data-dir",
        dataDir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    serve.stdout.on("data", (d) => (out += d));
    serve.stderr.on("data", (d) => (out += d));
    const served = new Promise<number | null>((resolve) => serve.on("exit", resolve));
    const worker = fleet.worker(["--concurrency", "8"]);
    try {
      const end = Date.now() + 120_000;
      for (;;) {
        const now = await fleet.store.db
          .selectFrom("audit_runs")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "=", "done")
          .executeTakeFirstOrThrow();
        if (Number(now.n) - Number(before.n) >= domainCount) break;
        if (Date.now() > end) throw new Error(`not all audited in time:\n${out}\n${worker.stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(out).toContain("audits: sent to workers through pg-boss");
      expect(out).toContain("scheduler: running");
      serve.kill("SIGTERM");
      worker.child.kill("SIGTERM");
      expect(await served).toBe(0);
      expect(await worker.exited).toBe(0);
      expect(Number(/(\d+) audit\(s\) stored/.exec(worker.stdout)?.[1])).toBe(domainCount);
    } finally {
      if (serve.exitCode === null) serve.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it("three workers share a cycle: each domain audited once, each MX probed once, the cap held", async () => {
    const workers = [0, 1, 2].map(() => fleet.worker(["--concurrency", "6"]));
    await allDue();
    const errors: unknown[] = [];
    fleet.farm.reset();
    const outcome = await cycleToEnd(errors);
    expect(outcome.runs).toHaveLength(domainCount);
    await expectExactlyOnce(outcome.cycle?.id as number);
    const verdicts = new Set(outcome.runs.map((r) => r.verdict));
    expect(verdicts).toEqual(new Set(["compliant"]));
    // Every MX was probed once for all the domains naming it: the same count of connections each
    // (one probe's), and one shared-probe row per MX done in the cycle.
    const counts = [...fleet.farm.hosts.values()].map((h) => h.connections);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThan(3);
    const probes = await fleet.store.db
      .selectFrom("fleet_probes")
      .select(["endpoint", "state"])
      .where("cycle_id", "=", outcome.cycle?.id as number)
      .execute();
    expect(probes).toHaveLength(mxCount);
    expect(probes.every((p) => p.state === "done")).toBe(true);
    expect(fleet.farm.peak()).toBeLessThanOrEqual(2);
    // More than one worker stored audits.
    for (const w of workers) w.child.kill("SIGTERM");
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes).toEqual([0, 0, 0]);
    const stored = workers.map((w) => Number(/(\d+) audit\(s\) stored/.exec(w.stdout)?.[1] ?? -1));
    expect(stored.reduce((a, b) => a + b, 0)).toBe(domainCount);
    expect(stored.filter((n) => n > 0).length).toBeGreaterThan(1);
  }, 300_000);

  it("kill -9 at random points and a PostgreSQL restart: every run done once, none lost", async () => {
    const random = prng(7);
    const rounds = 3;
    const alive: WorkerProcess[] = [0, 1, 2].map(() => fleet.worker(["--concurrency", "4"]));
    let kills = 0;
    for (let round = 0; round < rounds; round++) {
      await allDue();
      const errors: unknown[] = [];
      let running = true;
      // The chaos: four times per round, 1.5–4 s apart, a worker is killed with SIGKILL and another
      // started (spaced so that a new worker gets to work even on a loaded machine); in round 1,
      // PostgreSQL is restarted once in the middle of the cycle.
      const chaos = (async () => {
        for (let n = 0; n < 4 && running; n++) {
          await new Promise((r) => setTimeout(r, 1_500 + random() * 2_500));
          if (!running) break;
          if (round === 1 && n === 1) {
            await fleet.postgres.restart(500);
            continue;
          }
          const victim = alive.splice(Math.floor(random() * alive.length), 1)[0];
          victim?.child.kill("SIGKILL");
          kills++;
          alive.push(fleet.worker(["--concurrency", "4"]));
        }
      })();
      const outcome = await cycleToEnd(errors);
      running = false;
      await chaos;
      expect(outcome.runs.length, `round ${round}`).toBe(domainCount);
      await expectExactlyOnce(outcome.cycle?.id as number);
    }
    expect(kills).toBeGreaterThanOrEqual(rounds);
    // Nothing left queued or running anywhere, and no duplicate done run of a domain in a cycle.
    const [left] = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_runs where status in ('queued', 'running')`
      .execute(fleet.store.db)
      .then((r) => r.rows);
    expect(left?.n).toBe(0);
    const dupes = await sql<{
      n: number;
    }>`select count(*)::int as n from (select cycle_id, domain from audit_runs where status = 'done' group by cycle_id, domain having count(*) > 1) d`.execute(
      fleet.store.db,
    );
    expect(dupes.rows[0]?.n).toBe(0);
    // Kills landed mid-job: pg-boss still holds jobs active for workers that are gone (they expire
    // later and find their run done).
    const stale = await sql<{
      n: number;
    }>`select count(*)::int as n from pgboss.job where name = 'audit-domain' and state = 'active'`.execute(
      fleet.store.db,
    );
    expect(stale.rows[0]?.n).toBeGreaterThan(0);
    for (const w of alive) w.child.kill("SIGTERM");
    await Promise.all(alive.map((w) => w.exited));
  }, 900_000);
});
