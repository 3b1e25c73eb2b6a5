/** `mailcharter probe HOST[:PORT]`: one service on one host, every address, readable or JSON. */
import { unreachable } from "../audit/probe/endpoint.js";
import { probeEndpoint } from "../audit/probe/probe-endpoint.js";
import { resolveServiceDefaults } from "../audit/probe/services.js";
import { renderEndpointText } from "../audit/report/endpoint-text.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { parseHostPort, parseService, parseTlsMode } from "./options.js";

export interface ProbeCommandOptions extends NetworkCommandOptions {
  readonly service?: string;
  readonly tls?: string;
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
  const { network, probeOptions, lang, colors } = commandContext(options, out);

  // Targets run side by side; the shared limiter keeps the per-host cap across all of them.
  const endpoints = (
    await Promise.all(targets.map((target) => probeEndpoint(target, probeOptions, network)))
  ).flat();
  if (options.json) {
    out.write(`${JSON.stringify({ schema: "mailcharter/probe/1", endpoints }, null, 2)}\n`);
  } else {
    out.write(`${endpoints.map((e) => renderEndpointText(e, lang, colors)).join("\n\n")}\n`);
  }
  return endpoints.every(unreachable) ? ExitCode.unreachable : ExitCode.ok;
}
