/** `mailcharter probe HOST[:PORT]`: one service on one host, every address, readable or JSON. */
import { hostname } from "node:os";
import pc from "picocolors";
import { unreachable } from "../audit/probe/endpoint.js";
import { probeEndpoint } from "../audit/probe/probe-endpoint.js";
import { resolveServiceDefaults } from "../audit/probe/services.js";
import { renderEndpointText } from "../audit/report/endpoint-text.js";
import { defaultPoliteness, HostLimiter, type Politeness } from "../audit/tls/prober/politeness.js";
import { trustStore } from "../audit/tls/trust-store.js";
import { limits } from "../core/limits.js";
import { liveNetwork } from "../net/network.js";
import { systemResolver } from "../net/resolver.js";
import {
  parseCount,
  parseEhloName,
  parseHostPort,
  parseLang,
  parseResolver,
  parseService,
  parseTimeout,
  parseTlsMode,
} from "./options.js";

export interface ProbeCommandOptions {
  readonly service?: string;
  readonly tls?: string;
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

export const ExitCode = { ok: 0, nonCompliant: 1, usage: 2, inconclusive: 3, unreachable: 4 } as const;

/** Validates everything first (usage errors exit 2 before any traffic), then probes. */
export async function probeCommand(
  targetTexts: readonly string[],
  options: ProbeCommandOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const givenService = parseService(options.service);
  const givenTlsMode = parseTlsMode(options.tls);
  const targets = targetTexts.map((text) => {
    const target = parseHostPort(text);
    return {
      host: target.host,
      ...resolveServiceDefaults({
        ...(givenService ? { service: givenService } : {}),
        ...(target.port !== undefined ? { port: target.port } : {}),
        ...(givenTlsMode ? { tlsMode: givenTlsMode } : {}),
      }),
    };
  });
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
      16,
    ),
    delayMs: parseCount(options.delay, "--delay", defaultPoliteness.delayMs, 0, 60_000),
    maxConnectionsPerEndpoint: parseCount(
      options.budget,
      "--budget",
      defaultPoliteness.maxConnectionsPerEndpoint,
      1,
      1000,
    ),
  };
  const enumeration =
    options.enumerate === false
      ? false
      : { quick: options.quick === true, politeness, limiter: new HostLimiter(politeness) };
  const network = liveNetwork({
    resolver: systemResolver(resolverAddress),
    allowPrivate: options.allowPrivate === true,
  });

  // Targets run side by side; the shared limiter keeps the per-host cap across all of them.
  const endpoints = (
    await Promise.all(
      targets.map((target) =>
        probeEndpoint(target, { ehloName, stepTimeoutMs, trustStore: store, enumeration }, network),
      ),
    )
  ).flat();
  if (options.json) {
    out.write(`${JSON.stringify({ schema: "mailcharter/probe/1", endpoints }, null, 2)}\n`);
  } else {
    const colors =
      options.color === false ? undefined : pc.createColors(Boolean((out as { isTTY?: boolean }).isTTY));
    out.write(`${endpoints.map((e) => renderEndpointText(e, lang, colors)).join("\n\n")}\n`);
  }
  return endpoints.every(unreachable) ? ExitCode.unreachable : ExitCode.ok;
}
