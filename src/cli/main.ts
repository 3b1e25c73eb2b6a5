#!/usr/bin/env node
/**
 * mailcharter command line (the `bin` entry). Commands are listed in run.ts and live in
 * src/cli/<name>-command.ts. Exit status: docs/contract.md §4.
 */
import { ExitCode } from "./command.js";
import { run } from "./run.js";

// Exit as soon as the output is flushed: sockets still closing politely must not hold the process.
const exit = (code: number) => process.stdout.write("", () => process.exit(code));
run(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(exit, () =>
  exit(ExitCode.usage),
);
