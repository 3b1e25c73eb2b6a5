/**
 * Migration `2026-12-11-annex-versions` (Charte art. 8): each charter version names the profile of its
 * annex (the 2015 text: `charter-2015`), drafted profiles as data, consultations and answers. Same
 * schema on SQLite and PostgreSQL; only the auto-increment key differs.
 */
import { type Kysely, type Migration, sql } from "kysely";
import type { Engine } from "./database.js";

export function annexMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      // Versions recorded before this column were judged under the 2015 annex's rules.
      await db.schema
        .alterTable("charter_versions")
        .addColumn("profile", "text", (c) => c.notNull().defaultTo("charter-2015"))
        .execute();
      await db.schema
        .createTable("annex_profiles")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("annex_consultations")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("version", "text", (c) => c.notNull().unique())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("profile_id", "text", (c) => c.notNull().references("annex_profiles.id"))
        .addColumn("opened_at", "text", (c) => c.notNull())
        .addColumn("opened_by", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("adopted_on", "text")
        .addColumn("closed_at", "text")
        .addCheckConstraint("annex_consultations_status", sql`status in ('open', 'adopted', 'closed')`)
        .execute();
      await db.schema
        .createTable("annex_answers")
        .addColumn("consultation_id", "integer", (c) =>
          c.notNull().references("annex_consultations.id").onDelete("cascade"),
        )
        .addColumn("organisation_id", "integer", (c) =>
          c.notNull().references("organisations.id").onDelete("cascade"),
        )
        .addColumn("answer", "text", (c) => c.notNull())
        .addColumn("comment", "text", (c) => c.notNull())
        .addColumn("answered_at", "text", (c) => c.notNull())
        .addColumn("answered_by", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("annex_answers_pk", ["consultation_id", "organisation_id"])
        .addCheckConstraint("annex_answers_answer", sql`answer in ('consent', 'objection')`)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("annex_answers").execute();
      await db.schema.dropTable("annex_consultations").execute();
      await db.schema.dropTable("annex_profiles").execute();
      await db.schema.alterTable("charter_versions").dropColumn("profile").execute();
    },
  };
}
