/**
 * The TLS-RPT report as we send it (RFC 8460 §4.4), the source of
 * `schema/tlsrpt-sent-report.schema.json`. The normalised form (report-schema.ts) keeps every field,
 * null or an empty list where a sender left it out; the report on the wire carries only what has a
 * value, and each policy only the fields its type has:
 *
 * - `sts`: `policy-string` (the policy's lines) and `mx-host` (its `mx` patterns) — RFC 8460 §4.4
 *   defines `mx-host` for this type only ("In the case where policy-type is sts…");
 * - `tlsa`: `policy-string` (the TLSA records), no `mx-host`;
 * - `no-policy-found`: no policy, so neither `policy-string` nor `mx-host` — only the domain.
 *
 * A `policy-string` that could not be looked up (generate-policies.ts warns) is left out rather than
 * sent empty or invented; so is an address or an MX name the log does not give (our own sending IP).
 */
import { z } from "zod";
import { resultTypes } from "./wire.js";

const utcDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string().min(1);
const lines = z.array(z.string()).min(1);

/** RFC 8460 §4.4 failure details, in the RFC's key order; only result type and count always there. */
export const sentFailureDetailSchema = z.strictObject({
  "result-type": z.enum(resultTypes),
  "sending-mta-ip": text.optional(),
  "receiving-mx-hostname": text.optional(),
  "receiving-mx-helo": text.optional(),
  "receiving-ip": text.optional(),
  "failed-session-count": count,
  "additional-information": text.optional(),
  "failure-reason-code": text.optional(),
});

export const sentPolicySchema = z.discriminatedUnion("policy-type", [
  z.strictObject({
    "policy-type": z.literal("sts"),
    "policy-string": lines.optional(),
    "policy-domain": text,
    "mx-host": lines.optional(),
  }),
  z.strictObject({
    "policy-type": z.literal("tlsa"),
    "policy-string": lines.optional(),
    "policy-domain": text,
  }),
  z.strictObject({
    "policy-type": z.literal("no-policy-found"),
    "policy-domain": text,
  }),
]);

export const sentReportSchema = z.strictObject({
  "organization-name": text,
  "date-range": z.strictObject({ "start-datetime": utcDateTime, "end-datetime": utcDateTime }),
  "contact-info": text,
  "report-id": text,
  policies: z.array(
    z.strictObject({
      policy: sentPolicySchema,
      summary: z.strictObject({
        "total-successful-session-count": count,
        "total-failure-session-count": count,
      }),
      "failure-details": z.array(sentFailureDetailSchema),
    }),
  ),
});

export type SentReport = z.infer<typeof sentReportSchema>;

export function sentReportJsonSchema(): unknown {
  return z.toJSONSchema(sentReportSchema, { target: "draft-2020-12" });
}
