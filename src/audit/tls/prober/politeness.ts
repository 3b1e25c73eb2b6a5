/**
 * Politeness as a feature (docs/contract.md §7: rate limiting is the first failure on port 25). The per-host cap
 * and the pacing live in the network seam (net/host-limiter.ts) and hold for every connection; here
 * are the endpoint's own limits: a hard cap of connections, the endpoint deadline, what the endpoint
 * has taught us (it never answers, it greets slowly), and throttling (a 421/450 greeting or refusal
 * line, resets or refusals after an earlier success) met with exponential backoff and retries — all
 * counted.
 */
import { limits } from "../../../core/limits.js";
import type { Deadline } from "../../../net/deadline.js";
import { formatMs } from "../../../net/deadline.js";
import { realSleep, type Sleep } from "../../../net/host-limiter.js";
import type { EndpointLearning } from "./endpoint-learning.js";
import type { HelloOutcome, HelloRequest, IncompleteReason } from "./hello-exchange.js";

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
  maxConnectionsPerHost: limits.maxConnectionsPerHost,
  delayMs: limits.connectionDelayMs,
  maxConnectionsPerEndpoint: limits.maxConnectionsPerEndpoint,
  retries: limits.throttleRetries,
  backoffMs: limits.throttleBackoffMs,
};

export type Exchange = (request: HelloRequest) => Promise<HelloOutcome>;

/** Asks hellos of one endpoint within its budget and deadline, retrying throttled attempts with backoff. */
export class EndpointAsker {
  connections = 0;
  retries = 0;
  throttled = false;
  exhausted = false;
  /** The first reason the asker refused to go on, if it did. */
  stoppedBy: IncompleteReason | null = null;
  /** Set by the first throttling sign: from then on, one connection at a time. */
  private serial = false;
  private inFlight = 0;

  constructor(
    private readonly exchange: Exchange,
    private readonly politeness: Politeness,
    private readonly deadline: Deadline,
    private readonly learning: EndpointLearning,
    private readonly sleep: Sleep = realSleep,
  ) {}

  private stop(reason: IncompleteReason, message: string): HelloOutcome {
    this.stoppedBy ??= reason;
    if (reason === "budget") this.exhausted = true;
    return { kind: "stopped", reason, message };
  }

  /** Whether a new connection may start now; waits while the endpoint has not answered yet. */
  private async admission(): Promise<HelloOutcome | null> {
    for (;;) {
      if (this.connections >= this.politeness.maxConnectionsPerEndpoint) {
        return this.stop("budget", `connection budget of ${this.politeness.maxConnectionsPerEndpoint} spent`);
      }
      if (this.deadline.expired()) {
        return this.stop("deadline", `${this.deadline.describe()} reached`);
      }
      // A connection costs at least the dialogue before the hello: none is started that cannot end
      // before the deadline (a slow greeting, learnt once, plans the rest).
      const cost = this.learning.dialogueMs;
      if (cost > 0 && this.deadline.remaining() < cost) {
        return this.stop(
          "deadline",
          `${this.deadline.describe()}: ${formatMs(this.deadline.remaining())} left, less than the ${formatMs(cost)} the server takes to greet`,
        );
      }
      // After a throttling sign, one connection at a time: the server counts concurrent ones.
      if (this.serial && this.inFlight > 0) {
        await this.learning.changed();
        continue;
      }
      const verdict = this.learning.mayStart();
      if (verdict === "go") {
        // Counted in the same turn as the check, so that two lanes cannot both pass a gate of one.
        this.connections++;
        this.inFlight++;
        this.learning.started();
        return null;
      }
      if (verdict === "never") {
        return this.stop("unanswered", this.learning.silenceMessage());
      }
      await this.learning.changed();
    }
  }

  async ask(request: HelloRequest): Promise<HelloOutcome> {
    for (let attempt = 0; ; attempt++) {
      const refusal = await this.admission();
      if (refusal) return refusal;
      let outcome: HelloOutcome;
      try {
        outcome = await this.exchange(request);
      } catch (error) {
        // A bug in us: free the gate for the other lane, then let it surface.
        this.inFlight--;
        this.learning.ended({ kind: "failed" });
        throw error;
      }
      this.inFlight--;
      this.learning.ended(outcome);
      if (outcome.kind === "unreachable") {
        // A refusal after the endpoint has already answered us is the endpoint pushing back.
        outcome = this.learning.answered
          ? { kind: "throttled", message: outcome.message }
          : { kind: "failed", message: outcome.message };
      }
      if (outcome.kind !== "throttled") return outcome;
      this.serial = true;
      if (attempt >= this.politeness.retries) {
        this.throttled = true;
        this.stoppedBy ??= "throttled";
        return outcome;
      }
      this.retries++;
      const backoff = this.politeness.backoffMs * 2 ** attempt;
      if (backoff >= this.deadline.remaining()) {
        this.throttled = true;
        this.stoppedBy ??= "throttled";
        return outcome;
      }
      await this.sleep(backoff);
    }
  }
}
