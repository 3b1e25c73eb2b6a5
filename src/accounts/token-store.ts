/** Storage of API tokens (the `api_tokens` table): the SHA-256 of each token, never the token. */
import type { Kysely } from "kysely";
import type { AccountRole } from "../store/account-tables.js";
import type { Database } from "../store/database.js";

export interface TokenRecord {
  readonly id: number;
  readonly accountId: number;
  readonly name: string;
  readonly prefix: string;
  readonly role: AccountRole;
  readonly organisationId: number | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A live token with its owner, as the bearer check needs it. */
export interface ActiveToken extends TokenRecord {
  readonly email: string;
}

const columns = [
  "api_tokens.id",
  "api_tokens.account_id",
  "api_tokens.name",
  "api_tokens.prefix",
  "api_tokens.role",
  "api_tokens.organisation_id",
  "api_tokens.created_at",
  "api_tokens.last_used_at",
  "api_tokens.revoked_at",
] as const;

const record = (r: {
  id: number;
  account_id: number;
  name: string;
  prefix: string;
  role: AccountRole;
  organisation_id: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}): TokenRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  prefix: r.prefix,
  role: r.role,
  organisationId: r.organisation_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(
    token: Omit<TokenRecord, "id" | "lastUsedAt" | "revokedAt">,
    hash: string,
  ): Promise<TokenRecord> {
    const row = await this.db
      .insertInto("api_tokens")
      .values({
        account_id: token.accountId,
        name: token.name,
        prefix: token.prefix,
        token_hash: hash,
        role: token.role,
        organisation_id: token.organisationId,
        created_at: token.createdAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return record(row);
  }

  async forAccount(accountId: number): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom("api_tokens")
      .select(columns)
      .where("account_id", "=", accountId)
      .orderBy("id")
      .execute();
    return rows.map(record);
  }

  /** The token with this hash, not revoked, whose owner is not disabled. */
  async active(hash: string): Promise<ActiveToken | undefined> {
    const row = await this.db
      .selectFrom("api_tokens")
      .innerJoin("accounts", "accounts.id", "api_tokens.account_id")
      .select([...columns, "accounts.email"])
      .where("api_tokens.token_hash", "=", hash)
      .where("api_tokens.revoked_at", "is", null)
      .where("accounts.disabled_at", "is", null)
      .executeTakeFirst();
    return row ? { ...record(row), email: row.email } : undefined;
  }

  async touch(id: number, at: string): Promise<void> {
    await this.db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  /** Revokes one of the account's own tokens; false when it has no such live token. */
  async revoke(id: number, accountId: number, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("api_tokens")
      .set({ revoked_at: at })
      .where("id", "=", id)
      .where("account_id", "=", accountId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
