/**
 * One politeness for the fleet: at most `perHost` connections open at once to one MX address and at
 * most `perProvider` to one provider's network, whichever worker opens them. The slots are
 * PostgreSQL session advisory locks (`pg_try_advisory_lock(scope, slot)`, slot 0…N−1), taken on one
 * connection of this worker that holds nothing else: when the worker dies (kill -9, a crash, a lost
 * network), its session ends and PostgreSQL releases every slot it held — no lease to wait out.
 *
 * It wraps this process's HostLimiter (the local cap, pacing and fair share between endpoints) in the
 * network seam: a connection first takes its local slot, then the provider's, then the host's (always
 * in this order, so two workers never wait on each other in a circle), and gives them back when its
 * socket closes. Fails closed: while PostgreSQL cannot be reached, a connection waits for its slot
 * until its deadline (a database restart of a few seconds is waited out, then the session is opened
 * again; slots of the old session were released by the restart).
 */
import pg from "pg";
import { errorMessage } from "../core/errors.js";
import { jobLimits } from "../core/limits.js";
import type { ConnectionLimiter, HostLimiter, Release } from "../net/host-limiter.js";

export interface FleetCaps {
  readonly perHost: number;
  readonly perProvider: number;
  /** The provider of an address (default: its IPv4 /24 or IPv6 /48 network). */
  readonly providerOf?: (address: string) => string;
}

/** The provider of an address: the /24 of IPv4 (and of IPv4-mapped IPv6), the /48 of IPv6. */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped?.[1] ?? (/^\d+\.\d+\.\d+\.\d+$/.test(address) ? address : null);
  if (v4) return `${v4.split(".").slice(0, 3).join(".")}.0/24`;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 3)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/48`;
}

/** Where fleet slots are taken: FleetSlots (PostgreSQL), or plain data in unit tests. */
export interface SlotSource {
  /** A free slot of `scope` (0…n−1), or null at once; throws when the database cannot be reached. */
  tryTake(scope: string, n: number): Promise<Release | null>;
}

/** The advisory-lock session of one worker. */
export class FleetSlots implements SlotSource {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /** Slots this session holds, per scope (a session may take one lock twice: we never ask so). */
  private readonly held = new Map<string, Set<number>>();
  private generation = 0;
  private closed = false;
  /** One query at a time on the session (pg's client queues them, but asks callers to). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  private session(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        connectionTimeoutMillis: 5_000,
        application_name: "mailcharter-fleet-slots",
      });
      client.on("error", (error) => {
        // The server restarted or the network dropped: the locks are gone with the session.
        this.onError(new Error(`fleet slots: session lost (${errorMessage(error)})`));
        this.drop(client);
      });
      client.on("end", () => this.drop(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.held.clear();
    this.generation++;
  }

  /** Takes a free slot of `scope` (0…n−1) or returns null at once; the release is idempotent. */
  async tryTake(scope: string, n: number): Promise<Release | null> {
    if (this.closed) return null;
    const client = await this.session();
    const mine = this.held.get(scope) ?? new Set<number>();
    const skip = [...mine];
    if (skip.length >= n) return null;
    // The filter runs row by row and LIMIT 1 stops the scan at the first lock taken: one lock at most.
    const result = await this.serial(() =>
      client.query<{ slot: number }>(
        "select s as slot from generate_series(0, $2::int - 1) as s where not (s = any($3::int[])) and pg_try_advisory_lock(hashtext($1), s) limit 1",
        [`mailcharter:${scope}`, n, skip],
      ),
    );
    const slot = result.rows[0]?.slot;
    if (slot === undefined) return null;
    mine.add(slot);
    this.held.set(scope, mine);
    const generation = this.generation;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (generation !== this.generation || this.client !== client) return; // gone with its session
      this.held.get(scope)?.delete(slot);
      this.serial(() =>
        client.query("select pg_advisory_unlock(hashtext($1), $2)", [`mailcharter:${scope}`, slot]),
      ).catch((error) => this.onError(error));
    };
  }

  private serial<T>(query: () => Promise<T>): Promise<T> {
    const run = this.chain.then(query, query);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Slots held now by this session (for tests). */
  heldCount(): number {
    return [...this.held.values()].reduce((sum, s) => sum + s.size, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FleetLimiter implements ConnectionLimiter {
  /** Waits for a fleet slot that took longer than one poll (for the bench). */
  waits = 0;
  constructor(
    private readonly local: HostLimiter,
    private readonly slots: SlotSource,
    private readonly caps: FleetCaps,
    private readonly pollMs: number = jobLimits.fleetPollMs,
  ) {}

  get maxPerHost(): number {
    return Math.min(this.local.maxPerHost, this.caps.perHost);
  }

  async acquire(host: string, maxWaitMs = Number.POSITIVE_INFINITY, owner = host): Promise<Release | null> {
    const end = Date.now() + maxWaitMs;
    const local = await this.local.acquire(host, maxWaitMs, owner);
    if (!local) return null;
    const provider = (this.caps.providerOf ?? networkOf)(host);
    const providerSlot = await this.wait(`provider:${provider}`, this.caps.perProvider, end);
    if (!providerSlot) {
      local();
      return null;
    }
    const hostSlot = await this.wait(`host:${host}`, this.caps.perHost, end);
    if (!hostSlot) {
      providerSlot();
      local();
      return null;
    }
    return () => {
      hostSlot();
      providerSlot();
      local();
    };
  }

  private async wait(scope: string, n: number, end: number): Promise<Release | null> {
    let first = true;
    for (;;) {
      try {
        const release = await this.slots.tryTake(scope, n);
        if (release) return release;
      } catch {
        // PostgreSQL unreachable: fail closed, ask again until the deadline.
      }
      if (first) this.waits++;
      first = false;
      const left = end - Date.now();
      if (left <= 0) return null;
      // Jitter, so workers waiting on one host do not ask in step.
      await pause(Math.min(left, this.pollMs * (0.5 + Math.random())));
    }
  }
}
