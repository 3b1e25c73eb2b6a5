/**
 * `mailcharter indicators …` (art. 4.5): one command, one subcommand per source of indicators, each
 * registered from its own file. Add a subcommand as one `registerX(indicators, io)` line.
 */
import type { Command } from "commander";
import type { CommandIo } from "./command.js";
import { registerIndicatorsFetch } from "./indicators-fetch.js";
import { registerIndicatorsImport } from "./indicators-import.js";
import { registerIndicatorsSchedule } from "./indicators-schedule-command.js";
import { registerIngestLog } from "./ingest-log-command.js";
import { registerLinks } from "./links-command.js";

/** The command module's entry (run.ts). */
export function register(program: Command, io: CommandIo): void {
  const indicators = program
    .command("indicators")
    .description("Indicators of art. 4.5: TLS-RPT reports received, MTA logs, per-link figures");
  registerIndicatorsImport(indicators, io);
  registerIngestLog(indicators, io);
  registerIndicatorsFetch(indicators, io);
  registerLinks(indicators, io);
  registerIndicatorsSchedule(indicators, io);
}
