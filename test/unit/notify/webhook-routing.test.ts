/**
 * Per-organisation webhooks: a webhook with `organisations` gets only the notices about those
 * organisations and the ones addressed to every signatory (Charte art. 4.6, while one of them is in
 * force); the service's webhooks get everything of their kinds. Configuration: names, URLs, the CA
 * file. The webhook-id of a message is the same at every attempt (receivers de-duplicate by it).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { failed, sent } from "../../../src/notify/attempt.js";
import {
  emptyNotifyConfig,
  loadNotifyConfig,
  type NotifyConfig,
  Secret,
} from "../../../src/notify/config.js";
import { deliverDue } from "../../../src/notify/deliver.js";
import type { PostRequest } from "../../../src/notify/http-post.js";
import { type NoticeInput, noticeSchema } from "../../../src/notify/notice.js";
import { testChannels } from "../../../src/notify/notify-service.js";
import { enqueueNotice } from "../../../src/notify/outbox.js";
import {
  addressNotice,
  type Contactable,
  unknownWebhookOrganisations,
} from "../../../src/notify/recipients.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore } from "../../../src/store/database.js";
import { migrate } from "../../../src/store/migrations.js";
import { alphaInput } from "../../support/registry-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-webhook-routing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "secret"), "s3cret", { mode: 0o600 });
chmodSync(join(dir, "secret"), 0o600);

const registry: Contactable[] = [
  { id: 1, name: "Ministère A", contact: "noc@a.example", withdrawalEffectiveDate: null },
  { id: 2, name: "Opérateur B", contact: "noc@b.example", withdrawalEffectiveDate: null },
  { id: 3, name: "Parti C", contact: "noc@c.example", withdrawalEffectiveDate: "2026-01-01" },
];

const hook = (
  name: string,
  organisations: string[] | null,
  kinds?: NotifyConfig["webhooks"][0]["kinds"],
) => ({
  name,
  url: `https://${name}.example/in`,
  secret: new Secret(Buffer.from("s3cret")),
  kinds: kinds ?? ["incident-opened", "incident-acknowledged", "incident-resolved", "certificate-expiring"],
  organisations,
});

const config: NotifyConfig = {
  ...emptyNotifyConfig,
  webhooks: [
    hook("agency-siem", null),
    hook("a-soc", ["ministère a"]),
    hook("b-soc", ["Opérateur B"]),
    hook("c-soc", ["Parti C"]),
    hook("a-and-b", ["Ministère A", "Opérateur B"], ["incident-resolved"]),
  ],
};

const notice = (extra: Partial<NoticeInput>) =>
  noticeSchema.parse({
    kind: "incident-opened",
    dedupKey: "incident:7:opened:0",
    incidentId: 7,
    organisationId: 2,
    organisation: "Opérateur B",
    domain: "b.example",
    audiences: ["organisation", "agency"],
    summary: { fr: "le certificat expire bientôt", en: "the certificate expires soon" },
    occurredAt: "2026-12-01T10:00:00.000Z",
    ...extra,
  });

const hooksOf = (n: ReturnType<typeof notice>, c: NotifyConfig = config) =>
  addressNotice(n, c, registry, "2026-12-02").recipients.flatMap((r) =>
    r.channel === "webhook" ? [r.webhook] : [],
  );

describe("which webhooks receive a notice", () => {
  it("an organisation's private notice: the service's webhook and that organisation's, no other", () => {
    expect(hooksOf(notice({}))).toEqual(["agency-siem", "b-soc"]);
    expect(hooksOf(notice({ kind: "incident-resolved" }))).toEqual(["agency-siem", "b-soc", "a-and-b"]);
  });

  it("a notice to every signatory (art. 4.6): every organisation in force, not a withdrawn one", () => {
    const all = notice({ audiences: ["organisation", "agency", "signatories"] });
    expect(hooksOf(all)).toEqual(["agency-siem", "a-soc", "b-soc"]);
  });

  it("the configuration's audiences decide: signatories filtered out of a kind is no longer art. 4.6's", () => {
    const all = notice({
      kind: "incident-acknowledged",
      audiences: ["organisation", "agency", "signatories"],
    });
    const limited = {
      ...config,
      audiences: { "incident-acknowledged": ["organisation" as const, "agency" as const] },
    };
    expect(hooksOf(all, limited)).toEqual(["agency-siem", "b-soc"]);
  });

  it("by name when the notice has no registry id (a renamed or removed organisation), case-insensitive", () => {
    expect(hooksOf(notice({ organisationId: null, organisation: "MINISTÈRE A" }))).toEqual([
      "agency-siem",
      "a-soc",
    ]);
    expect(hooksOf(notice({ organisationId: null, organisation: null }))).toEqual(["agency-siem"]);
  });

  it("a webhook naming an organisation the registry does not have gets nothing of it, and it is said", () => {
    const typo = { ...config, webhooks: [hook("typo", ["Ministere A"])] };
    const addressing = addressNotice(notice({ organisationId: 1 }), typo, registry, "2026-12-02");
    expect(addressing.recipients).toEqual([]);
    expect(addressing.problems).toContain("webhook-organisation-unknown");
  });
});

describe("a webhook naming an organisation the registry does not have", () => {
  it("is said (serve's worker at start, notify test), by webhook and name", () => {
    const typo = { webhooks: [hook("typo", ["Ministere A", "Opérateur B"]), hook("siem", null)] };
    expect(unknownWebhookOrganisations(typo, registry)).toEqual([
      'webhook typo: organisation "Ministere A" is not in the registry (by its registry name): it is sent nothing about it',
    ]);
    expect(unknownWebhookOrganisations(config, registry)).toEqual([]);
  });

  it("notify test lists it with what it could not test, and still tests the webhook", async () => {
    const store = await openStore(":memory:");
    await migrate(store.db as never, store.engine);
    try {
      await (await Registry.open(store)).add(alphaInput);
      const posts: PostRequest[] = [];
      const c: NotifyConfig = {
        ...emptyNotifyConfig,
        webhooks: [hook("alpha-soc", ["alpha mail"]), hook("bravo-soc", ["Bravo"])],
      };
      const outcome = await testChannels(store, c, {
        channel: "webhook",
        transports: {
          mail: async () => sent("250"),
          post: async (r) => {
            posts.push(r);
            return sent("HTTP 204");
          },
        },
      });
      expect(outcome.results.map((r) => [r.name, r.attempt.ok])).toEqual([
        ["alpha-soc", true],
        ["bravo-soc", true],
      ]);
      expect(outcome.missing).toEqual([
        'webhook bravo-soc: organisation "Bravo" is not in the registry (by its registry name): it is sent nothing about it',
      ]);
      expect(posts).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});

describe("webhook configuration", () => {
  const load = (webhooks: unknown[]) => loadNotifyConfig(JSON.stringify({ webhooks }), "notify.json", dir);

  it("reads organisations and a CA file", () => {
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const [w] = load([
      {
        name: "a-soc",
        url: "https://soc.a.example/in",
        secretFile: "secret",
        organisations: [" Ministère A ", "Ministère A"],
        caFile: "ca.pem",
      },
    ]).webhooks;
    expect(w?.organisations).toEqual(["Ministère A"]);
    expect(w?.ca).toContain("BEGIN CERTIFICATE");
    expect(
      load([{ name: "siem", url: "https://siem.example/in", secretFile: "secret" }]).webhooks[0],
    ).toMatchObject({
      organisations: null,
      ca: null,
    });
  });

  it("refuses an empty organisations list, a CA file without a certificate, and two entries for one name or URL", () => {
    const base = { url: "https://h.example/in", secretFile: "secret" };
    expect(() => load([{ name: "w", ...base, organisations: [] }])).toThrow(/webhooks\.0\.organisations/);
    writeFileSync(join(dir, "not-ca.pem"), "hello");
    expect(() => load([{ name: "w", ...base, caFile: "not-ca.pem" }])).toThrow(
      /caFile of webhook w .*not-ca\.pem holds no PEM certificate/,
    );
    expect(() => load([{ name: "w", ...base, caFile: "missing.pem" }])).toThrow(/caFile of webhook w/);
    expect(() =>
      load([
        { name: "w", ...base },
        { name: "w", url: "https://other.example/", secretFile: "secret" },
      ]),
    ).toThrow(/two webhooks are named w/);
    expect(() =>
      load([
        { name: "a", ...base, organisations: ["Ministère A"] },
        { name: "b", ...base, organisations: ["Opérateur B"] },
      ]),
    ).toThrow(/webhook b: https:\/\/h\.example\/in is already another webhook's/);
  });
});

describe("unknown keys in notify.json", () => {
  const load = (doc: unknown) => loadNotifyConfig(JSON.stringify(doc), "notify.json", dir);
  const hook = { name: "a-soc", url: "https://soc.a.example/in", secretFile: "secret" };

  it("are refused with their path, at every level, never dropped", () => {
    // A misspelt "organisations" would make an organisation's receiver the agency's (every notice).
    expect(() => load({ webhooks: [{ ...hook, organizations: ["Ministère A"] }] })).toThrow(
      /webhooks\.0: Unrecognized key: "organizations"/,
    );
    // allowPrivate is the document's, not a webhook's: said, not silently ignored.
    expect(() => load({ webhooks: [{ ...hook, allowPrivate: true }] })).toThrow(
      /webhooks\.0: .*"allowPrivate"/,
    );
    expect(() =>
      load({ email: { relay: { host: "relay.example", implicitTLS: true }, from: "a <a@b.example>" } }),
    ).toThrow(/email\.relay: .*"implicitTLS"/);
    expect(() =>
      load({ email: { relay: { host: "relay.example" }, from: "a@b.example", dkim: [], sign: 1 } }),
    ).toThrow(/email: .*"sign"/);
    expect(() => load({ agency: { email: "cert@agency.example", mail: "x" } })).toThrow(/agency: .*"mail"/);
    expect(() => load({ retry: { maxAttempt: 3 } })).toThrow(/retry: .*"maxAttempt"/);
    expect(() => load({ metrics: { token: "abc" } })).toThrow(/metrics: /);
    expect(load({ allowPrivate: true, webhooks: [hook] }).allowPrivate).toBe(true);
  });
});

describe("at-least-once delivery", () => {
  it("a retried message carries the same webhook-id; two notices, two ids; the CA goes with the POST", async () => {
    const store = await openStore(":memory:");
    await migrate(store.db as never, store.engine);
    try {
      const posts: PostRequest[] = [];
      const answers = [failed("http-status", "HTTP 503"), sent("HTTP 200"), sent("HTTP 200")];
      const c: NotifyConfig = {
        ...emptyNotifyConfig,
        webhooks: [{ ...hook("b-soc", ["Opérateur B"]), ca: "-----BEGIN CERTIFICATE-----" }],
        retry: { maxAttempts: 3, firstDelayMs: 1_000, maxDelayMs: 1_000 },
      };
      const transports = {
        mail: async () => sent("250"),
        post: async (r: PostRequest) => {
          posts.push(r);
          return answers.shift() ?? sent("HTTP 200");
        },
      };
      await enqueueNotice(store.db, notice({}));
      const ctx = { db: store.db, config: c, registry: async () => registry, transports };
      const t = Date.parse("2026-12-02T10:00:00.000Z");
      expect(await deliverDue(ctx, new Date(t))).toMatchObject({ attempted: 1, retrying: 1 });
      expect(await deliverDue(ctx, new Date(t + 1_500))).toMatchObject({ attempted: 1, sent: 1 });
      await enqueueNotice(store.db, notice({ kind: "incident-resolved", dedupKey: "incident:7:resolved:0" }));
      expect(await deliverDue(ctx, new Date(t + 3_000))).toMatchObject({ attempted: 1, sent: 1 });
      const ids = posts.map((p) => p.headers["webhook-id"]);
      expect(ids[0]).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(ids[1]).toBe(ids[0]);
      expect(ids[2]).not.toBe(ids[0]);
      // A new signature at each attempt (its timestamp), over the same id.
      expect(posts[1]?.headers["webhook-timestamp"]).not.toBe(posts[0]?.headers["webhook-timestamp"]);
      expect(posts.every((p) => p.ca === "-----BEGIN CERTIFICATE-----")).toBe(true);
    } finally {
      await store.close();
    }
  });
});
