/**
 * Migration `2026-12-02-accounts`: accounts (role, organisation, scrypt hash, disabled), server-side
 * sessions and hashed API tokens. Same schema on SQLite and PostgreSQL; only the auto-increment key
 * differs.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { Engine } from "./database.js";

export function accountsMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("accounts")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("organisation_id", "integer", (c) => c.references("organisations.id").onDelete("restrict"))
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("disabled_at", "text")
        .addCheckConstraint("accounts_role", sql`role in ('agency', 'operator', 'auditor')`)
        // An operator acts for exactly one organisation; the agency and auditors for none.
        .addCheckConstraint("accounts_organisation", sql`(role = 'operator') = (organisation_id is not null)`)
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("account_id", "integer", (c) => c.references("accounts.id").onDelete("cascade"))
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
      await db.schema
        .createTable("api_tokens")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("organisation_id", "integer", (c) => c.references("organisations.id").onDelete("cascade"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("revoked_at", "text")
        .addCheckConstraint("api_tokens_role", sql`role in ('agency', 'operator', 'auditor')`)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("api_tokens").execute();
      await db.schema.dropTable("sessions").execute();
      await db.schema.dropTable("accounts").execute();
    },
  };
}
