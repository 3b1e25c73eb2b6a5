/** The delivery worker on SQLite with scripted transports: addressing, de-duplication, backoff, giving up. */
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Attempt, failed, sent } from "../../../src/notify/attempt.js";
import { emptyNotifyConfig, type NotifyConfig, Secret } from "../../../src/notify/config.js";
import { backoffMs, deliverDue, type Transports } from "../../../src/notify/deliver.js";
import type { MailToSend } from "../../../src/notify/email-send.js";
import type { PostRequest } from "../../../src/notify/http-post.js";
import type { NoticeInput } from "../../../src/notify/notice.js";
import { enqueueNotice, enqueueOutgoing } from "../../../src/notify/outbox.js";
import type { Contactable } from "../../../src/notify/recipients.js";
import { verifySignature } from "../../../src/notify/webhook-signature.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { migrate } from "../../../src/store/migrations.js";

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
  await migrate(store.db as never, store.engine);
});
afterEach(() => store.close());

const secret = Buffer.from("s3cret-s3cret");
const config: NotifyConfig = {
  ...emptyNotifyConfig,
  publicUrl: "https://mc.example/",
  agencyEmail: "cert@agency.example",
  email: {
    host: "relay.example",
    port: 587,
    implicitTls: false,
    ca: null,
    servername: null,
    user: null,
    password: null,
    heloName: null,
    from: "mailcharter <noreply@agency.example>",
    dkim: [{ domain: "a.example", selector: "s1", privateKey: new Secret(Buffer.from("pem")) }],
    signNoticesWith: null,
  },
  webhooks: [
    { name: "siem", url: "https://hooks.example/in", secret: new Secret(secret), kinds: ["incident-opened"] },
  ],
  retry: { maxAttempts: 3, firstDelayMs: 60_000, maxDelayMs: 150_000 },
};

const registry: Contactable[] = [
  { id: 1, name: "Ministère A", contact: "noc@a.example", withdrawalEffectiveDate: null },
  { id: 2, name: "Opérateur B", contact: "noc@b.example", withdrawalEffectiveDate: null },
  { id: 3, name: "Parti C", contact: "noc@c.example", withdrawalEffectiveDate: "2026-01-01" },
];

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
  links: { incident: "/incidents/7" },
  occurredAt: "2026-12-01T23:00:00.000Z",
};

function scripted(answers: { mail?: Attempt[]; post?: Attempt[] }) {
  const mails: { to: string; mail: MailToSend; dkim: string | null }[] = [];
  const posts: PostRequest[] = [];
  const transports: Transports = {
    mail: async (_c, mail, dkim) => {
      mails.push({ to: mail.to, mail, dkim: dkim ? `${dkim.selector}._domainkey.${dkim.domain}` : null });
      return answers.mail?.shift() ?? sent("250 ok");
    },
    post: async (request) => {
      posts.push(request);
      return answers.post?.shift() ?? sent("HTTP 200");
    },
  };
  return { transports, mails, posts };
}

const at = (iso: string) => new Date(iso);
/** Every message is enqueued before the passes below (fixed, so the test does not depend on the clock). */
const enqueuedAt = at("2026-12-01T22:59:00Z");

