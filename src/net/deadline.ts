import type { Clock } from "./clock.js";

/**
 * One deadline per endpoint, shared by DNS, connect, dialogue, handshake, every enumeration
 * connection and the HTTP fetches of that endpoint. Each step also has its own timeout; the step
 * waits for whichever comes first. A deadline made `within` another never ends later than it (an
 * endpoint of an audit ends no later than the audit's own deadline).
 */
export class Deadline {
  readonly at: number;
  readonly clock: Clock;
  readonly stepTimeoutMs: number;
  /** The total it was given, for messages ("endpoint deadline of 60 s"). */
  readonly totalMs: number;

  constructor(clock: Clock, totalMs: number, stepTimeoutMs: number, within?: Deadline) {
    this.clock = clock;
    this.totalMs = totalMs;
    this.at = Math.min(clock.now() + totalMs, within?.at ?? Number.POSITIVE_INFINITY);
    this.stepTimeoutMs = stepTimeoutMs;
  }

  remaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /** Milliseconds the next step may take: its own timeout, or less if the endpoint deadline is near. */
  forStep(): number {
    return Math.min(this.stepTimeoutMs, this.remaining());
  }

  expired(): boolean {
    return this.remaining() <= 0;
  }

  describe(): string {
    return `endpoint deadline of ${formatMs(this.totalMs)}`;
  }
}

export const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
