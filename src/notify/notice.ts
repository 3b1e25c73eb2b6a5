/**
 * A notice: what one party of the charter is told about an incident or a certificate, before it is
 * addressed to anyone. Charte art. 4.6: the agency and the other signatories are told without delay of
 * an interruption; art. 4.3: incident information is exchanged between the parties of a link.
 *
 * Contract for callers (src/monitor/incidents, …):
 *   await enqueueNotice(db, notice)          // src/notify/outbox.ts
 * `db` may be a Kysely transaction, so a notice is committed with the incident it tells of, or not at
 * all. The call stores the notice once per `dedupKey` (a unique constraint: the same key enqueued twice,
 * even from two processes, is sent once) and returns at once; recipients are chosen and messages
 * rendered later by the delivery worker (`deliverDue`, src/notify/deliver.ts) from the registry and the
 * channel configuration, so enqueueing needs neither.
 *
 * Texts: the caller gives a one-line `summary` in French and English (it knows what it detected); the
 * subject, body, links and the art. 4.6 wording come from one catalogue (src/notify/texts.ts).
 */
import { z } from "zod";

/** What happened. `test` is `mailcharter notify test`. */
export const noticeKinds = [
  "incident-opened",
  "incident-acknowledged",
  "incident-resolved",
  "certificate-expiring",
  "test",
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/**
 * Who is told. `organisation`: the contacts of the organisation concerned; `agency`: the agency's
 * address; `signatories`: the contacts of every signatory (Charte art. 4.6). Which audiences a kind
 * actually reaches is also filtered by the configuration (src/notify/config.ts, `audiences`).
 */
export const audiences = ["organisation", "agency", "signatories"] as const;
export type Audience = (typeof audiences)[number];

const bilingual = z.object({ fr: z.string().min(1).max(500), en: z.string().min(1).max(500) });
export type Bilingual = z.infer<typeof bilingual>;

/** A path on the service (`/incidents/12`), made absolute with the configured public URL. */
const servicePath = z.string().regex(/^\/[^\s]*$/, "a path on the service, starting with /");

export const noticeSchema = z.object({
  kind: z.enum(noticeKinds),
  /** Unique per thing told: e.g. `incident:12:opened`, `cert:mx.example.org:14`. Never reused for news. */
  dedupKey: z.string().min(1).max(300),
  incidentId: z.number().int().positive().nullable().default(null),
  /** The registry id of the organisation concerned (null for a test notice). */
  organisationId: z.number().int().positive().nullable().default(null),
  /** Its name, as shown in texts (kept so the notice reads right after a renaming). */
  organisation: z.string().max(200).nullable().default(null),
  domain: z.string().max(253).nullable().default(null),
  audiences: z.array(z.enum(audiences)).min(1),
  /** One line saying what was seen, in both languages ("STARTTLS n'est plus proposé par mx1…"). */
  summary: bilingual,
  /** Extra lines for the body (observations, durations), in both languages, in order. */
  details: z.array(bilingual).max(20).default([]),
  /** Links to the pages that prove it. */
  links: z.object({ incident: servicePath.optional(), audit: servicePath.optional() }).default({}),
  /** When it happened (ISO 8601, UTC). */
  occurredAt: z.iso.datetime(),
});

export type Notice = z.output<typeof noticeSchema>;
export type NoticeInput = z.input<typeof noticeSchema>;
