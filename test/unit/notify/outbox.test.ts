/** The outbox contract on SQLite: notices and outgoing messages stored once per key, bad input refused. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NoticeInput } from "../../../src/notify/notice.js";
import { enqueueNotice, enqueueOutgoing, normaliseDestination } from "../../../src/notify/outbox.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { migrate } from "../../../src/store/migrations.js";

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
  await migrate(store.db as never, store.engine);
});
afterEach(() => store.close());

const notice: NoticeInput = {
  kind: "incident-opened",
  dedupKey: "incident:7:opened",
  incidentId: 7,
  organisationId: 1,
  organisation: "Ministère A",
  domain: "a.example",
  audiences: ["organisation", "agency", "signatories"],
  summary: {
    fr: "STARTTLS n'est plus proposé par mx1.a.example",
    en: "mx1.a.example no longer offers STARTTLS",
  },
  links: { incident: "/incidents/7", audit: "/audits/31" },
  occurredAt: "2026-12-01T23:00:00.000Z",
};

describe("enqueueNotice", () => {
  it("stores a notice once per key, inside a transaction too", async () => {
    const first = await enqueueNotice(store.db, notice);
    expect(first.status).toBe("queued");
    const again = await store.db.transaction().execute((trx) => enqueueNotice(trx, notice));
    expect(again).toEqual({ status: "duplicate", id: first.id });
    const rows = await store.db.selectFrom("notify_notices").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.payload ?? "{}").summary.en).toContain("STARTTLS");
    expect(rows[0]?.expanded_at).toBeNull();
  });

  it("refuses a notice without audience or with a link that is not a service path", async () => {
    await expect(enqueueNotice(store.db, { ...notice, audiences: [] })).rejects.toThrow(/audiences/);
    await expect(
      enqueueNotice(store.db, { ...notice, links: { incident: "https://evil.example/" } }),
    ).rejects.toThrow(/links.incident/);
  });
});

describe("enqueueOutgoing", () => {
  const report = {
    channel: "email" as const,
    destination: "mailto:tlsrpt@b.example",
    content: Buffer.from([0x1f, 0x8b, 8, 0]),
    contentType: "application/tlsrpt+gzip",
    dedupKey: "tlsrpt:a.example:b.example:2026-12-01",
    dkim: { domain: "a.example", selector: "s1" },
  };

  it("queues a message once per key and keeps the rua address", async () => {
    const first = await enqueueOutgoing(store.db, report);
    expect(first.status).toBe("queued");
    expect(await enqueueOutgoing(store.db, report)).toEqual({ status: "duplicate", id: first.id });
    const row = await store.db.selectFrom("notify_outbox").selectAll().executeTakeFirstOrThrow();
    expect(row.destination).toBe("tlsrpt@b.example");
    expect(row.state).toBe("pending");
    expect(Buffer.from(row.content).equals(report.content)).toBe(true);
  });

  it("refuses a TLS-RPT mail without DKIM (RFC 8460 §3) and a destination of the wrong kind", async () => {
    const { dkim: _dkim, ...unsigned } = report;
    await expect(enqueueOutgoing(store.db, unsigned)).rejects.toThrow(/DKIM/);
    await expect(enqueueOutgoing(store.db, { ...report, destination: "https://x.example/" })).rejects.toThrow(
      /not an e-mail/,
    );
    await expect(
      enqueueOutgoing(store.db, { ...report, channel: "https", destination: "ftp://x.example/" }),
    ).rejects.toThrow(/https URL/);
  });

  it("reads percent-escapes of a mailto URI (RFC 6068)", () => {
    expect(normaliseDestination("email", "mailto:tls%2Brpt@b.example")).toBe("tls+rpt@b.example");
    expect(normaliseDestination("https", "https://b.example/tlsrpt")).toBe("https://b.example/tlsrpt");
  });
});
