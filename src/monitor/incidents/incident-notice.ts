/**
 * What the incidents hand to the notifications (src/notify): one notice per incident opened,
 * reopened, acknowledged (by an operator or the agency), resolved, or per certificate expiry threshold
 * crossed. Interruptions between MTAs go to every signatory (Charte art. 4.6); the rest to the
 * organisation concerned and the agency.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/database.js";
import type { Audience, Incident } from "./incident.js";

export type NoticeEvent = "opened" | "reopened" | "acknowledged" | "resolved" | "warning";

export interface IncidentNotice {
  readonly event: NoticeEvent;
  /** De-duplication key: the same notice is never sent twice. */
  readonly key: string;
  readonly audience: Audience;
  readonly incident: Incident;
  /** For warnings: the threshold crossed (days). */
  readonly thresholdDays?: number;
}

/**
 * The seam to the notification outbox: queues the notice (delivery and retries are the outbox's).
 * `db` is the transaction that records the incident's change: the notice commits with it or not at all.
 */
export type NoticeSink = (notice: IncidentNotice, db: Kysely<Database>) => Promise<void>;
