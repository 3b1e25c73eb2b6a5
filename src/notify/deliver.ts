/**
 * The delivery worker, one plain function: `deliverDue(ctx, now)` addresses the notices not yet
 * addressed, then takes the outbox rows that are due, sends each through its channel and records the
 * attempt. serve calls it on a timer, `monitor run-once` once per cycle, a job runner may wrap it.
 *
 * Queue discipline: a row is claimed by a conditional update (a lease, so two workers never send the
 * same row at once), sent, then its attempt is logged and its state changed in one transaction. A
 * worker killed between the send and the commit leaves the row leased; after the lease it is sent
 * again (at-least-once: webhook receivers de-duplicate by `webhook-id`, which stays the same).
 * Failures are retried with exponential backoff (doubling from the first delay, capped), and given up
 * after the configured number of attempts, or at once when permanent (a 5xx to RCPT, a 4xx from a
 * webhook, a missing key). A test message (`notify test`) is tried once.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { notifyLimits } from "../core/limits.js";
import type { Database } from "../store/database.js";
import { type Attempt, failed } from "./attempt.js";
import type { DkimKey, EmailChannel, NotifyConfig } from "./config.js";
import { type MailToSend, sendMail } from "./email-send.js";
import { type ExpandOutcome, expandNotices } from "./expand.js";
import { type PostRequest, postBytes } from "./http-post.js";
import type { DkimSelection, ReportFields } from "./outbox.js";
import type { Contactable } from "./recipients.js";
import { buildReportMail, reportFieldsOf } from "./tlsrpt-mail.js";
import { signHeaders } from "./webhook-signature.js";

/** The network seam: the real senders by default, scripted ones in unit tests. */
export interface Transports {
  mail(channel: EmailChannel, mail: MailToSend, dkim: DkimKey | null): Promise<Attempt>;
  post(request: PostRequest): Promise<Attempt>;
}

export const liveTransports: Transports = { mail: sendMail, post: postBytes };

export interface DeliveryContext {
  readonly db: Kysely<Database>;
  readonly config: NotifyConfig;
  /** The registry's contacts, read when notices are addressed. */
  readonly registry: () => Promise<readonly Contactable[]>;
  readonly transports?: Transports;
  /** Only these outbox rows (notify test); default: every due row. */
  readonly only?: readonly number[];
}

export interface DeliveryPass {
  readonly addressed: ExpandOutcome;
  readonly attempted: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
  readonly results: readonly {
    readonly id: number;
    readonly channel: string;
    readonly destination: string;
    readonly attempt: Attempt;
  }[];
}

