/**
 * `mailcharter indicators schedule --json`: `mailcharter/indicators-schedule/1`, where the service's
 * indicator schedule stands (src/jobs/indicator-tasks.ts): each report mailbox's fetch and each
 * organisation-day's TLS-RPT generation, with its state, next due time, failures in a row, last error
 * and what its last run did.
 */
import { z } from "zod";

export const scheduleTaskSchema = z.strictObject({
  key: z.string(),
  kind: z.enum(["fetch-mailbox", "generate-tlsrpt"]),
  /** The mailbox's name (fetch-mailbox), else null. */
  mailbox: z.string().nullable(),
  /** The organisation's name and the UTC day (generate-tlsrpt), else null. */
  organisation: z.string().nullable(),
  day: z.string().nullable(),
  /** due: runs at nextDueAt; done: generated (never again); failed: given up after its attempts. */
  status: z.enum(["due", "done", "failed"]),
  nextDueAt: z.string(),
  attempts: z.number().int().min(0),
  lastError: z.string().nullable(),
  /** What the last successful run did (reports stored, sessions and reports queued…). */
  detail: z.unknown(),
  updatedAt: z.string(),
  /**
   * The latest time an operator put the task back to due after it was given up (`indicators schedule
   * --retry`): when, by whom, and the attempts and last error it had then; null if never.
   */
  lastRetry: z
    .strictObject({
      at: z.string(),
      by: z.string(),
      attempts: z.number().int().min(0),
      lastError: z.string().nullable(),
    })
    .nullable(),
});

export const scheduleDocumentSchema = z.strictObject({
  schema: z.literal("mailcharter/indicators-schedule/1"),
  tasks: z.array(scheduleTaskSchema),
});

export type ScheduleDocument = z.infer<typeof scheduleDocumentSchema>;
export type ScheduleTask = z.infer<typeof scheduleTaskSchema>;

export function scheduleJsonSchema(): unknown {
  return z.toJSONSchema(scheduleDocumentSchema, { target: "draft-2020-12" });
}
