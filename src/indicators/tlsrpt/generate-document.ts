/**
 * `mailcharter tlsrpt generate --json`: `mailcharter/tlsrpt-generate/1`, one entry per report built
 * (one per recipient policy domain of the day), with where it was written and where it was queued.
 */
import { z } from "zod";

export const generateEntrySchema = z.strictObject({
  policyDomain: z.string(),
  reportId: z.string(),
  /** RFC 8460 §5.3 file name; `path` when written with --out. */
  file: z.string(),
  path: z.string().nullable(),
  policies: z.number().int().min(0),
  successful: z.number().int().min(0),
  failed: z.number().int().min(0),
  /** The domain's rua URIs (RFC 8460 §3), or why there are none. */
  rua: z.array(z.string()),
  ruaError: z.string().nullable(),
  /** One per rua URI: queued in the outbox, or already there (the same report is never queued twice). */
  enqueued: z.array(
    z.strictObject({
      destination: z.string(),
      status: z.enum(["queued", "duplicate", "error"]),
      error: z.string().nullable(),
    }),
  ),
});

export const generateDocumentSchema = z.strictObject({
  schema: z.literal("mailcharter/tlsrpt-generate/1"),
  organization: z.string(),
  day: z.string(),
  sessions: z.number().int().min(0),
  reports: z.array(generateEntrySchema),
  /**
   * What could not be looked up (an MTA-STS policy not fetched, TLSA records not validated…): the
   * reports leave that `policy-string` out rather than invent it.
   */
  warnings: z.array(z.string()),
});

export type GenerateDocument = z.infer<typeof generateDocumentSchema>;
export type GenerateEntry = z.infer<typeof generateEntrySchema>;

export function generateJsonSchema(): unknown {
  return z.toJSONSchema(generateDocumentSchema, { target: "draft-2020-12" });
}
