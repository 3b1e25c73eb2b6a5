/**
 * What every network command builds from the options of docs/contract.md §5 and the politeness options:
 * validated first (usage errors exit 2 before any traffic), then the network seam, trust store and
 * the per-host limiter shared by everything the run probes.
 */
import { hostname } from "node:os";
import pc from "picocolors";
import type { ProbeOptions } from "../audit/probe/probe-endpoint.js";
import type { Colors, Lang } from "../audit/report/endpoint-text.js";
import { defaultPoliteness, type Politeness } from "../audit/tls/prober/politeness.js";
import { trustStore } from "../audit/tls/trust-store.js";
import { limits } from "../core/limits.js";
import { type ConnectionLimiter, HostLimiter } from "../net/host-limiter.js";
import { liveNetwork, type Network } from "../net/network.js";
import { systemResolver } from "../net/resolver.js";
import { parseCount, parseEhloName, parseLang, parseResolver, parseTimeout } from "./options.js";

export interface NetworkCommandOptions {
  readonly resolver?: string;
  readonly caFile?: string[];
  readonly timeout?: string;
  readonly allowPrivate?: boolean;
  readonly json?: boolean;
  readonly lang?: string;
  readonly ehloName?: string;
  readonly color?: boolean;
  readonly quick?: boolean;
  readonly enumerate?: boolean;
  readonly maxConnections?: string;
  readonly delay?: string;
  readonly budget?: string;
}

export interface CommandContext {
  readonly network: Network;
  readonly probeOptions: ProbeOptions;
  readonly lang: Lang;
  readonly colors: Colors | undefined;
}

export function commandContext(
  options: NetworkCommandOptions,
  out: NodeJS.WritableStream,
  /** A cap over this process's (a worker's fleet-wide cap); default: the local one alone. */
  limiter?: (local: HostLimiter) => ConnectionLimiter,
): CommandContext {
  const stepTimeoutMs = parseTimeout(options.timeout, limits.stepTimeoutMs);
  const lang = parseLang(options.lang);
  const resolverAddress = parseResolver(options.resolver);
  const ehloName = parseEhloName(
    options.ehloName,
    hostname().includes(".") ? hostname() : "mailcharter.invalid",
  );
  const store = trustStore({ caFiles: options.caFile ?? [] });
  const politeness: Politeness = {
    ...defaultPoliteness,
    maxConnectionsPerHost: parseCount(
      options.maxConnections,
      "--max-connections",
      defaultPoliteness.maxConnectionsPerHost,
      1,
      limits.maxConnectionsPerHostCeiling,
    ),
    delayMs: parseCount(
      options.delay,
      "--delay",
      defaultPoliteness.delayMs,
      0,
      limits.connectionDelayCeilingMs,
    ),
    maxConnectionsPerEndpoint: parseCount(
      options.budget,
      "--budget",
      defaultPoliteness.maxConnectionsPerEndpoint,
      1,
      limits.maxConnectionsPerEndpointCeiling,
    ),
  };
  const enumeration = options.enumerate === false ? false : { quick: options.quick === true, politeness };
  // One per-host cap for every connection of the run (main, enumeration, HTTP), enumerating or not.
  const network = liveNetwork({
    resolver: systemResolver(resolverAddress),
    allowPrivate: options.allowPrivate === true,
    limiter: (limiter ?? ((local) => local))(
      new HostLimiter({ maxPerHost: politeness.maxConnectionsPerHost, delayMs: politeness.delayMs }),
    ),
  });
  const colors =
    options.color === false ? undefined : pc.createColors(Boolean((out as { isTTY?: boolean }).isTTY));
  return { network, probeOptions: { ehloName, stepTimeoutMs, trustStore: store, enumeration }, lang, colors };
}
