/**
 * The per-host cap of a run (docs/contract.md §7, politeness): at most `maxPerHost` connections open at once to one
 * address, connection starts paced by `delayMs`, waiters served in arrival order. It lives in the
 * network seam: `Network.connect` takes a slot for every connection — main, enumeration, HTTP — and
 * the connection gives it back when its socket closes, so nothing above can exceed the cap. A freed
 * slot goes to the waiting endpoint (owner) holding the fewest slots, oldest first: an endpoint that
 * makes many connections, or a slow one, cannot starve another endpoint of the same host.
 */
import { limits } from "../core/limits.js";

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface HostLimits {
  readonly maxPerHost: number;
  readonly delayMs: number;
}

export const defaultHostLimits: HostLimits = {
  maxPerHost: limits.maxConnectionsPerHost,
  delayMs: limits.connectionDelayMs,
};

/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

/**
 * The cap the network seam holds every connection to: this process's HostLimiter, or the fleet's
 * (src/jobs/fleet-limiter.ts: the same cap held in PostgreSQL across every worker).
 */
export interface ConnectionLimiter {
  readonly maxPerHost: number;
  /** A slot to `host` within `maxWaitMs`, or null; `owner` is the endpoint, for a fair share. */
  acquire(host: string, maxWaitMs?: number, owner?: string): Promise<Release | null>;
}

interface Waiter {
  readonly owner: string;
  readonly grant: () => void;
  timer?: NodeJS.Timeout;
}

export class HostLimiter implements ConnectionLimiter {
  private readonly active = new Map<string, number>();
  /** Slots held per host and owner (an endpoint: address and port). */
  private readonly held = new Map<string, Map<string, number>>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly lastStart = new Map<string, number>();
  /** Largest number of connections ever open at once to one host (for tests and the bench). */
  peak = 0;

  constructor(
    readonly hostLimits: HostLimits = defaultHostLimits,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  get maxPerHost(): number {
    return this.hostLimits.maxPerHost;
  }

  /**
   * Waits for a slot to `host`, at most `maxWaitMs` (the caller's deadline): null when it did not
   * come in time. The pacing delay is waited for after the slot is granted.
   */
  async acquire(host: string, maxWaitMs = Number.POSITIVE_INFINITY, owner = host): Promise<Release | null> {
    const granted = await this.slot(host, maxWaitMs, owner);
    if (!granted) return null;
    this.hold(host, owner, +1);
    const previous = this.lastStart.get(host) ?? Number.NEGATIVE_INFINITY;
    const wait = previous + this.hostLimits.delayMs - this.now();
    this.lastStart.set(host, Math.max(this.now(), this.now() + wait));
    if (wait > 0) await this.sleep(wait);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.hold(host, owner, -1);
      this.release(host);
    };
  }

  private hold(host: string, owner: string, delta: number): void {
    const owners = this.held.get(host) ?? new Map<string, number>();
    owners.set(owner, Math.max(0, (owners.get(owner) ?? 0) + delta));
    this.held.set(host, owners);
  }

  private slot(host: string, maxWaitMs: number, owner: string): Promise<boolean> {
    const active = this.active.get(host) ?? 0;
    if (active < this.hostLimits.maxPerHost) {
      this.active.set(host, active + 1);
      this.peak = Math.max(this.peak, active + 1);
      return Promise.resolve(true);
    }
    if (maxWaitMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const queue = this.queues.get(host) ?? [];
      const waiter: Waiter = {
        owner,
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(true);
        },
      };
      if (Number.isFinite(maxWaitMs)) {
        waiter.timer = setTimeout(() => {
          const list = this.queues.get(host) ?? [];
          const index = list.indexOf(waiter);
          if (index !== -1) list.splice(index, 1);
          resolve(false);
        }, maxWaitMs);
      }
      queue.push(waiter);
      this.queues.set(host, queue);
    });
  }

  private release(host: string): void {
    const queue = this.queues.get(host) ?? [];
    const owners = this.held.get(host);
    // The waiter whose endpoint holds the fewest slots; the oldest among equals.
    let index = -1;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [i, waiter] of queue.entries()) {
      const count = owners?.get(waiter.owner) ?? 0;
      if (count < fewest) {
        fewest = count;
        index = i;
      }
    }
    const next = index === -1 ? undefined : queue.splice(index, 1)[0];
    // The slot passes to the next waiter; the count of open connections stays the same.
    if (next) next.grant();
    else this.active.set(host, Math.max(0, (this.active.get(host) ?? 1) - 1));
  }
}
