/**
 * Tables of the service's accounts (migration `2026-12-02-accounts`): accounts, their sessions and
 * their API tokens. Dates are ISO strings (UTC) so both engines compare them alike. Only
 * src/accounts reads and writes them.
 */
import type { Generated } from "kysely";

export type AccountRole = "agency" | "operator" | "auditor";

export interface AccountTable {
  id: Generated<number>;
  /** Lower case; unique. */
  email: string;
  role: AccountRole;
  /** The organisation an operator acts for (null for agency and auditor accounts). */
  organisation_id: number | null;
  /** `scrypt$N$r$p$salt$hash` (base64), see src/accounts/password.ts. */
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
  /** Migration `2026-12-08-account-last-login`; null until the first login. */
  last_login_at: string | null;
}

/** A server-side session of @fastify/session; the cookie holds only its signed id. */
export interface SessionTable {
  id: string;
  /** The session object as JSON (the CSRF secret, the account, the login and last-seen times). */
  data: string;
  account_id: number | null;
  /** Past this instant the row is purged (timeouts are judged from `data`, with their reason). */
  expires_at: string;
  updated_at: string;
}

/** An API token: only its SHA-256 is kept; `prefix` lets its owner recognise it in a list. */
export interface ApiTokenTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  prefix: string;
  token_hash: string;
  role: AccountRole;
  organisation_id: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AccountTables {
  accounts: AccountTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
}
