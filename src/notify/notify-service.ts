/**
 * What the doors (serve, `monitor run-once`, `notify test`) share: where the configuration is, the
 * registry's contacts for addressing, the in-process worker of serve, and the test of the channels.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { MailcharterError } from "../core/errors.js";
import { notifyLimits } from "../core/limits.js";
import { Registry } from "../registry/repository.js";
import { defaultDatabasePath, type Store } from "../store/database.js";
import type { Attempt } from "./attempt.js";
import { type NotifyConfig, notifyConfigName, readNotifyConfig } from "./config.js";
import { type DeliveryPass, deliverDue, type Transports } from "./deliver.js";
import { queueAddressed } from "./expand.js";
import { type Notice, noticeSchema } from "./notice.js";
import { enqueueNotice } from "./outbox.js";
import { type Addressed, type Contactable, unknownWebhookOrganisations } from "./recipients.js";

const isPostgres = (db: string) => /^postgres(ql)?:\/\//.test(db);

/** `notify.json` in the data directory: beside the SQLite file, or the default data directory. */
export function defaultNotifyConfigPath(db: string | undefined, dataDir: string | undefined): string {
  const location = db ?? defaultDatabasePath();
  const dir = dataDir ?? (isPostgres(location) ? dirname(defaultDatabasePath()) : dirname(location));
  return join(dir, notifyConfigName);
}

export function registryContacts(registry: Registry): () => Promise<Contactable[]> {
  return async () =>
    (await registry.entries()).map((e) => ({
      id: e.id,
      name: e.signatory.name,
      contact: e.signatory.contact,
      withdrawalEffectiveDate: e.signatory.withdrawalEffectiveDate,
    }));
}

/** serve's worker: `deliverDue` every tick, one pass at a time; `stop()` waits for the pass running. */
export function startNotifyWorker(
  store: Store,
  registry: Registry,
  config: NotifyConfig,
  onError: (error: unknown) => void,
  onPass: (pass: DeliveryPass) => void = () => {},
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const ctx = { db: store.db, config, registry: registryContacts(registry) };
  const tick = () => {
    if (running) return;
    running = deliverDue(ctx)
      .then(onPass, onError)
      .finally(() => {
        running = null;
      });
  };
  // A webhook naming an organisation the registry does not know is told at once, not found later.
  ctx
    .registry()
    .then((contacts) => {
      for (const problem of unknownWebhookOrganisations(config, contacts))
        onError(new MailcharterError("config", problem));
    })
    .catch(onError);
  const timer = setInterval(tick, notifyLimits.tickMs);
  timer.unref();
  setImmediate(tick);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export interface ChannelTest {
  readonly channel: "email" | "webhook";
  readonly destination: string;
  readonly name: string | null;
  readonly attempt: Attempt;
}

export function testNotice(now: Date): Notice {
  return noticeSchema.parse({
    kind: "test",
    dedupKey: `test:${now.toISOString()}:${randomBytes(6).toString("hex")}`,
    audiences: ["agency"],
    summary: {
      fr: "essai des canaux de notification de mailcharter",
      en: "test of mailcharter's notification channels",
    },
    occurredAt: now.toISOString(),
  });
}

/**
 * Sends a test notice through each configured channel now (the e-mail to `to`, else the agency's
 * address), through the outbox like any notice, and says per channel what happened. Tried once.
 */
export async function testChannels(
  store: Store,
  config: NotifyConfig,
  options: { readonly channel?: "email" | "webhook"; readonly to?: string; readonly transports?: Transports },
  now: Date = new Date(),
): Promise<{ readonly results: readonly ChannelTest[]; readonly missing: readonly string[] }> {
  const recipients: Addressed[] = [];
  const missing: string[] = [];
  if (options.channel !== "webhook") {
    const to = options.to ?? config.agencyEmail;
    if (!config.email) missing.push("email: no relay configured (email.relay)");
    else if (!to) missing.push("email: no address (--to, or agency.email in the configuration)");
    else recipients.push({ channel: "email", destination: to, audience: "test" });
  }
  if (options.channel !== "email") {
    if (config.webhooks.length === 0) missing.push("webhook: none configured (webhooks)");
    for (const w of config.webhooks)
      recipients.push({ channel: "webhook", destination: w.url, webhook: w.name });
    if (config.webhooks.some((w) => w.organisations))
      missing.push(
        ...unknownWebhookOrganisations(config, await registryContacts(await Registry.open(store))()),
      );
  }
  if (recipients.length === 0) return { results: [], missing };
  const notice = testNotice(now);
  const noticeId = await store.db.transaction().execute(async (trx) => {
    const { id } = await enqueueNotice(trx, notice, now);
    await queueAddressed(trx, id, notice, recipients, config, now);
    return id;
  });
  const rows = await store.db
    .selectFrom("notify_outbox")
    .select("id")
    .where("notice_id", "=", noticeId)
    .execute();
  const pass = await deliverDue(
    {
      db: store.db,
      config,
      registry: async () => [],
      only: rows.map((r) => r.id),
      ...(options.transports ? { transports: options.transports } : {}),
    },
    now,
  );
  return {
    results: pass.results.map((r) => ({
      channel: r.channel as "email" | "webhook",
      destination: r.destination,
      name: config.webhooks.find((w) => w.url === r.destination)?.name ?? null,
      attempt: r.attempt,
    })),
    missing,
  };
}

/** One delivery pass for `monitor run-once` (after the cycle, so the cycle's notices go out now). */
export async function deliverOnce(store: Store, configPath: string): Promise<DeliveryPass> {
  const config = readNotifyConfig(configPath);
  const registry = await Registry.open(store);
  return deliverDue({ db: store.db, config, registry: registryContacts(registry) });
}
