/**
 * The built `mailcharter serve` as a child process, for interop tests that drive it as a user would:
 * started on one loopback address with `--no-scheduler` (and the given extra arguments), ready once
 * its start lines are printed; stopped with a signal, SIGKILL included.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface ServeProcess {
  readonly db: string;
  readonly dataDir: string;
  /** HOST:PORT */
  readonly listen: string;
  readonly args?: readonly string[];
}

/** Resolves once serve listens; rejects with its output if it exits or has not started in 30 s. */
export function startServe(options: ServeProcess): Promise<ChildProcess> {
  const proc = spawn(
    "node",
    [
      "dist/cli/main.js",
      "serve",
      "--db",
      options.db,
      "--data-dir",
      options.dataDir,
      "--listen",
      options.listen,
      "--no-scheduler",
      ...(options.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  proc.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const failed = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${out}`));
    };
    const ready = (c: Buffer) => {
      out += c.toString();
      if (!(/no account yet|scheduler/.test(out) && /data directory/.test(out))) return;
      // Once: later output is drained, and the stop's listeners are the caller's.
      proc.stdout?.off("data", ready);
      proc.stdout?.resume();
      proc.off("exit", failed);
      clearTimeout(timer);
      setTimeout(() => resolve(proc), 100);
    };
    proc.stdout?.on("data", ready);
    proc.once("exit", failed);
  });
}

/** Sends `signal` and resolves once the process has exited (at once if it has already). */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill(signal);
  });
}
