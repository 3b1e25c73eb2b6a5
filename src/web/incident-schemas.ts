/** The incident shapes of the API (one zod schema each: validation, serialisation, OpenAPI). */
import { z } from "zod";

export const incidentSchema = z
  .object({
    id: z.number().int(),
    domain: z.string(),
    domainId: z.number().int().nullable(),
    organisation: z.string().nullable(),
    subject: z.string(),
    kind: z.string(),
    severity: z.enum(["interruption", "warning"]),
    state: z.enum(["open", "acknowledged", "resolved"]),
    audience: z.enum(["all", "organisation"]),
    endpoint: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    message: z.string(),
    lastGoodAt: z.string().nullable(),
    lastGoodRunId: z.number().int().nullable(),
    firstObservedAt: z.string(),
    firstRunId: z.number().int(),
    openedAt: z.string(),
    confirmRunId: z.number().int(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolveRunId: z.number().int().nullable(),
    lastSeenAt: z.string(),
    reopened: z.number().int(),
    timeToDetectMs: z.number().nullable(),
    timeToRestoreMs: z.number().nullable(),
    thresholds: z.array(z.number().int()).readonly(),
    canAct: z
      .boolean()
      .describe("The viewer may acknowledge and comment (its organisation's, or the agency)"),
  })
  .meta({
    id: "Incident",
    description: "A confirmed interruption, a certificate expiry warning, or lasting 'could not check'",
  });

export const incidentEventSchema = z
  .object({
    id: z.number().int(),
    incidentId: z.number().int(),
    at: z.string(),
    type: z.enum([
      "observed",
      "confirmed",
      "opened",
      "seen_again",
      "could_not_check",
      "threshold",
      "acknowledged",
      "comment",
      "resolved",
      "reopened",
      "notice",
    ]),
    runId: z.number().int().nullable().describe("The audit that proves this step"),
    author: z.string().nullable(),
    text: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: "IncidentEvent" });

export const incidentDetailSchema = z.object({
  incident: incidentSchema,
  timeline: z.array(incidentEventSchema).readonly(),
});
export const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });

export const incidentQuery = z.object({
  state: z.enum(["open", "acknowledged", "resolved", "unresolved"]).optional(),
  domain: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const commentSchema = z.object({ text: z.string().min(1).max(2000) });
