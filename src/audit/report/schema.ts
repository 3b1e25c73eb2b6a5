/**
 * The report contract (docs/contract.md §4) as a zod schema: the tests validate every report against it, and
 * `schema/audit-report.schema.json` (JSON Schema, for other tools) is generated from it.
 * Fields may be added; none of these may change meaning.
 */
import { z } from "zod";

const status = z.enum(["pass", "warn", "fail", "not_applicable", "error"]);
const version = z.enum(["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
const tlsVersion = z.enum(["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);

const evidenceValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const evidenceSchema = z.object({
  endpoint: z.string().optional(),
  status,
  /** Stable code of what was observed; `values` are its facts; `observed` its English sentence. */
  code: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/),
  values: z.record(z.string(), evidenceValue),
  observed: z.string(),
});

export const measureSchema = z.object({
  id: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/),
  ref: z.string(),
  charter: z.boolean(),
  status,
  summary: z.object({ fr: z.string().min(1), en: z.string().min(1) }),
  evidence: z.array(evidenceSchema),
});

export const certificateSchema = z.looseObject({
  status: z.enum([
    "valid",
    "expired",
    "not_yet_valid",
    "wrong_host",
    "self_signed",
    "untrusted",
    "incomplete_chain",
  ]),
  subject: z.string(),
  notAfter: z.string(),
  keyType: z.string(),
  keyBits: z.number().int().nullable(),
  signatureHash: z.string().nullable(),
});

export const endpointSchema = z.looseObject({
  host: z.string(),
  address: z.string().nullable(),
  port: z.number().int().min(1).max(65535),
  service: z.enum(["smtp", "submission", "imap", "pop3", "https"]),
  tlsMode: z.enum(["starttls", "implicit", "none"]),
  starttlsAdvertised: z.boolean().nullable(),
  tls: z
    .looseObject({
      negotiated: z
        .looseObject({
          version: z.string().nullable(),
          cipherSuite: z.string(),
          group: z.string().nullable(),
        })
        .nullable(),
      versions: z.array(version).optional(),
      cipherSuites: z
        .partialRecord(tlsVersion, z.array(z.string().regex(/^(TLS|SSL)_[A-Za-z0-9_]+$|^0x[0-9A-F]{4}$/)))
        .optional(),
      serverPreference: z.boolean().nullable().optional(),
      groups: z.array(z.string()).optional(),
      certificate: certificateSchema.nullable(),
    })
    .nullable(),
  stats: z.object({
    connections: z.number().int().min(0),
    retries: z.number().int().min(0),
    durationMs: z.number().min(0),
  }),
  error: z.looseObject({ step: z.string(), reason: z.string(), message: z.string() }).nullable(),
});

export const auditReportSchema = z.looseObject({
  schema: z.literal("mailcharter/audit/1"),
  domain: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  verdict: z.enum(["compliant", "non_compliant", "inconclusive"]),
  measures: z.array(measureSchema),
  endpoints: z.array(endpointSchema),
  profiles: z.array(
    z.looseObject({
      profile: z.string(),
      status,
      endpoints: z.array(
        z.looseObject({
          endpoint: z.string(),
          status,
          findings: z.array(
            z.looseObject({
              rule: z.string(),
              status,
              code: z.string(),
              values: z.record(z.string(), evidenceValue),
              observed: z.string(),
            }),
          ),
        }),
      ),
    }),
  ),
  /** The charter version whose annex judged the report, and its profile (absent from older reports). */
  charter: z
    .looseObject({
      version: z.string(),
      profile: z.string(),
      from: z.enum(["registry", "default"]),
    })
    .optional(),
});

export function auditJsonSchema(): unknown {
  return z.toJSONSchema(auditReportSchema, { target: "draft-2020-12" });
}