/** Delay before attempt n+1 after n failed ones: first · 2^(n-1), at most max. */
export function backoffMs(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

interface Meta {
  readonly subject?: string | null;
  readonly dkim?: DkimSelection | null;
  readonly report?: ReportFields | null;
  readonly webhook?: string;
  readonly test?: boolean;
}

type Row = Awaited<ReturnType<typeof dueRows>>[number];

async function dueRows(
  db: Kysely<Database>,
  now: Date,
  only: readonly number[] | undefined,
  config: NotifyConfig,
) {
  const stamp = now.toISOString();
  let q = db
    .selectFrom("notify_outbox")
    .selectAll()
    .where("state", "=", "pending")
    .where("next_attempt_at", "<=", stamp)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", stamp)]));
  if (only) q = q.where("id", "in", only.length > 0 ? [...only] : [-1]);
  // Without a relay, e-mails wait (they are not spent in failed attempts) until one is configured.
  if (!config.email) q = q.where("channel", "!=", "email");
  return q.orderBy("next_attempt_at").orderBy("id").limit(notifyLimits.batch).execute();
}

async function claim(db: Kysely<Database>, row: Row, now: Date): Promise<boolean> {
  const stamp = now.toISOString();
  const result = await db
    .updateTable("notify_outbox")
    .set({ lease_until: new Date(now.getTime() + notifyLimits.leaseMs).toISOString() })
    .where("id", "=", row.id)
    .where("state", "=", "pending")
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", stamp)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const webhookId = (dedupKey: string) =>
  `msg_${createHash("sha256").update(dedupKey).digest("hex").slice(0, 32)}`;

function dkimKey(config: NotifyConfig, selection: DkimSelection): DkimKey | null {
  return (
    config.email?.dkim.find(
      (k) => k.domain === selection.domain.toLowerCase() && k.selector === selection.selector,
    ) ?? null
  );
}

/** Sends one row through its channel; never throws. */
export async function sendRow(
  row: Row,
  config: NotifyConfig,
  transports: Transports,
  now: Date,
): Promise<Attempt> {
  const meta = JSON.parse(row.meta) as Meta;
  const content = Buffer.from(row.content);
  const type = row.content_type.split(";")[0]?.trim().toLowerCase();
  if (row.channel === "email") {
    const email = config.email;
    if (!email) return failed("not-configured", "no e-mail relay is configured (email.relay in notify.json)");
    if (type === "application/tlsrpt+gzip") {
      // RFC 8460 §3: a report sent by mail is DKIM-signed.
      const selection = meta.dkim;
      if (!selection) return failed("bad-message", "a TLS-RPT mail without a DKIM domain and selector", true);
      const key = dkimKey(config, selection);
      if (!key)
        return failed(
          "not-configured",
          `no DKIM key for ${selection.selector}._domainkey.${selection.domain} in email.dkim`,
        );
      let report: ReportFields;
      try {
        report = meta.report ?? reportFieldsOf(content, selection.domain);
      } catch (error) {
        return failed("bad-message", `the report cannot be read: ${(error as Error).message}`, true);
      }
      let raw: Buffer;
      try {
        raw = buildReportMail({ from: email.from, to: row.destination, report, gzip: content, date: now });
      } catch (error) {
        return failed("bad-message", (error as Error).message, true);
      }
      return transports.mail(email, { kind: "raw", to: row.destination, raw }, key);
    }
    const signWith = email.signNoticesWith
      ? (email.dkim.find((k) => k.domain === email.signNoticesWith) ?? null)
      : null;
    return transports.mail(
      email,
      {
        kind: "text",
        to: row.destination,
        subject: meta.subject ?? "[mailcharter]",
        text: content.toString("utf8"),
        headers: { "Auto-Submitted": "auto-generated" },
      },
      signWith,
    );
  }
  if (row.channel === "webhook") {
    const hook = config.webhooks.find((w) => w.url === row.destination);
    if (!hook) return failed("not-configured", `no webhook configured for ${row.destination} any more`);
    const headers = signHeaders(hook.secret.reveal(), webhookId(row.dedup_key), now, content);
    return transports.post({
      url: row.destination,
      body: content,
      headers: { "content-type": "application/json", "user-agent": "mailcharter", ...headers },
      allowPrivate: config.allowPrivate,
      ...(hook.ca ? { ca: hook.ca } : {}),
    });
  }
  // RFC 8460 §5.3.2: the report POSTed as application/tlsrpt+gzip (or +json).
  return transports.post({
    url: row.destination,
    body: content,
    headers: { "content-type": row.content_type, "user-agent": "mailcharter" },
    allowPrivate: config.allowPrivate,
  });
}

async function record(
  db: Kysely<Database>,
  row: Row,
  attempt: Attempt,
  config: NotifyConfig,
  now: Date,
  durationMs: number,
) {
  const attempts = row.attempts + 1;
  const meta = JSON.parse(row.meta) as Meta;
  const giveUp =
    !attempt.ok && (attempt.permanent || meta.test === true || attempts >= config.retry.maxAttempts);
  const result = attempt.ok ? "sent" : giveUp ? "failed" : "retry";
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("notify_deliveries")
      .values({
        outbox_id: row.id,
        attempted_at: now.toISOString(),
        channel: row.channel,
        destination: row.destination,
        result,
        error_code: attempt.ok ? null : attempt.code,
        error: attempt.ok ? null : attempt.detail.slice(0, 1000),
        duration_ms: durationMs,
      })
      .execute();
    await trx
      .updateTable("notify_outbox")
      .set({
        attempts,
        lease_until: null,
        state: attempt.ok ? "sent" : giveUp ? "failed" : "pending",
        sent_at: attempt.ok ? now.toISOString() : null,
        last_error: attempt.ok ? null : `${attempt.code}: ${attempt.detail}`.slice(0, 1000),
        next_attempt_at:
          attempt.ok || giveUp
            ? row.next_attempt_at
            : new Date(
                now.getTime() + backoffMs(attempts, config.retry.firstDelayMs, config.retry.maxDelayMs),
              ).toISOString(),
      })
      .where("id", "=", row.id)
      .execute();
  });
  return result;
}

export async function deliverDue(ctx: DeliveryContext, now: Date = new Date()): Promise<DeliveryPass> {
  const addressed = await expandNotices(ctx.db, ctx.config, ctx.registry, now, notifyLimits.batch);
  const transports = ctx.transports ?? liveTransports;
  const rows = await dueRows(ctx.db, now, ctx.only, ctx.config);
  const results: { id: number; channel: string; destination: string; attempt: Attempt }[] = [];
  let sentCount = 0;
  let retrying = 0;
  let failedCount = 0;
  for (const row of rows) {
    if (!(await claim(ctx.db, row, now))) continue;
    const started = performance.now();
    let attempt: Attempt;
    try {
      attempt = await sendRow(row, ctx.config, transports, now);
    } catch (error) {
      attempt = failed("internal", `a bug in mailcharter: ${(error as Error).message}`);
    }
    const result = await record(
      ctx.db,
      row,
      attempt,
      ctx.config,
      now,
      Math.round(performance.now() - started),
    );
    results.push({ id: row.id, channel: row.channel, destination: row.destination, attempt });
    if (result === "sent") sentCount++;
    else if (result === "retry") retrying++;
    else failedCount++;
  }
  return { addressed, attempted: results.length, sent: sentCount, retrying, failed: failedCount, results };
}
