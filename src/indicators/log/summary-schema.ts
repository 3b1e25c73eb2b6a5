/** The `ingest-log --json` document's schema (summary.ts): the source of schema/indicators-log.schema.json. */
import { z } from "zod";

const count = z.number().int().min(0);
const classCounts = z
  .object({ verified: count, trusted: count, untrusted: count, anonymous: count, none: count })
  .strict();

export const logSummarySchema = z
  .object({
    schema: z.literal("mailcharter/indicators-log/1"),
    lines: count,
    unparsed: count,
    tls: z.object({ outbound: classCounts, inbound: classCounts }).strict(),
    deliveries: z.object({ sent: count, deferred: count, bounced: count }).strict(),
  })
  .strict();

export const logSummaryJsonSchema = () => z.toJSONSchema(logSummarySchema, { target: "draft-2020-12" });
