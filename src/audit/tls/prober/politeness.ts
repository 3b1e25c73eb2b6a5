/**
 * Politeness as a feature (docs/contract.md §7: rate limiting is the first failure on port 25): a per-host cap on
 * simultaneous connections shared by every endpoint of a run, optional pacing between connections, a
 * hard cap of connections per endpoint, and recognition of throttling (421/450 greetings, resets or
 * refusals after an earlier success) with exponential backoff and retries — all counted.
 */
import type { HelloOutcome, HelloRequest } from "./hello-exchange.js";

export interface Politeness {
  /** Simultaneous connections to one address (internet.nl uses 1 per MX, sslyze 5). */
  readonly maxConnectionsPerHost: number;
  /** Minimum time between two connection starts to one address. */
  readonly delayMs: number;
  /** Connections one endpoint may cost in one run, retries included. */
  readonly maxConnectionsPerEndpoint: number;
  /** Retries after a throttling sign, with backoff doubling from backoffMs. */
  readonly retries: number;
  readonly backoffMs: number;
}

export const defaultPoliteness: Politeness = {
  maxConnectionsPerHost: 2,
  delayMs: 0,
  maxConnectionsPerEndpoint: 250,
  retries: 2,
  backoffMs: 1000,
};

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per-address semaphore with pacing; one instance per run, shared by all endpoints. */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly politeness: Politeness,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  async acquire(host: string): Promise<() => void> {
    if ((this.active.get(host) ?? 0) >= this.politeness.maxConnectionsPerHost) {
      await new Promise<void>((resolve) => {
        const queue = this.queues.get(host) ?? [];
        queue.push(resolve);
        this.queues.set(host, queue);
      });
    } else {
      this.active.set(host, (this.active.get(host) ?? 0) + 1);
    }
    const wait =
      (this.lastStart.get(host) ?? Number.NEGATIVE_INFINITY) + this.politeness.delayMs - this.now();
    this.lastStart.set(host, Math.max(this.now(), this.now() + wait));
    if (wait > 0) await this.sleep(wait);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queues.get(host)?.shift();
      if (next)
        next(); // the slot passes to the next waiter
      else this.active.set(host, (this.active.get(host) ?? 1) - 1);
    };
  }
}

export type Exchange = (request: HelloRequest) => Promise<HelloOutcome>;

/** Asks hellos of one endpoint within its budget, retrying throttled attempts with backoff. */
export class EndpointAsker {
  connections = 0;
  retries = 0;
  throttled = false;
  exhausted = false;
  private succeeded = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly limiter: HostLimiter,
    private readonly hostKey: string,
    private readonly politeness: Politeness,
    private readonly sleep: Sleep = realSleep,
  ) {}

  async ask(request: HelloRequest): Promise<HelloOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.connections >= this.politeness.maxConnectionsPerEndpoint) {
        this.exhausted = true;
        return {
          kind: "failed",
          message: `connection budget of ${this.politeness.maxConnectionsPerEndpoint} spent`,
        };
      }
      const release = await this.limiter.acquire(this.hostKey);
      this.connections++;
      let outcome: HelloOutcome;
      try {
        outcome = await this.exchange(request);
      } finally {
        release();
      }
      if (outcome.kind === "unreachable") {
        // A refusal after the endpoint has already answered us is the endpoint pushing back.
        outcome = this.succeeded
          ? { kind: "throttled", message: outcome.message }
          : { kind: "failed", message: outcome.message };
      }
      if (outcome.kind !== "throttled") {
        if (outcome.kind === "hello" || outcome.kind === "refused" || outcome.kind === "sslv2")
          this.succeeded = true;
        return outcome;
      }
      if (attempt >= this.politeness.retries) {
        this.throttled = true;
        return outcome;
      }
      this.retries++;
      await this.sleep(this.politeness.backoffMs * 2 ** attempt);
    }
  }
}
