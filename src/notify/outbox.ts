/**
 * The outbox: every message mailcharter sends (incident notices, outgoing TLS-RPT reports) is first a
 * committed row, then delivered by the worker (`deliverDue`, src/notify/deliver.ts) with retries and a
 * delivery log — the mail-queue discipline: accept → commit → deliver → log, idempotent by a key.
 *
 * Contract:
 * - `enqueueNotice(db, notice)`: stores a notice (src/notify/notice.ts) once per `notice.dedupKey`.
 *   The worker later addresses it (recipients from the registry and the configuration) and puts one
 *   outbox row per channel and destination.
 * - `enqueueOutgoing(db, message)`: puts one ready message in the outbox, once per `dedupKey`. Used by
 *   TLS-RPT out (RFC 8460 §3): `destination` is the `rua` URI as published (`mailto:tlsrpt@example.org`
 *   or `https://…`), `content` the gzip-compressed JSON report, `contentType` `application/tlsrpt+gzip`.
 *   - `mailto:` → an RFC 8460 §5.3.1 report mail (multipart/report; report-type=tlsrpt, the gzip
 *     attachment, `TLS-Report-Domain` / `TLS-Report-Submitter` headers and the RFC's subject), signed
 *     with DKIM as `dkim` says (required for this content type: RFC 8460 §3 — the key itself comes from
 *     the configuration, never from the database);
 *   - `https:` → a POST of the bytes with that content type (RFC 8460 §5.3.2).
 *   `report` gives the RFC's subject and file-name fields; absent, they are read from the report.
 * Both accept a Kysely transaction, so the message commits with what caused it. Both return `queued`
 * with the new id, or `duplicate` with the id of the row already there (a unique constraint decides,
 * so two processes enqueueing the same key at once store it once).
 */
import type { Kysely } from "kysely";
import { MailcharterError } from "../core/errors.js";
import type { Database } from "../store/database.js";
import { type Notice, type NoticeInput, noticeSchema } from "./notice.js";

export type Channel = "email" | "webhook" | "https";

export interface DkimSelection {
  /** The signing domain (DKIM `d=`), e.g. the signatory's own domain. */
  readonly domain: string;
  /** The selector (DKIM `s=`); the private key is configured for this domain and selector. */
  readonly selector: string;
}

/** RFC 8460 §5.3 fields of a report mail; read from the report itself when absent. */
export interface ReportFields {
  /** The policy domain the report is about (`TLS-Report-Domain`, subject `Report Domain:`). */
  readonly policyDomain: string;
  /** The domain of the reporting organisation (`TLS-Report-Submitter`, subject `Submitter:`). */
  readonly submitter: string;
  readonly reportId: string;
  /** RFC 8460 §5.3: `sender!policy-domain!begin-timestamp!end-timestamp[!unique-id].json.gz`. */
  readonly filename: string;
}

export interface OutgoingMessage {
  readonly channel: "email" | "https";
  /** `mailto:addr` or a bare address for e-mail; an `https://` URL for a POST. */
  readonly destination: string;
  readonly content: Buffer;
  readonly contentType: string;
  readonly dedupKey: string;
  readonly dkim?: DkimSelection;
  readonly report?: ReportFields;
  /** Subject of a plain e-mail (`text/plain` content). */
  readonly subject?: string;
}

export type EnqueueOutcome =
  | { readonly status: "queued"; readonly id: number }
  | { readonly status: "duplicate"; readonly id: number };

const TLSRPT_GZIP = "application/tlsrpt+gzip";

/** Stores a notice once; its messages are addressed and rendered by the worker. */
export async function enqueueNotice(
  db: Kysely<Database>,
  input: NoticeInput | Notice,
  now: Date = new Date(),
): Promise<EnqueueOutcome> {
  const parsed = noticeSchema.safeParse(input);
  if (!parsed.success)
    throw new MailcharterError(
      "internal",
      `invalid notice: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const notice = parsed.data;
  const inserted = await db
    .insertInto("notify_notices")
    .values({
      dedup_key: notice.dedupKey,
      kind: notice.kind,
      incident_id: notice.incidentId,
      organisation_id: notice.organisationId,
      payload: JSON.stringify(notice),
      enqueued_at: now.toISOString(),
      expanded_at: null,
    })
    .onConflict((oc) => oc.column("dedup_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { status: "queued", id: Number(inserted.id) };
  const row = await db
    .selectFrom("notify_notices")
    .select("id")
    .where("dedup_key", "=", notice.dedupKey)
    .executeTakeFirstOrThrow();
  return { status: "duplicate", id: Number(row.id) };
}

/** The destination in the form the outbox keeps: a bare address for e-mail, the URL for https. */
export function normaliseDestination(channel: Channel, destination: string): string {
  const text = destination.trim();
  if (channel === "email") {
    // RFC 8460 §3: rua=mailto:… (a URI; percent-escapes possible, RFC 6068).
    const address = /^mailto:/i.test(text) ? decodeURIComponent(text.slice(7).split("?")[0] ?? "") : text;
    if (!/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(address))
      throw new MailcharterError("usage", `"${destination}" is not an e-mail address or mailto: URI`);
    return address;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MailcharterError("usage", `"${destination}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new MailcharterError("usage", `"${destination}" is not an https URL`);
  return url.href;
}

/** Puts one ready message in the outbox, once per `dedupKey`. */
export async function enqueueOutgoing(
  db: Kysely<Database>,
  message: OutgoingMessage,
  now: Date = new Date(),
): Promise<EnqueueOutcome> {
  if (message.dedupKey.length === 0 || message.dedupKey.length > 300)
    throw new MailcharterError("usage", "an outgoing message needs a de-duplication key of 1–300 characters");
  const destination = normaliseDestination(message.channel, message.destination);
  if (message.channel === "email" && message.contentType === TLSRPT_GZIP && !message.dkim)
    // RFC 8460 §3: "the report MUST be signed using DKIM" when sent by mail.
    throw new MailcharterError(
      "usage",
      "a TLS-RPT report mail needs a DKIM domain and selector (RFC 8460 §3)",
    );
  const meta = {
    dkim: message.dkim ?? null,
    report: message.report ?? null,
    subject: message.subject ?? null,
  };
  const stamp = now.toISOString();
  const inserted = await db
    .insertInto("notify_outbox")
    .values({
      dedup_key: message.dedupKey,
      notice_id: null,
      channel: message.channel,
      destination,
      content: message.content,
      content_type: message.contentType,
      meta: JSON.stringify(meta),
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
  if (inserted) return { status: "queued", id: Number(inserted.id) };
  const row = await db
    .selectFrom("notify_outbox")
    .select("id")
    .where("dedup_key", "=", message.dedupKey)
    .executeTakeFirstOrThrow();
  return { status: "duplicate", id: Number(row.id) };
}
