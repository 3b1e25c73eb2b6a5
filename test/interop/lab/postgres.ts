/**
 * A private PostgreSQL cluster for the interop tests (Debian's postgresql package): initdb as the
 * postgres user in a temporary directory, listening on 127.0.10.60 only (or the address given: the
 * fleet tests and bench run their own), stopped at the end. `restart()` stops and starts the same
 * cluster (the fleet's crash test restarts PostgreSQL during a cycle).
 */
import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const postgresAddress = "127.0.10.60";

function binDir(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("lab: PostgreSQL server not installed (scripts/install-system-deps.sh)");
  return join("/usr/lib/postgresql", versions[0], "bin");
}

export interface Postgres {
  /** URL of the maintenance database; tests create their own databases. */
  readonly url: string;
  stop(): Promise<void>;
  /** Stops the server (fast: sessions are cut) and starts it again on the same data. */
  restart(downMs?: number): Promise<void>;
}

export async function startPostgres(address: string = postgresAddress): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-pg-"));
  const { stdout: uid } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  chownSync(dir, Number(uid), Number(gid));
  const bin = binDir();
  const asPostgres = (command: string, args: readonly string[]) =>
    run("runuser", ["-u", "postgres", "--", join(bin, command), ...args], { timeout: 60_000 });
  const stop = async () => {
    await asPostgres("pg_ctl", ["-D", join(dir, "data"), "stop", "-m", "fast"]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  const start = () =>
    asPostgres("pg_ctl", [
      "-D",
      join(dir, "data"),
      "-o",
      `-h ${address} -p 5432 -k ${dir} -c fsync=off -c max_connections=300`,
      "-l",
      join(dir, "postgres.log"),
      "-w",
      "start",
    ]);
  const restart = async (downMs = 0) => {
    await asPostgres("pg_ctl", ["-D", join(dir, "data"), "stop", "-m", "fast"]);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await start();
  };
  try {
    await asPostgres("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "mailcharter", "--no-sync"]);
    await start();
    return { url: `postgres://mailcharter@${address}:5432/postgres`, stop, restart };
  } catch (error) {
    await stop();
    throw error;
  }
}
