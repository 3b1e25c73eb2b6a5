/**
 * The delivery log as the agency reads it (page and API): each attempt with its time, channel,
 * destination, result and error, newest first, with the message's state and what it was about.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/database.js";

export interface DeliveryEntry {
  readonly id: number;
  readonly attemptedAt: string;
  readonly channel: string;
  readonly destination: string;
  readonly result: "sent" | "retry" | "failed";
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly messageId: number;
  readonly messageState: "pending" | "sent" | "failed";
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  /** The notice's kind, or the content type of a ready message (a TLS-RPT report). */
  readonly about: string;
  readonly incidentId: number | null;
}

export async function listDeliveries(
  db: Kysely<Database>,
  page: { readonly limit: number; readonly offset: number },
): Promise<DeliveryEntry[]> {
  const rows = await db
    .selectFrom("notify_deliveries as d")
    .innerJoin("notify_outbox as o", "o.id", "d.outbox_id")
    .leftJoin("notify_notices as n", "n.id", "o.notice_id")
    .select([
      "d.id",
      "d.attempted_at",
      "d.channel",
      "d.destination",
      "d.result",
      "d.error_code",
      "d.error",
      "d.duration_ms",
      "o.id as message_id",
      "o.state",
      "o.attempts",
      "o.next_attempt_at",
      "o.content_type",
      "n.kind",
      "n.incident_id",
    ])
    .orderBy("d.id", "desc")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    attemptedAt: r.attempted_at,
    channel: r.channel,
    destination: r.destination,
    result: r.result,
    errorCode: r.error_code,
    error: r.error,
    durationMs: Number(r.duration_ms),
    messageId: Number(r.message_id),
    messageState: r.state,
    attempts: Number(r.attempts),
    nextAttemptAt: r.state === "pending" ? r.next_attempt_at : null,
    about: r.kind ?? r.content_type.split(";")[0] ?? r.content_type,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
  }));
}
