#!/usr/bin/env node
/**
 * mailcharter command line. Exit status: 0 done, 1 non-compliant (audit), 2 usage or internal error,
 * 3 inconclusive (audit), 4 target unreachable (probe).
 */
import { Command, CommanderError, Option } from "commander";
import { errorMessage, MailcharterError } from "../core/errors.js";
import { type AuditCommandOptions, auditCommand } from "./audit-command.js";
import { ExitCode, type ProbeCommandOptions, probeCommand } from "./probe-command.js";
import { registryCommands } from "./registry-command.js";
import { serveCommand } from "./serve-command.js";
import { userCommands } from "./user-command.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("mailcharter")
    .description("Checks the transport security of e-mail services against the ANSSI e-mail security charter")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError();
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
  networkOptions(probe).action(async (targets: string[], options: ProbeCommandOptions) => {
    setExit(await probeCommand(targets, options, process.stdout));
  });
  const audit = program
    .command("audit")
    .description("Audit mail domains against every measure of the charter annex, with evidence")
    .argument("[domains...]", "mail domains (or --domains-file)")
    .option("--domains-file <path>", "one domain per line (# comments)")
    .option(
      "--endpoint <service=host[:port]>",
      "an access service discovery cannot find; repeatable",
      collect,
    )
    .option("--endpoints-file <path>", "one SERVICE=HOST[:PORT] per line (# comments), like --endpoint")
    .option("--no-conventional", "do not try imap., pop., smtp., mail., webmail. names")
    .option("--country <cc[,cc...]>", "territory for mx.territory (default: France and its overseas codes)")
    .option(
      "--geo-file <path>",
      "extra IP ranges (CIDR,CC or FIRST,LAST,CC) that win over the bundled database; repeatable",
      collect,
    )
    .option("--no-progress", "no progress display")
    .option("--html <file>", "also write a self-contained, printable HTML report")
    .option(
      "--profile <ids>",
      "TLS profiles shown beside the verdict: charter-2015,anssi-tls-2020,mozilla-intermediate (default all)",
    );
  networkOptions(audit).action(async (domains: string[], options: AuditCommandOptions) => {
    setExit(await auditCommand(domains, options, process.stdout, process.stderr));
  });
  registryCommands(program, setExit, process.stdout);
  userCommands(program, process.stdout);
  serveCommand(program, process.stdout);
  return program;
}

/** docs/contract.md §5 options and the politeness options, on any network command. */
function networkOptions(command: Command): Command {
  return command
    .option("--resolver <ip[:port]>", "DNS server to ask (default: the system's)")
    .option(
      "--ca-file <path>",
      "extra trusted roots (PEM), added to Node's Mozilla roots; repeatable",
      collect,
    )
    .option("--timeout <ms>", "timeout of each network step in milliseconds", "10000")
    .option("--allow-private", "permit loopback, private and reserved addresses (off by default)")
    .option("--ehlo-name <fqdn>", "name sent in EHLO/HELO (default: this host's name)")
    .option("--json", "JSON output (docs/contract.md §4)")
    .addOption(new Option("--lang <lang>", "language of the readable output").choices(["fr", "en"]))
    .option("--no-color", "no colours in the readable output")
    .option("--quick", "one raw handshake per TLS version instead of the full enumeration")
    .option("--no-enumerate", "no raw-handshake enumeration of versions, suites and groups")
    .option("--max-connections <n>", "simultaneous connections per address (default 2)")
    .option("--delay <ms>", "minimum time between two connections to one address (default 0)")
    .option("--budget <n>", "most connections one endpoint may cost, retries included (default 250)");
}

export async function main(argv: readonly string[]): Promise<number> {
  let exit: number = ExitCode.ok;
  const program = buildProgram((code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exit;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof MailcharterError) {
      process.stderr.write(`mailcharter: ${error.message}\n`);
      return ExitCode.usage;
    }
    process.stderr.write(`mailcharter: internal error (a bug, please report it): ${errorMessage(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return ExitCode.usage;
  }
}

// Exit as soon as the output is flushed: sockets still closing politely must not hold the process.
const exit = (code: number) => process.stdout.write("", () => process.exit(code));
main(process.argv.slice(2)).then(exit, () => exit(ExitCode.usage));
