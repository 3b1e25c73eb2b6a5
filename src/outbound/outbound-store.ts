/**
 * Storage of outbound tests and of how their messages arrived (tables in store/outbound-tables.ts).
 * The listener asks `activeTest` for every recipient and `recordMessage` for every message; the CLI,
 * the service and the audit read tests and results through the same functions.
 */
import type { Selectable } from "kysely";
import type { Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import type { OutboundMessageTable, OutboundTestTable } from "../store/outbound-tables.js";
import type { ClientCertificate, OutboundTest, ReceivedMessage } from "./model.js";
import { addressesOf, newLocalPart } from "./test-address.js";
import type { TestAddress, VariantConfig, VariantKind } from "./variant.js";

export interface NewTest {
  readonly domain: string;
  readonly requestedBy: string;
  readonly now: Date;
  readonly lifetimeMs: number;
  readonly variants: readonly VariantConfig[];
}

const testOf = (row: Selectable<OutboundTestTable>): OutboundTest => ({
  id: Number(row.id),
  domain: row.domain,
  organisation: row.organisation,
  localPart: row.local_part,
  addresses: JSON.parse(row.addresses) as TestAddress[],
  requestedBy: row.requested_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const messageOf = (row: Selectable<OutboundMessageTable>): ReceivedMessage => ({
  testId: Number(row.test_id),
  variant: row.variant as VariantKind,
  receivedAt: row.received_at,
  remoteAddress: row.remote_address,
  reverseName: row.reverse_name,
  reverseLookup: row.reverse_lookup as ReceivedMessage["reverseLookup"],
  ehlo: row.ehlo,
  mailFrom: row.mail_from,
  starttls: Number(row.starttls) === 1,
  tlsVersion: row.tls_version,
  cipherSuite: row.cipher_suite,
  group: row.tls_group,
  clientCertificate:
    row.client_certificate === null ? null : (JSON.parse(row.client_certificate) as ClientCertificate),
  sizeBytes: Number(row.size_bytes),
});

export interface OutboundStore {
  createTest(input: NewTest): Promise<OutboundTest>;
  getTest(id: number): Promise<OutboundTest | null>;
  /** The test a recipient's local part belongs to, while it has not expired. */
  activeTest(localPart: string, now: Date): Promise<OutboundTest | null>;
  recordMessage(message: ReceivedMessage): Promise<void>;
  messages(testId: number): Promise<ReceivedMessage[]>;
  /** The domain's tests, newest first. */
  testsOf(domain: string, limit?: number): Promise<OutboundTest[]>;
  /** The organisation id the test's domain belonged to (authorization of the service's routes). */
  organisationIdOf(testId: number): Promise<number | null>;
}

/** The store's outbound tables, migrated to the latest schema first (as the registry and history do). */
export async function openOutboundStore(store: Store): Promise<OutboundStore> {
  await migrate(store.db as never, store.engine);
  return outboundStore(store);
}

/** Over a store already migrated (openOutboundStore). */
export function outboundStore(store: Store): OutboundStore {
  const db = store.db;
  return {
    async createTest(input) {
      const domain = input.domain.toLowerCase().replace(/\.$/, "");
      const org = await db
        .selectFrom("domains")
        .innerJoin("organisations", "organisations.id", "domains.organisation_id")
        .select(["organisations.id as id", "organisations.name as name"])
        .where("domains.domain", "=", domain)
        .executeTakeFirst();
      const localPart = newLocalPart();
      const row = await db
        .insertInto("outbound_tests")
        .values({
          domain,
          organisation_id: org ? Number(org.id) : null,
          organisation: org?.name ?? null,
          local_part: localPart,
          addresses: JSON.stringify(addressesOf(localPart, input.variants)),
          requested_by: input.requestedBy,
          created_at: input.now.toISOString(),
          expires_at: new Date(input.now.getTime() + input.lifetimeMs).toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return testOf(row);
    },
    async getTest(id) {
      if (!Number.isSafeInteger(id) || id < 1) return null;
      const row = await db.selectFrom("outbound_tests").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? testOf(row) : null;
    },
    async activeTest(localPart, now) {
      const row = await db
        .selectFrom("outbound_tests")
        .selectAll()
        .where("local_part", "=", localPart)
        .where("expires_at", ">", now.toISOString())
        .executeTakeFirst();
      return row ? testOf(row) : null;
    },
    async recordMessage(m) {
      await db
        .insertInto("outbound_messages")
        .values({
          test_id: m.testId,
          variant: m.variant,
          received_at: m.receivedAt,
          remote_address: m.remoteAddress,
          reverse_name: m.reverseName,
          reverse_lookup: m.reverseLookup,
          ehlo: m.ehlo,
          mail_from: m.mailFrom,
          starttls: m.starttls ? 1 : 0,
          tls_version: m.tlsVersion,
          cipher_suite: m.cipherSuite,
          tls_group: m.group,
          client_certificate: m.clientCertificate ? JSON.stringify(m.clientCertificate) : null,
          size_bytes: m.sizeBytes,
        })
        .execute();
    },
    async messages(testId) {
      const rows = await db
        .selectFrom("outbound_messages")
        .selectAll()
        .where("test_id", "=", testId)
        .orderBy("received_at")
        .orderBy("id")
        .execute();
      return rows.map(messageOf);
    },
    async testsOf(domain, limit = 20) {
      const rows = await db
        .selectFrom("outbound_tests")
        .selectAll()
        .where("domain", "=", domain.toLowerCase().replace(/\.$/, ""))
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return rows.map(testOf);
    },
    async organisationIdOf(testId) {
      const row = await db
        .selectFrom("outbound_tests")
        .select("organisation_id")
        .where("id", "=", testId)
        .executeTakeFirst();
      return row?.organisation_id ?? null;
    },
  };
}
