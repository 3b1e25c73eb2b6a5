/**
 * Storage: Kysely over better-sqlite3 (embedded default, a file in the user's data directory) or
 * PostgreSQL (`--db postgres://…`), one schema for both (migrations.ts). Only this module opens a
 * database; the registry reaches storage through it.
 */

import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { type Generated, Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { MailcharterError } from "../core/errors.js";
import type { AccountTables } from "./account-tables.js";
import type { AuditHistoryTables } from "./audit-history-tables.js";

export interface OrganisationTable {
  id: Generated<number>;
  name: string;
  contact: string;
  /** ISO dates (YYYY-MM-DD), portable across both engines. */
  adhesion_date: string;
  withdrawal_notice_date: string | null;
  charter_version: string;
}

export interface DomainTable {
  id: Generated<number>;
  organisation_id: number;
  domain: string;
  /** JSON array of MX host patterns (RFC 8461 §4.1 style: "mx.example.org", "*.example.org"). */
  mx_patterns: string;
}

export interface CharterVersionTable {
  version: string;
  published: string;
  title: string;
}

export interface Database extends AuditHistoryTables, AccountTables {
  organisations: OrganisationTable;
  domains: DomainTable;
  charter_versions: CharterVersionTable;
}

export type Engine = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly location: string;
  close(): Promise<void>;
}

/** `$XDG_DATA_HOME/mailcharter/registry.sqlite`, else `~/.local/share/mailcharter/registry.sqlite`. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "mailcharter", "registry.sqlite");
}

export async function openStore(location: string = defaultDatabasePath()): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: location, max: 4, connectionTimeoutMillis: 10_000 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: "postgres",
      location: location.replace(/\/\/[^@]*@/, "//***@"),
      close: () => db.destroy(),
    };
  }
  const { default: SQLite } = await import("better-sqlite3");
  if (location !== ":memory:") mkdirSync(dirname(location), { recursive: true });
  let sqlite: InstanceType<typeof SQLite>;
  try {
    sqlite = new SQLite(location);
  } catch (error) {
    throw new MailcharterError("config", `--db ${location}: ${(error as Error).message}`, { cause: error });
  }
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, engine: "sqlite", location, close: () => db.destroy() };
}
