/**
 * The network seam: the one object through which everything above reaches sockets, DNS and the clock.
 * `connect` applies the target guard itself, so no caller can bypass it (fail closed).
 */
import { type Clock, systemClock } from "./clock.js";
import { Connection, where } from "./connection.js";
import { fail, type NetResult } from "./outcome.js";
import type { Resolver } from "./resolver.js";
import { type TargetGuard, targetGuard } from "./target-guard.js";

export interface Network {
  readonly resolver: Resolver;
  readonly clock: Clock;
  readonly guard: TargetGuard;
  connect(address: string, port: number, timeoutMs: number): Promise<NetResult<Connection>>;
}

export function liveNetwork(options: {
  readonly resolver: Resolver;
  readonly allowPrivate: boolean;
  readonly clock?: Clock;
}): Network {
  const guard = targetGuard({ allowPrivate: options.allowPrivate });
  return {
    resolver: options.resolver,
    clock: options.clock ?? systemClock,
    guard,
    async connect(address, port, timeoutMs) {
      const verdict = guard.check(address);
      if (!verdict.allowed) {
        return fail(
          "not_allowed",
          `refused to connect to ${where(address, port)}: ${verdict.reason}${verdict.range ? ` (${verdict.range})` : ""}; use --allow-private to permit it`,
        );
      }
      return Connection.open(address, port, timeoutMs);
    },
  };
}
