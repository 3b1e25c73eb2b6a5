import type { Clock } from "./clock.js";

/**
 * One deadline per endpoint, shared by DNS, connect, dialogue and handshake. Each step also has its
 * own timeout; the step waits for whichever comes first.
 */
export class Deadline {
  readonly at: number;
  readonly clock: Clock;
  readonly stepTimeoutMs: number;

  constructor(clock: Clock, totalMs: number, stepTimeoutMs: number) {
    this.clock = clock;
    this.at = clock.now() + totalMs;
    this.stepTimeoutMs = stepTimeoutMs;
  }

  remaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /** Milliseconds the next step may take: its own timeout, or less if the endpoint deadline is near. */
  forStep(): number {
    return Math.min(this.stepTimeoutMs, this.remaining());
  }

  /** Whether the step budget is bounded by the endpoint deadline rather than the step timeout. */
  expired(): boolean {
    return this.remaining() <= 0;
  }
}
