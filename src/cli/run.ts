/**
 * The command line, without the process: `run(argv, io)` parses, runs one command and returns its exit
 * status (docs/contract.md §4). Bad input is a one-line error and exit 2; anything else thrown is a bug
 * in us, said so with its stack.
 */
import { Command, CommanderError } from "commander";
import { errorMessage, MailcharterError } from "../core/errors.js";
import { type CommandIo, type CommandModule, ExitCode } from "./command.js";

/**
 * One line per command: its name and the module that registers it, loaded only when it runs (or for
 * the help that lists them all). Add a command as `name: () => import("./name-command.js"),`.
 */
export const commands: Readonly<Record<string, () => Promise<CommandModule>>> = {
  probe: () => import("./probe-command.js"),
  audit: () => import("./audit-command.js"),
  registry: () => import("./registry-command.js"),
  policy: () => import("./policy-command.js"),
  user: () => import("./user-command.js"),
  serve: () => import("./serve-command.js"),
  monitor: () => import("./monitor-command.js"),
  indicators: () => import("./indicators-command.js"),
  "outbound-test": () => import("./outbound-test-command.js"),
  tlsrpt: () => import("./tlsrpt-command.js"),
  notify: () => import("./notify-command.js"),
  worker: () => import("./worker-command.js"),
  annex: () => import("./annex-command.js"),
};

export const version = "0.1.0";

/** The commands argv needs: the one named first, none for --version, every one otherwise (help). */
export function commandsFor(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first !== undefined && Object.hasOwn(commands, first)) return [first];
  if (argv.length === 1 && (first === "--version" || first === "-V")) return [];
  return Object.keys(commands);
}

export async function buildProgram(argv: readonly string[], io: CommandIo): Promise<Command> {
  const program = new Command();
  program
    .name("mailcharter")
    .description("Checks the transport security of e-mail services against the ANSSI e-mail security charter")
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .showHelpAfterError("(--help lists the commands and options)");
  const modules = await Promise.all(
    commandsFor(argv).map((name) => (commands[name] as () => Promise<CommandModule>)()),
  );
  // Subcommands inherit exitOverride and the output streams from the program (commander's
  // copyInheritedSettings), so none of them exits the process or writes elsewhere.
  for (const module of modules) module.register(program, io);
  return program;
}

export async function run(argv: readonly string[], streams: Omit<CommandIo, "setExit">): Promise<number> {
  let exit: number = ExitCode.ok;
  const io: CommandIo = { ...streams, setExit: (code) => (exit = code) };
  try {
    const program = await buildProgram(argv, io);
    await program.parseAsync([...argv], { from: "user" });
    return exit;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof MailcharterError) {
      io.err.write(`mailcharter: ${error.message}\n`);
      return ExitCode.usage;
    }
    io.err.write(`mailcharter: internal error (a bug, please report it): ${errorMessage(error)}\n`);
    // The CLI is bundled: map the stack back to src/ (the .map files ship beside the bundle).
    process.setSourceMapsEnabled(true);
    if (error instanceof Error && error.stack) io.err.write(`${error.stack}\n`);
    return ExitCode.usage;
  }
}
