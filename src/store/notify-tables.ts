/**
 * Tables of the outgoing messages (migration `2026-12-06-notify`): notices as enqueued, the outbox of
 * messages to deliver (one row per channel and destination, each unique by its de-duplication key),
 * and the delivery log (one row per attempt). Dates are ISO strings (UTC); JSON is text; message bytes
 * are a BLOB (SQLite) or BYTEA (PostgreSQL). Only src/notify reads and writes them.
 */
import type { Generated } from "kysely";

export interface NotifyNoticeTable {
  id: Generated<number>;
  /** Unique: a notice enqueued twice is one notice. */
  dedup_key: string;
  kind: string;
  incident_id: number | null;
  organisation_id: number | null;
  /** The whole notice (src/notify/notice.ts), JSON text. */
  payload: string;
  enqueued_at: string;
  /** When its messages were put in the outbox (null: not yet addressed). */
  expanded_at: string | null;
}

export type OutboxState = "pending" | "sent" | "failed";

export interface NotifyOutboxTable {
  id: Generated<number>;
  /** Unique: the same message is never queued twice. */
  dedup_key: string;
  notice_id: number | null;
  channel: "email" | "webhook" | "https";
  /** An e-mail address, or an https URL. */
  destination: string;
  content: Buffer;
  content_type: string;
  /** Channel details (subject, DKIM domain and selector, report fields), JSON text. */
  meta: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  sent_at: string | null;
  last_error: string | null;
  /** Who is delivering it and until when (a lease, so two workers never send it at once). */
  lease_until: string | null;
}

export interface NotifyDeliveryTable {
  id: Generated<number>;
  outbox_id: number;
  attempted_at: string;
  channel: string;
  destination: string;
  /** `sent`, `retry` (will be tried again) or `failed` (given up). */
  result: "sent" | "retry" | "failed";
  /** A stable code (src/notify/delivery-outcome.ts) and the detail, or null when sent. */
  error_code: string | null;
  error: string | null;
  duration_ms: number;
}

export interface NotifyTables {
  notify_notices: NotifyNoticeTable;
  notify_outbox: NotifyOutboxTable;
  notify_deliveries: NotifyDeliveryTable;
}
