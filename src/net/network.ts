/**
 * The network seam: the one object through which everything above reaches sockets, DNS and the clock.
 * `connect` applies the target guard and the per-host cap itself, so no caller can bypass either
 * (fail closed): every connection of a run — main, enumeration, HTTP — holds a slot of the cap from
 * before its SYN until its socket is closed.
 */
import { type Clock, systemClock } from "./clock.js";
import { Connection, where } from "./connection.js";
import type { Deadline } from "./deadline.js";
import { type ConnectionLimiter, HostLimiter } from "./host-limiter.js";
import { fail, type NetResult } from "./outcome.js";
import type { Resolver } from "./resolver.js";
import { type TargetGuard, targetGuard } from "./target-guard.js";

export interface Network {
  readonly resolver: Resolver;
  readonly clock: Clock;
  readonly guard: TargetGuard;
  /** The per-host cap every `connect` holds to (absent in hand-made test networks). */
  readonly limiter?: ConnectionLimiter;
  /**
   * Opens a TCP connection within `timeoutMs`. With a `deadline`, waiting for a slot of the per-host
   * cap ends at the deadline, and the connect step gets what is left of it (at most its step timeout).
   */
  connect(
    address: string,
    port: number,
    timeoutMs: number,
    deadline?: Deadline,
  ): Promise<NetResult<Connection>>;
}

export function liveNetwork(options: {
  readonly resolver: Resolver;
  readonly allowPrivate: boolean;
  readonly clock?: Clock;
  /** Shared by the whole run; default: the default cap (2 per host), no pacing. */
  readonly limiter?: ConnectionLimiter;
}): Network {
  const guard = targetGuard({ allowPrivate: options.allowPrivate });
  const limiter = options.limiter ?? new HostLimiter();
  return {
    resolver: options.resolver,
    clock: options.clock ?? systemClock,
    guard,
    limiter,
    async connect(address, port, timeoutMs, deadline) {
      const verdict = guard.check(address);
      if (!verdict.allowed) {
        return fail(
          "not_allowed",
          `refused to connect to ${where(address, port)}: ${verdict.reason}${verdict.range ? ` (${verdict.range})` : ""}; use --allow-private to permit it`,
        );
      }
      // The owner of the slot is the endpoint (address and port), for the fair share between them.
      const release = await limiter.acquire(
        address,
        deadline ? deadline.remaining() : undefined,
        where(address, port),
      );
      if (!release) {
        return fail(
          "timeout",
          `connect to ${where(address, port)}: the ${deadline?.describe() ?? "deadline"} passed while waiting for one of the ${limiter.maxPerHost} connections allowed to this host`,
        );
      }
      const stepMs = deadline ? Math.min(timeoutMs, deadline.forStep()) : timeoutMs;
      if (stepMs <= 0) {
        release();
        return fail("timeout", `connect to ${where(address, port)}: the ${deadline?.describe()} passed`);
      }
      const opened = await Connection.open(address, port, stepMs, { onClosed: release });
      if (!opened.ok) release();
      return opened;
    },
  };
}
