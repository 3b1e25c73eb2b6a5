/**
 * Migration `2026-12-07-outbound-tests`: outbound STARTTLS tests (one random local part each) and one
 * row per message received for them. Same schema on SQLite and PostgreSQL; only the key differs.
 */
import type { Kysely, Migration } from "kysely";
import type { Engine } from "./database.js";

export function outboundTestsMigration(engine: Engine): Migration {
  const id = engine === "postgres" ? "serial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("outbound_tests")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("domain", "text", (c) => c.notNull())
        .addColumn("organisation_id", "integer", (c) => c.references("organisations.id").onDelete("set null"))
        .addColumn("organisation", "text")
        .addColumn("local_part", "text", (c) => c.notNull().unique())
        .addColumn("addresses", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("outbound_tests_domain_created")
        .on("outbound_tests")
        .columns(["domain", "created_at"])
        .execute();
      await db.schema
        .createTable("outbound_messages")
        .addColumn("id", id, (c) => (engine === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn("test_id", "integer", (c) =>
          c.notNull().references("outbound_tests.id").onDelete("cascade"),
        )
        .addColumn("variant", "text", (c) => c.notNull())
        .addColumn("received_at", "text", (c) => c.notNull())
        .addColumn("remote_address", "text", (c) => c.notNull())
        .addColumn("reverse_name", "text")
        .addColumn("reverse_lookup", "text", (c) => c.notNull())
        .addColumn("ehlo", "text", (c) => c.notNull())
        .addColumn("mail_from", "text", (c) => c.notNull())
        .addColumn("starttls", "integer", (c) => c.notNull())
        .addColumn("tls_version", "text")
        .addColumn("cipher_suite", "text")
        .addColumn("tls_group", "text")
        .addColumn("client_certificate", "text")
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("outbound_messages_test")
        .on("outbound_messages")
        .columns(["test_id", "received_at"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("outbound_messages").execute();
      await db.schema.dropTable("outbound_tests").execute();
    },
  };
}
