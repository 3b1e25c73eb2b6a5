/** The options every network command takes (docs/contract.md §5) and the politeness options. */
import { type Command, Option } from "commander";
import { collect } from "./command.js";

/**
 * `json`: what the command's `--json` prints, in its help — each command names its own document
 * (`mailcharter/audit/1`, `mailcharter/monitor/1`…), not the audit's; null for a command that prints
 * no JSON (the worker), which then has no `--json` at all rather than one that does nothing.
 */
export function networkOptions(command: Command, json: string | null): Command {
  command
    .option("--resolver <ip[:port]>", "DNS server to ask (default: the system's resolver, with /etc/hosts)")
    .option(
      "--ca-file <path>",
      "extra trusted roots (PEM), added to Node's Mozilla roots; repeatable",
      collect,
    )
    .option("--timeout <ms>", "timeout of each network step in milliseconds", "10000")
    .option("--allow-private", "permit loopback, private and reserved addresses (off by default)")
    .option("--ehlo-name <fqdn>", "name sent in EHLO/HELO (default: this host's name)");
  if (json !== null) command.option("--json", json);
  return command
    .addOption(new Option("--lang <lang>", "language of the readable output").choices(["fr", "en"]))
    .option("--no-color", "no colours in the readable output")
    .option("--quick", "one raw handshake per TLS version instead of the full enumeration")
    .option("--no-enumerate", "no raw-handshake enumeration of versions, suites and groups")
    .option("--max-connections <n>", "simultaneous connections per address (default 2)")
    .option("--delay <ms>", "minimum time between two connections to one address (default 0)")
    .option("--budget <n>", "most connections one endpoint may cost, retries included (default 250)");
}
