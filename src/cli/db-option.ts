/** The `--db` option of the commands that use the store (light: no store module is loaded with it). */
import type { Command } from "commander";

export const dbOption = (c: Command) =>
  c.option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)");
