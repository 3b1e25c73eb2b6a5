/** Files the command line reads and writes: checked before any work, read with errors that name them. */
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errorMessage, UsageError } from "../core/errors.js";

/**
 * An output file (`--html`, `--out`) is checked before any work: its directory exists and is
 * writable, and the file, if it exists, is a writable regular file. Nothing is created until the
 * output is ready.
 */
export function checkWritableFile(file: string, option: string): void {
  const path = resolve(file);
  let exists = true;
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${option} ${file}: not a regular file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new UsageError(`${option} ${file}: ${errorMessage(error)}`);
    exists = false;
  }
  try {
    accessSync(exists ? path : dirname(path), constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? `the directory ${dirname(path)} does not exist`
        : code === "EROFS"
          ? "read-only file system"
          : "not writable";
    throw new UsageError(`${option} ${file}: cannot be written (${why})`);
  }
}

/** The text of `file`, or a usage error naming the option and the file. */
export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${what} ${file}: ${errorMessage(error)}`);
  }
}
