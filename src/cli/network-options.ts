/** The options every network command takes (docs/contract.md §5) and the politeness options. */
import { type Command, Option } from "commander";
import { collect } from "./command.js";

export function networkOptions(command: Command): Command {
  return command
    .option("--resolver <ip[:port]>", "DNS server to ask (default: the system's resolver, with /etc/hosts)")
    .option(
      "--ca-file <path>",
      "extra trusted roots (PEM), added to Node's Mozilla roots; repeatable",
      collect,
    )
    .option("--timeout <ms>", "timeout of each network step in milliseconds", "10000")
    .option("--allow-private", "permit loopback, private and reserved addresses (off by default)")
    .option("--ehlo-name <fqdn>", "name sent in EHLO/HELO (default: this host's name)")
    .option("--json", "JSON output (the report contract, docs/contract.md §4)")
    .addOption(new Option("--lang <lang>", "language of the readable output").choices(["fr", "en"]))
    .option("--no-color", "no colours in the readable output")
    .option("--quick", "one raw handshake per TLS version instead of the full enumeration")
    .option("--no-enumerate", "no raw-handshake enumeration of versions, suites and groups")
    .option("--max-connections <n>", "simultaneous connections per address (default 2)")
    .option("--delay <ms>", "minimum time between two connections to one address (default 0)")
    .option("--budget <n>", "most connections one endpoint may cost, retries included (default 250)");
}
