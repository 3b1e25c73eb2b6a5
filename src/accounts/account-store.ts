/** Storage of accounts (the `accounts` table). Only src/accounts uses it. */
import type { Kysely } from "kysely";
import type { AccountRole } from "../store/account-tables.js";
import type { Database } from "../store/database.js";

export interface AccountRecord {
  readonly id: number;
  readonly email: string;
  readonly role: AccountRole;
  readonly organisationId: number | null;
  readonly passwordHash: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
  readonly lastLoginAt: string | null;
}

type Row = Database["accounts"] & { id: number };

const record = (r: {
  id: number;
  email: string;
  role: AccountRole;
  organisation_id: number | null;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
  last_login_at: string | null;
}): AccountRecord => ({
  id: r.id,
  email: r.email,
  role: r.role,
  organisationId: r.organisation_id,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
});

export class AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts an account; null when the e-mail address is taken. */
  async insert(
    account: Omit<AccountRecord, "id" | "disabledAt" | "lastLoginAt">,
  ): Promise<AccountRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("accounts")
        .select("id")
        .where("email", "=", account.email)
        .executeTakeFirst();
      if (taken) return null;
      const row = await trx
        .insertInto("accounts")
        .values({
          email: account.email,
          role: account.role,
          organisation_id: account.organisationId,
          password_hash: account.passwordHash,
          created_at: account.createdAt,
          disabled_at: null,
          last_login_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return record(row as Row);
    });
  }

  async byEmail(email: string): Promise<AccountRecord | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("email", "=", email)
      .executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async byId(id: number): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async list(): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom("accounts").selectAll().orderBy("email").execute();
    return rows.map(record);
  }

  /** Disables (or enables again) an account; a disabled account's sessions are deleted at once. */
  async setDisabled(id: number, disabledAt: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("accounts")
        .set({ disabled_at: disabledAt })
        .where("id", "=", id)
        .executeTakeFirst();
      if (disabledAt !== null) await trx.deleteFrom("sessions").where("account_id", "=", id).execute();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async recordLogin(id: number, at: string): Promise<void> {
    await this.db.updateTable("accounts").set({ last_login_at: at }).where("id", "=", id).execute();
  }

  /**
   * A new password hash; the account's sessions end at once (whoever knew the old password is logged
   * out). False when there is no such account.
   */
  async setPasswordHash(id: number, passwordHash: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("accounts")
        .set({ password_hash: passwordHash })
        .where("id", "=", id)
        .executeTakeFirst();
      await trx.deleteFrom("sessions").where("account_id", "=", id).execute();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async count(): Promise<number> {
    const rows = await this.db.selectFrom("accounts").select("id").execute();
    return rows.length;
  }
}
