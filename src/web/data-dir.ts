/**
 * The service's data directory: secrets generated once and kept there (session secret, the list's
 * signing key, the self-signed certificate), each written with mode 0600 by an exclusive create, so
 * two processes starting together keep the same one.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MailcharterError } from "../core/errors.js";

export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new MailcharterError("config", `data directory ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The file's text, created by `create()` on first use (mode 0600 unless said otherwise). */
export function readOrCreate(
  dir: string,
  name: string,
  create: () => string,
  mode = 0o600,
): { text: string; created: boolean; path: string } {
  const path = join(dir, name);
  try {
    writeFileSync(path, create(), { flag: "wx", mode });
    chmodSync(path, mode);
    return { text: readFileSync(path, "utf8"), created: true, path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST")
      throw new MailcharterError("config", `${path}: ${(error as Error).message}`, { cause: error });
  }
  if (mode === 0o600 && (statSync(path).mode & 0o077) !== 0)
    throw new MailcharterError("config", `${path} is readable by others: chmod 600 it (it holds a secret)`);
  return { text: readFileSync(path, "utf8"), created: false, path };
}
