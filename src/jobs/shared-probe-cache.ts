/**
 * The cycle's probe cache shared by the fleet (table `fleet_probes`): an endpoint named by many
 * domains is probed once per cycle, whichever workers audit those domains. The first worker to claim
 * `(cycle, endpoint)` probes and stores the reports; the others wait for them (polling) and reuse
 * them. A claim whose holder died (its pid gone on this host) or whose lease passed is taken over,
 * so a killed worker never leaves an endpoint unprobed. Within one process the in-memory cache of
 * ProbeCache still answers first.
 */
import { ProbeCache } from "../audit/audit.js";
import type { DiscoveredEndpoint } from "../audit/discovery/discovery.js";
import type { EndpointReport } from "../audit/probe/endpoint.js";
import type { ProbeOptions } from "../audit/probe/probe-endpoint.js";
import { jobLimits } from "../core/limits.js";
import { holderIsDead } from "../monitor/holder.js";
import type { Network } from "../net/network.js";
import type { Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";

const iso = (ms: number) => new Date(ms).toISOString();

export interface SharedProbeOptions {
  readonly store: Store;
  readonly cycleId: number;
  readonly holder: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly isHolderDead?: (holder: string) => boolean;
  readonly now?: () => number;
}

/** What the cache did, for the bench and tests. */
export interface SharedProbeStats {
  probed: number;
  reused: number;
  takenOver: number;
}

export class SharedProbeCache extends ProbeCache {
  private readonly memo = new Map<string, Promise<EndpointReport[]>>();
  readonly stats: SharedProbeStats = { probed: 0, reused: 0, takenOver: 0 };

  /** On a store already migrated (the worker's monitor migrates it); else `open`. */
  constructor(private readonly options: SharedProbeOptions) {
    super();
  }

  static async open(options: SharedProbeOptions): Promise<SharedProbeCache> {
    await migrate(options.store.db as never, options.store.engine);
    return new SharedProbeCache(options);
  }

  override get(
    endpoint: DiscoveredEndpoint,
    options: ProbeOptions,
    network: Network,
    pauseMs?: number,
  ): Promise<EndpointReport[]> {
    const key = `${endpoint.host}|${endpoint.port}|${endpoint.tlsMode}|${endpoint.service}`;
    let pending = this.memo.get(key);
    if (!pending) {
      pending = this.shared(key, () => super.get(endpoint, options, network, pauseMs));
      this.memo.set(key, pending);
      // A failure to reach the store is not remembered: the next domain asks again.
      pending.catch(() => this.memo.delete(key));
    }
    return pending;
  }

  /**
   * A store operation, asked again while the database restarts (up to the probe lease): a domain
   * must not fail because PostgreSQL was away for a few seconds.
   */
  private async patient<T>(operation: () => Promise<T>): Promise<T> {
    const end = Date.now() + (this.options.leaseMs ?? jobLimits.sharedProbeLeaseMs);
    for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
      try {
        return await operation();
      } catch (error) {
        if (Date.now() + pause > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  private async shared(key: string, probe: () => Promise<EndpointReport[]>): Promise<EndpointReport[]> {
    const { store, cycleId, holder } = this.options;
    const db = store.db;
    const now = this.options.now ?? Date.now;
    const leaseMs = this.options.leaseMs ?? jobLimits.sharedProbeLeaseMs;
    const pollMs = this.options.pollMs ?? jobLimits.sharedProbePollMs;
    const dead = this.options.isHolderDead ?? ((h: string) => holderIsDead(h, holder));
    for (;;) {
      const claimed = await this.patient(() =>
        db
          .insertInto("fleet_probes")
          .values({
            cycle_id: cycleId,
            endpoint: key,
            holder,
            state: "probing",
            result: null,
            expires_at: iso(now() + leaseMs),
            finished_at: null,
          })
          .onConflict((oc) => oc.columns(["cycle_id", "endpoint"]).doNothing())
          .executeTakeFirst(),
      );
      let mine = Number(claimed.numInsertedOrUpdatedRows ?? 0) === 1;
      if (!mine) {
        const row = await this.patient(() =>
          db
            .selectFrom("fleet_probes")
            .select(["holder", "state", "result", "expires_at"])
            .where("cycle_id", "=", cycleId)
            .where("endpoint", "=", key)
            .executeTakeFirst(),
        );
        if (row?.state === "done" && row.result !== null) {
          this.stats.reused++;
          return JSON.parse(row.result) as EndpointReport[];
        }
        if (row && (row.expires_at < iso(now()) || dead(row.holder))) {
          const taken = await this.patient(() =>
            db
              .updateTable("fleet_probes")
              .set({ holder, expires_at: iso(now() + leaseMs) })
              .where("cycle_id", "=", cycleId)
              .where("endpoint", "=", key)
              .where("state", "=", "probing")
              .where("holder", "=", row.holder)
              .executeTakeFirst(),
          );
          mine = Number(taken.numUpdatedRows) === 1;
          if (mine) this.stats.takenOver++;
        }
      }
      if (mine) {
        const reports = await probe();
        this.stats.probed++;
        await this.patient(() =>
          db
            .updateTable("fleet_probes")
            .set({ state: "done", result: JSON.stringify(reports), finished_at: iso(now()) })
            .where("cycle_id", "=", cycleId)
            .where("endpoint", "=", key)
            .where("holder", "=", holder)
            .execute(),
        );
        return reports;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs * (0.5 + Math.random())));
    }
  }
}
