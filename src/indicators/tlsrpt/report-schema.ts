/**
 * The normalised TLS-RPT report: the RFC 8460 §4 shape with every field in its RFC spelling and type,
 * whatever the sender wrote (the deviations become warnings, see normalise.ts). One zod schema is the
 * source of the type, of the validation of what the normaliser and the generator produce, and of
 * `schema/tlsrpt-report.schema.json` (`npx tsx scripts/gen-schema.ts`).
 *
 * Where the RFC requires a field that real senders leave out (Microsoft omits `sending-mta-ip`,
 * Mail.ru `policy-string`), the normalised form holds `null` or an empty list rather than an invented
 * value; a report we generate always fills them (generate.ts).
 */
import { z } from "zod";
import { policyTypes, resultTypes } from "./wire.js";

/** RFC 3339 date-time in UTC, as the normaliser writes it (`2026-12-01T00:00:00Z`). */
const utcDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** RFC 8460 §4.4 failure details, one per result type and MTA pair. */
export const failureDetailSchema = z.strictObject({
  "result-type": z.enum(resultTypes),
  "sending-mta-ip": z.string().nullable(),
  "receiving-mx-hostname": z.string().nullable(),
  "receiving-mx-helo": z.string().nullable(),
  "receiving-ip": z.string().nullable(),
  "failed-session-count": count,
  "additional-information": z.string().nullable(),
  "failure-reason-code": z.string().nullable(),
});

export const policyResultSchema = z.strictObject({
  policy: z.strictObject({
    "policy-type": z.enum(policyTypes),
    /** One string per line of the policy (RFC 8460 §4.4: an MTA-STS policy's lines, or TLSA records). */
    "policy-string": z.array(z.string()),
    "policy-domain": z.string().min(1),
    /** RFC 8460 errata 6241: a list (the RFC's example had a single string). */
    "mx-host": z.array(z.string()),
  }),
  summary: z.strictObject({
    "total-successful-session-count": count,
    "total-failure-session-count": count,
  }),
  "failure-details": z.array(failureDetailSchema),
});

export const tlsRptReportSchema = z.strictObject({
  "organization-name": z.string().min(1),
  "date-range": z.strictObject({ "start-datetime": utcDateTime, "end-datetime": utcDateTime }),
  "contact-info": z.string().nullable(),
  "report-id": z.string().min(1),
  policies: z.array(policyResultSchema),
});

export type TlsRptReport = z.infer<typeof tlsRptReportSchema>;
export type PolicyResult = z.infer<typeof policyResultSchema>;
export type FailureDetail = z.infer<typeof failureDetailSchema>;

export function tlsRptReportJsonSchema(): unknown {
  return z.toJSONSchema(tlsRptReportSchema, { target: "draft-2020-12" });
}
