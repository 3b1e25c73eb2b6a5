/**
 * Scheduler state in the store, so that a restart or a second process sees what the first did: each
 * domain's cadence and next due time, the cycles (running, done, interrupted) and named leases. A lease
 * is held by one holder until it expires; the holder renews it while it works.
 */
import type { Kysely } from "kysely";
import type { MonitorCycleTable } from "../store/audit-history-tables.js";
import type { Database, Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import { defaultCadenceSeconds } from "./history-store.js";

export interface DomainSchedule {
  readonly domain: string;
  readonly cadenceSeconds: number;
  /** null: never audited, due now. */
  readonly nextDueAt: string | null;
  readonly lastRunId: number | null;
}

export interface Cycle {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: MonitorCycleTable["status"];
  readonly holder: string;
  readonly planned: number;
}

/** Cadences the agency may set: from one hour (politeness toward the MX) to 31 days. */
export const cadenceBounds = { minSeconds: 3_600, maxSeconds: 31 * 86_400 } as const;

export class ScheduleError extends Error {
  readonly code = "invalid_cadence" as const;
}

const iso = (ms: number) => new Date(ms).toISOString();

const cycleOf = (r: {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: MonitorCycleTable["status"];
  holder: string;
  planned: number;
}): Cycle => ({
  id: Number(r.id),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  holder: r.holder,
  planned: Number(r.planned),
});

export class ScheduleStore {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<ScheduleStore> {
    await migrate(store.db as never, store.engine);
    return new ScheduleStore(store);
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  /** Sets a domain's cadence; its next due time is moved no later than the new cadence allows. */
  async setCadence(domain: string, seconds: number, now: number): Promise<DomainSchedule> {
    if (
      !Number.isInteger(seconds) ||
      seconds < cadenceBounds.minSeconds ||
      seconds > cadenceBounds.maxSeconds
    )
      throw new ScheduleError(
        `cadence: ${seconds} s is not a whole number of seconds between ${cadenceBounds.minSeconds} and ${cadenceBounds.maxSeconds}`,
      );
    await this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom("monitor_schedule")
        .selectAll()
        .where("domain", "=", domain)
        .executeTakeFirst();
      if (!current) {
        await trx
          .insertInto("monitor_schedule")
          .values({
            domain,
            cadence_seconds: seconds,
            next_due_at: null,
            last_run_id: null,
            updated_at: iso(now),
          })
          .execute();
        return;
      }
      const latest = iso(now + seconds * 1000);
      const next =
        current.next_due_at !== null && current.next_due_at > latest ? latest : current.next_due_at;
      await trx
        .updateTable("monitor_schedule")
        .set({ cadence_seconds: seconds, next_due_at: next, updated_at: iso(now) })
        .where("domain", "=", domain)
        .execute();
    });
    return (await this.schedule([domain]))[0] as DomainSchedule;
  }

  /** The schedule of the given domains (the default cadence for those never seen). */
  async schedule(domains: readonly string[]): Promise<DomainSchedule[]> {
    const rows = new Map<string, DomainSchedule>();
    for (let i = 0; i < domains.length; i += 500) {
      const found = await this.db
        .selectFrom("monitor_schedule")
        .selectAll()
        .where("domain", "in", domains.slice(i, i + 500))
        .execute();
      for (const r of found)
        rows.set(r.domain, {
          domain: r.domain,
          cadenceSeconds: Number(r.cadence_seconds),
          nextDueAt: r.next_due_at,
          lastRunId: r.last_run_id === null ? null : Number(r.last_run_id),
        });
    }
    return domains.map(
      (d) =>
        rows.get(d) ?? { domain: d, cadenceSeconds: defaultCadenceSeconds, nextDueAt: null, lastRunId: null },
    );
  }

  /**
   * Takes the lease `name` for `holder` until `now + ttlMs`: when free, expired, already ours, or held
   * by a holder `isDead` says is gone. False when another live holder has it.
   */
  async acquireLease(
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
    isDead: (holder: string) => boolean = () => false,
  ): Promise<boolean> {
    const attempt = () =>
      this.db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom("monitor_leases")
          .selectAll()
          .where("name", "=", name)
          .executeTakeFirst();
        if (!current) {
          await trx
            .insertInto("monitor_leases")
            .values({ name, holder, expires_at: iso(now + ttlMs) })
            .execute();
          return true;
        }
        if (current.holder !== holder && current.expires_at >= iso(now) && !isDead(current.holder))
          return false;
        // Compare-and-set on what was read: a concurrent taker makes this update match nothing.
        const taken = await trx
          .updateTable("monitor_leases")
          .set({ holder, expires_at: iso(now + ttlMs) })
          .where("name", "=", name)
          .where("holder", "=", current.holder)
          .where("expires_at", "=", current.expires_at)
          .executeTakeFirst();
        return Number(taken.numUpdatedRows) === 1;
      });
    try {
      return await attempt();
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? "");
      if (code === "23505" || code.startsWith("SQLITE_CONSTRAINT")) return false; // another took it first
      throw error;
    }
  }

  async renewLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable("monitor_leases")
      .set({ expires_at: iso(now + ttlMs) })
      .where("name", "=", name)
      .where("holder", "=", holder)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db
      .deleteFrom("monitor_leases")
      .where("name", "=", name)
      .where("holder", "=", holder)
      .execute();
  }

  async leaseHolder(name: string): Promise<{ holder: string; expiresAt: string } | null> {
    const row = await this.db
      .selectFrom("monitor_leases")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? { holder: row.holder, expiresAt: row.expires_at } : null;
  }

  async startCycle(holder: string, now: number, planned: number): Promise<Cycle> {
    const row = await this.db
      .insertInto("monitor_cycles")
      .values({ started_at: iso(now), finished_at: null, status: "running", holder, planned })
      .returningAll()
      .executeTakeFirstOrThrow();
    return cycleOf(row);
  }

  async setPlanned(cycleId: number, planned: number): Promise<void> {
    await this.db.updateTable("monitor_cycles").set({ planned }).where("id", "=", cycleId).execute();
  }

  async finishCycle(cycleId: number, now: number, status: "done" | "interrupted"): Promise<void> {
    await this.db
      .updateTable("monitor_cycles")
      .set({ status, finished_at: status === "done" ? iso(now) : null })
      .where("id", "=", cycleId)
      .execute();
  }

  /** Cycles not finished (running or interrupted): a restart resumes them before planning a new one. */
  async unfinishedCycles(): Promise<Cycle[]> {
    const rows = await this.db
      .selectFrom("monitor_cycles")
      .selectAll()
      .where("status", "in", ["running", "interrupted"])
      .orderBy("id")
      .execute();
    return rows.map(cycleOf);
  }

  async cycle(id: number): Promise<Cycle | null> {
    const row = await this.db
      .selectFrom("monitor_cycles")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? cycleOf(row) : null;
  }

  async cycles(limit = 20): Promise<Cycle[]> {
    const rows = await this.db
      .selectFrom("monitor_cycles")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(cycleOf);
  }
}
