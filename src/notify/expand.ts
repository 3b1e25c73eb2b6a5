/**
 * Addressing a stored notice: its recipients (src/notify/recipients.ts) become outbox rows with the
 * rendered message, in one transaction with marking the notice addressed — so a crash leaves either
 * the notice unaddressed (it is addressed again) or every row there, never half. Each row's key is the
 * notice's key, the channel and the destination: addressing twice queues nothing twice.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/database.js";
import type { NotifyConfig } from "./config.js";
import { type Notice, noticeSchema } from "./notice.js";
import type { Addressed, AddressingProblem, Contactable } from "./recipients.js";
import { addressNotice } from "./recipients.js";
import { renderMail, renderWebhook } from "./render.js";

export interface ExpandOutcome {
  readonly notices: number;
  readonly messages: number;
  readonly problems: readonly { readonly notice: string; readonly problem: AddressingProblem }[];
}

export const hasChannel = (config: NotifyConfig) => config.email !== null || config.webhooks.length > 0;

/** Puts the messages of one notice in the outbox and marks it addressed (inside `trx`). */
export async function queueAddressed(
  trx: Kysely<Database>,
  noticeId: number,
  notice: Notice,
  recipients: readonly Addressed[],
  config: NotifyConfig,
  now: Date,
): Promise<number> {
  let queued = 0;
  const stamp = now.toISOString();
  for (const r of recipients) {
    const rendered =
      r.channel === "email"
        ? (() => {
            const mail = renderMail(notice, r.audience, config.language, config.publicUrl);
            return {
              content: Buffer.from(mail.text, "utf8"),
              contentType: "text/plain; charset=utf-8",
              meta: { subject: mail.subject, audience: r.audience, test: notice.kind === "test" },
            };
          })()
        : {
            content: renderWebhook(notice, config.publicUrl, now),
            contentType: "application/json",
            meta: { webhook: r.webhook, test: notice.kind === "test" },
          };
    const row = await trx
      .insertInto("notify_outbox")
      .values({
        dedup_key: `notice:${notice.dedupKey}|${r.channel}|${r.destination}`,
        notice_id: noticeId,
        channel: r.channel,
        destination: r.destination,
        content: rendered.content,
        content_type: rendered.contentType,
        meta: JSON.stringify(rendered.meta),
        state: "pending",
        attempts: 0,
        next_attempt_at: stamp,
        created_at: stamp,
        sent_at: null,
        last_error: null,
        lease_until: null,
      })
      .onConflict((oc) => oc.column("dedup_key").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (row) queued++;
  }
  await trx
    .updateTable("notify_notices")
    .set({ expanded_at: stamp })
    .where("id", "=", noticeId)
    .where("expanded_at", "is", null)
    .execute();
  return queued;
}

/** Addresses the notices not yet addressed (at most `limit`). Without any channel, they wait. */
export async function expandNotices(
  db: Kysely<Database>,
  config: NotifyConfig,
  registry: () => Promise<readonly Contactable[]>,
  now: Date,
  limit: number,
): Promise<ExpandOutcome> {
  if (!hasChannel(config)) return { notices: 0, messages: 0, problems: [] };
  const pending = await db
    .selectFrom("notify_notices")
    .select(["id", "payload"])
    .where("expanded_at", "is", null)
    .orderBy("id")
    .limit(limit)
    .execute();
  if (pending.length === 0) return { notices: 0, messages: 0, problems: [] };
  const contacts = await registry();
  const today = now.toISOString().slice(0, 10);
  let messages = 0;
  const problems: { notice: string; problem: AddressingProblem }[] = [];
  for (const row of pending) {
    const notice = noticeSchema.parse(JSON.parse(row.payload));
    const addressing = addressNotice(notice, config, contacts, today);
    for (const problem of addressing.problems) problems.push({ notice: notice.dedupKey, problem });
    messages += await db
      .transaction()
      .execute((trx) => queueAddressed(trx, Number(row.id), notice, addressing.recipients, config, now));
  }
  return { notices: pending.length, messages, problems };
}
