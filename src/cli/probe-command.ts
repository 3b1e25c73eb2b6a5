/** `mailcharter probe HOST[:PORT]`: one service on one host, every address, readable or JSON. */
import { type Command, Option } from "commander";
import { unreachable } from "../audit/probe/endpoint.js";
import { probeEndpoint } from "../audit/probe/probe-endpoint.js";
import { resolveServiceDefaults } from "../audit/probe/services.js";
import { renderEndpointText } from "../audit/report/endpoint-text.js";
import { type CommandIo, ExitCode } from "./command.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { networkOptions } from "./network-options.js";
import { checkServiceTls, parseHostPort, parseService, parseTlsMode } from "./options.js";

export interface ProbeCommandOptions extends NetworkCommandOptions {
  readonly service?: string;
  readonly tls?: string;
}

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
    const resolved = resolveServiceDefaults({
      ...(givenService ? { service: givenService } : {}),
      ...(target.port !== undefined ? { port: target.port } : {}),
      ...(givenTlsMode ? { tlsMode: givenTlsMode } : {}),
    });
    checkServiceTls(resolved.service, resolved.tlsMode);
    return { host: target.host, ...resolved };
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

export function register(program: Command, io: CommandIo): void {
  const probe = program
    .command("probe")
    .description(
      "Probe mail services: dialogue, STARTTLS or implicit TLS, certificate, and versions, suites and groups by raw handshakes",
    )
    .argument("<targets...>", "HOST[:PORT], IPv4, IPv6 or [IPv6]:PORT; several are probed side by side")
    .addOption(
      new Option("--service <service>", "service spoken on the port").choices([
        "smtp",
        "submission",
        "imap",
        "pop3",
        "https",
      ]),
    )
    .addOption(
      new Option("--tls <mode>", "TLS mode (default from the port and service)").choices([
        "implicit",
        "starttls",
        "none",
      ]),
    );
  networkOptions(
    probe,
    "print mailcharter/probe/1: the endpoints as in the report contract (docs/contract.md §4)",
  ).action(async (targets: string[], options: ProbeCommandOptions) => {
    io.setExit(await probeCommand(targets, options, io.out));
  });
}
