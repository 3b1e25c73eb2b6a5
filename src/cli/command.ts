/**
 * What a command module gives the command line: `register` adds its commander definition. The entry
 * point (main.ts) loads a command's module only when that command runs, so a probe never pays for the
 * registry's database code, nor `--version` for anything.
 */
import type { Command } from "commander";

/** Exit status (docs/contract.md §4). */
export const ExitCode = { ok: 0, nonCompliant: 1, usage: 2, inconclusive: 3, unreachable: 4 } as const;

/** Where a command writes and how it reports its exit status; streams are swappable for tests. */
export interface CommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  setExit(code: number): void;
}

export interface CommandModule {
  register(program: Command, io: CommandIo): void;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
