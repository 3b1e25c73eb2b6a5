/**
 * Storage: Kysely over better-sqlite3 (embedded default, a file in the user's data directory) or
 * PostgreSQL (`--db postgres://…`), one schema for both (migrations.ts). Only this module opens a
 * database; the registry reaches storage through it.
 */

import { existsSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { type ColumnType, type Generated, Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { MailcharterError } from "../core/errors.js";
import type { AccountTables } from "./account-tables.js";
import type { AnnexTables } from "./annex-tables.js";
import type { AuditHistoryTables } from "./audit-history-tables.js";
import type { FleetTables } from "./fleet-tables.js";
import type { IncidentTables } from "./incident-tables.js";
import type { IndicatorTaskTables } from "./indicator-task-tables.js";
import type { IndicatorsLogTables } from "./indicators-log-tables.js";
import type { NotifyTables } from "./notify-tables.js";
import type { OutboundTables } from "./outbound-tables.js";
import type { TlsRptTables } from "./tlsrpt-tables.js";

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
  /** The profile of the version's annex (migration `2026-12-11-annex-versions`; default charter-2015). */
  profile: ColumnType<string, string | undefined, string>;
}

export interface Database
  extends AuditHistoryTables,
    AccountTables,
    TlsRptTables,
    IndicatorsLogTables,
    NotifyTables,
    OutboundTables,
    IncidentTables,
    FleetTables,
    IndicatorTaskTables,
    AnnexTables {
  organisations: OrganisationTable;
  domains: DomainTable;
  charter_versions: CharterVersionTable;
}

export type Engine = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /**
   * The better-sqlite3 handle under `db` (SQLite only), for the bulk paths that run one prepared
   * statement many times (MTA-log ingestion): used inside `db.connection()` so that Kysely's own
   * queries and transactions never interleave with it.
   */
  readonly sqlite?: import("better-sqlite3").Database;
  readonly location: string;
  close(): Promise<void>;
}

/** `$XDG_DATA_HOME/mailcharter/registry.sqlite`, else `~/.local/share/mailcharter/registry.sqlite`. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "mailcharter", "registry.sqlite");
}

export interface OpenOptions {
  /**
   * May an SQLite file that does not exist yet be created? Commands that write say yes; commands that
   * only read say no, so a mistyped `--db` is an error instead of a new, empty registry.
   */
  readonly create?: boolean;
}

/** Password and user of a postgres:// URL hidden, for messages and evidence. */
export const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, "//***@");

/**
 * Opens the store at `location` (`--db`): a postgres:// URL, or an SQLite file. Without a location,
 * the default file in the user's data directory, whose directories are created; an explicit path must
 * name an existing directory. Every failure to reach or open the database is a MailcharterError
 * ("config") naming it, never a crash.
 */
export async function openStore(location?: string, options: OpenOptions = {}): Promise<Store> {
  if (location !== undefined && /^postgres(ql)?:\/\//.test(location)) return openPostgres(location);
  const path = location ?? defaultDatabasePath();
  const what = location === undefined ? `registry ${path}` : `--db ${path}`;
  if (path !== ":memory:") {
    if (location === undefined) mkdirSync(dirname(path), { recursive: true });
    else if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory())
      throw new MailcharterError("config", `${what}: the directory ${dirname(path)} does not exist`);
    if (existsSync(path) && !statSync(path).isFile())
      throw new MailcharterError("config", `${what}: not a database file`);
    if (location !== undefined && options.create !== true && !existsSync(path))
      throw new MailcharterError(
        "config",
        `${what}: no registry there (registry add or registry import creates one)`,
      );
  }
  const { default: SQLite } = await import("better-sqlite3");
  let sqlite: InstanceType<typeof SQLite>;
  try {
    sqlite = new SQLite(path);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
  } catch (error) {
    throw new MailcharterError("config", `${what}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, engine: "sqlite", sqlite, location: path, close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import("pg");
  const location = redactUrl(url);
  let pool: InstanceType<typeof pg.Pool>;
  try {
    pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  } catch (error) {
    throw new MailcharterError("config", `--db ${location}: ${(error as Error).message}`, { cause: error });
  }
  // An idle client's error (the server restarting) must not crash the process: the next query fails.
  pool.on("error", () => {});
  // Nor one of a client checked out between two queries (a transaction's): pg emits it on the client.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new MailcharterError("config", `--db ${location}: cannot connect (${(error as Error).message})`, {
      cause: error,
    });
  }
  return { db, engine: "postgres", location, close: () => db.destroy() };
}
