/**
 * Migration `2026-12-08-account-last-login`: when each account last logged in (the agency's accounts
 * page shows it, to spot an account nobody uses any more). Null until the first login.
 */
import type { Kysely, Migration } from "kysely";

export function accountLastLoginMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("accounts").addColumn("last_login_at", "text").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("accounts").dropColumn("last_login_at").execute();
    },
  };
}