describe("deliverDue", () => {
  it("addresses a notice to the organisation, the agency, every signatory in force and the webhook, once", async () => {
    await enqueueNotice(store.db, notice, enqueuedAt);
    await enqueueNotice(store.db, notice, enqueuedAt);
    const s = scripted({});
    const ctx = { db: store.db, config, registry: async () => registry, transports: s.transports };
    const pass = await deliverDue(ctx, at("2026-12-01T23:01:00Z"));
    expect(pass.addressed).toMatchObject({ notices: 1, messages: 4 });
    expect(s.mails.map((m) => m.to).sort()).toEqual([
      "cert@agency.example",
      "noc@a.example",
      "noc@b.example",
    ]);
    const own = s.mails.find((m) => m.to === "noc@a.example")?.mail;
    expect(own?.kind === "text" && own.text).toContain("contact de Ministère A");
    expect(own?.kind === "text" && own.text).toContain("https://mc.example/incidents/7");
    const other = s.mails.find((m) => m.to === "noc@b.example")?.mail;
    expect(other?.kind === "text" && other.text).toContain("art. 4.6");
    expect(s.posts).toHaveLength(1);
    const post = s.posts[0] as PostRequest;
    expect(verifySignature(secret, post.headers, post.body, at("2026-12-01T23:01:10Z"))).toBe("valid");
    expect(verifySignature(Buffer.from("other"), post.headers, post.body, at("2026-12-01T23:01:10Z"))).toBe(
      "bad-signature",
    );
    // Nothing is sent twice: a second pass finds nothing due.
    const again = await deliverDue(ctx, at("2026-12-01T23:30:00Z"));
    expect(again.attempted).toBe(0);
    expect(s.mails).toHaveLength(3);
  });

  it("retries with doubling delays up to the cap, then gives up after the configured attempts", async () => {
    await enqueueNotice(store.db, { ...notice, audiences: ["agency"] }, enqueuedAt);
    const down = failed("connect", "relay down");
    const s = scripted({
      mail: [down, down, down, down],
      post: [failed("http-status", "HTTP 500"), sent("HTTP 200")],
    });
    const ctx = { db: store.db, config, registry: async () => registry, transports: s.transports };
    const t0 = at("2026-12-01T23:00:00Z");
    expect((await deliverDue(ctx, t0)).retrying).toBe(2);
    // Not due before the first delay (60 s).
    expect((await deliverDue(ctx, at("2026-12-01T23:00:59Z"))).attempted).toBe(0);
    const second = await deliverDue(ctx, at("2026-12-01T23:01:00Z"));
    expect(second).toMatchObject({ attempted: 2, sent: 1, retrying: 1 });
    // Second delay 120 s, then the third attempt is the last (maxAttempts 3).
    expect((await deliverDue(ctx, at("2026-12-01T23:02:59Z"))).attempted).toBe(0);
    expect((await deliverDue(ctx, at("2026-12-01T23:03:00Z"))).failed).toBe(1);
    expect((await deliverDue(ctx, at("2026-12-02T23:00:00Z"))).attempted).toBe(0);
    const log = await store.db.selectFrom("notify_deliveries").selectAll().orderBy("id").execute();
    expect(log.map((l) => `${l.channel}:${l.result}:${l.error_code ?? ""}`)).toEqual([
      "email:retry:connect",
      "webhook:retry:http-status",
      "email:retry:connect",
      "webhook:sent:",
      "email:failed:connect",
    ]);
    expect(backoffMs(5, 60_000, 150_000)).toBe(150_000);
  });

  it("gives up at once on a permanent failure", async () => {
    await enqueueNotice(store.db, { ...notice, audiences: ["agency"] }, enqueuedAt);
    const s = scripted({ mail: [failed("smtp-rejected", "550 no such user", true)] });
    const pass = await deliverDue(
      {
        db: store.db,
        config: { ...config, webhooks: [] },
        registry: async () => registry,
        transports: s.transports,
      },
      at("2026-12-01T23:00:00Z"),
    );
    expect(pass.failed).toBe(1);
    const row = await store.db.selectFrom("notify_outbox").selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe("failed");
    expect(row.last_error).toContain("550");
  });

  it("leaves notices waiting while no channel is configured", async () => {
    await enqueueNotice(store.db, notice, enqueuedAt);
    const pass = await deliverDue({
      db: store.db,
      config: emptyNotifyConfig,
      registry: async () => registry,
    });
    expect(pass.addressed.notices).toBe(0);
    const row = await store.db.selectFrom("notify_notices").selectAll().executeTakeFirstOrThrow();
    expect(row.expanded_at).toBeNull();
  });

  it("sends a TLS-RPT report as a DKIM-signed report mail, and refuses when the key is missing", async () => {
    const report = {
      "organization-name": "Ministère A",
      "date-range": { "start-datetime": "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z" },
      "contact-info": "tlsrpt@a.example",
      "report-id": "2026-12-01_b.example@a.example",
      policies: [{ policy: { "policy-type": "sts", "policy-domain": "b.example" } }],
    };
    const gzip = gzipSync(JSON.stringify(report));
    await enqueueOutgoing(
      store.db,
      {
        channel: "email",
        destination: "mailto:tlsrpt@b.example",
        content: gzip,
        contentType: "application/tlsrpt+gzip",
        dedupKey: "tlsrpt:1",
        dkim: { domain: "a.example", selector: "s1" },
      },
      enqueuedAt,
    );
    await enqueueOutgoing(
      store.db,
      {
        channel: "email",
        destination: "tlsrpt@c.example",
        content: gzip,
        contentType: "application/tlsrpt+gzip",
        dedupKey: "tlsrpt:2",
        dkim: { domain: "a.example", selector: "nokey" },
      },
      enqueuedAt,
    );
    await enqueueOutgoing(
      store.db,
      {
        channel: "https",
        destination: "https://b.example/tlsrpt",
        content: gzip,
        contentType: "application/tlsrpt+gzip",
        dedupKey: "tlsrpt:3",
      },
      enqueuedAt,
    );
    const s = scripted({});
    const pass = await deliverDue(
      { db: store.db, config, registry: async () => registry, transports: s.transports },
      at("2026-12-02T01:00:00Z"),
    );
    expect(pass).toMatchObject({ attempted: 3, sent: 2, retrying: 1 });
    expect(s.mails).toHaveLength(1);
    expect(s.mails[0]?.dkim).toBe("s1._domainkey.a.example");
    const raw = s.mails[0]?.mail.kind === "raw" ? s.mails[0].mail.raw.toString("ascii") : "";
    expect(raw).toContain('Content-Type: multipart/report; report-type="tlsrpt"');
    expect(raw).toContain("Subject: Report Domain: b.example Submitter: a.example Report-ID:");
    expect(raw).toContain("TLS-Report-Domain: b.example");
    expect(raw).toContain('filename="a.example!b.example!1796083200!1796169599.json.gz"');
    expect(s.posts[0]?.headers["content-type"]).toBe("application/tlsrpt+gzip");
    expect(s.posts[0]?.body.equals(gzip)).toBe(true);
    const missing = pass.results.find((r) => !r.attempt.ok)?.attempt;
    expect(missing?.ok === false && missing.code).toBe("not-configured");
  });
});
