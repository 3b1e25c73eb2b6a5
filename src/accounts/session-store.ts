/** Storage of server-side sessions (the `sessions` table), for the web layer's session plugin. */
import type { Kysely } from "kysely";
import type { Database } from "../store/database.js";

export interface SessionRow {
  readonly id: string;
  readonly data: string;
  readonly accountId: number | null;
  readonly expiresAt: string;
}

export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<SessionRow | undefined> {
    const row = await this.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row
      ? { id: row.id, data: row.data, accountId: row.account_id, expiresAt: row.expires_at }
      : undefined;
  }

  async set(row: SessionRow, now: string): Promise<void> {
    const values = { data: row.data, account_id: row.accountId, expires_at: row.expiresAt, updated_at: now };
    await this.db
      .insertInto("sessions")
      .values({ id: row.id, ...values })
      .onConflict((c) => c.column("id").doUpdateSet(values))
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  /** Deletes the sessions past their expiry; returns how many. */
  async purge(now: string): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countForAccount(accountId: number): Promise<number> {
    const rows = await this.db
      .selectFrom("sessions")
      .select("id")
      .where("account_id", "=", accountId)
      .execute();
    return rows.length;
  }
}
