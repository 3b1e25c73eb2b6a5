/**
 * The shapes of the API, one zod schema each: validation of what comes in, serialisation of what goes
 * out and the OpenAPI document (/api/v1/openapi.json) all come from these.
 */
import { z } from "zod";
import { isoDate } from "../registry/model.js";

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), reason: z.string().optional() }) })
  .meta({ id: "Error", description: "Every error: a stable code and a readable message" });

export const idParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});

/** An organisation's id and one of its domains' ids (a domain of another organisation is "not found"). */
export const domainParams = idParams.extend({ domainId: idParams.shape.id });

export const roleSchema = z.enum(["agency", "operator", "auditor"]);
export const verdictSchema = z.enum(["compliant", "non_compliant", "inconclusive"]);

export const latestSchema = z.object({ verdict: verdictSchema, finishedAt: z.string() }).nullable();

export const signatoriesSchema = z
  .object({
    schema: z.literal("mailcharter/signatories/1"),
    date: z.string(),
    signatories: z.array(
      z.object({
        name: z.string(),
        adhesionDate: z.string(),
        withdrawalEffectiveDate: z.string().nullable(),
        charterVersion: z.string(),
        domains: z.array(z.object({ domain: z.string(), mx: z.array(z.string()), latest: latestSchema })),
      }),
    ),
  })
  .meta({ id: "Signatories", description: "The signatories in force and their domains (charter art. 7)" });

export const domainSchema = z
  .object({
    id: z.number().int(),
    domain: z.string(),
    mx: z.array(z.string()),
    organisationId: z.number().int(),
    organisation: z.string(),
    latest: latestSchema,
  })
  .meta({ id: "Domain" });

export const organisationSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    contact: z.string(),
    adhesionDate: z.string(),
    withdrawalNoticeDate: z.string().nullable(),
    withdrawalEffectiveDate: z.string().nullable(),
    charterVersion: z.string(),
    inForce: z.boolean(),
    domains: z.array(z.object({ id: z.number().int(), domain: z.string(), mx: z.array(z.string()) })),
  })
  .meta({ id: "Organisation" });

export const organisationCreateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  contact: z.email().max(254),
  adhesionDate: isoDate,
  charterVersion: z.string().min(1).max(40).optional(),
  domains: z
    .array(z.object({ domain: z.string().max(253), mx: z.array(z.string().max(255)).min(1).max(50) }))
    .max(500)
    .optional(),
});

export const organisationPatchSchema = z
  .object({
    contact: z.email().max(254).optional(),
    adhesionDate: isoDate.optional(),
    charterVersion: z.string().min(1).max(40).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "nothing to change");

export const domainCreateSchema = z.object({
  domain: z.string().max(253),
  mx: z.array(z.string().max(255)).min(1).max(50),
});

export const withdrawalSchema = z.object({ noticeDate: isoDate });

export const charterVersionSchema = z
  .object({ version: z.string().min(1).max(40), published: isoDate, title: z.string().min(1).max(500) })
  .meta({ id: "CharterVersion" });

/** A version as recorded: with the profile of its annex (charter art. 8) and where to read it. */
export const charterVersionRecordSchema = charterVersionSchema
  .extend({
    profile: z
      .string()
      .meta({ description: "The id of the annex's profile (GET /api/v1/annex/profiles/{id})" }),
    profileUrl: z.string().meta({ description: "The profile's path in this API" }),
  })
  .meta({ id: "CharterVersionRecord" });

export const accountSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: roleSchema,
    organisationId: z.number().int().nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
  })
  .meta({ id: "Account" });

export const accountCreateSchema = z.object({
  email: z.string().max(254),
  role: roleSchema,
  organisation: z.string().max(200).optional(),
  password: z.string().max(1024).optional(),
});

export const accountPatchSchema = z.object({ disabled: z.boolean() }).strict();

export const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    role: roleSchema,
    organisationId: z.number().int().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiToken", description: "An API token as listed: its prefix only, never the token" });

export const tokenCreateSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: roleSchema.optional(),
});

export const meSchema = z
  .object({
    account: z.object({
      id: z.number().int(),
      email: z.string(),
      role: roleSchema,
      organisationId: z.number().int().nullable(),
      organisation: z.string().nullable(),
    }),
    via: z.enum(["session", "token"]),
    /** For a session: the CSRF token its state-changing API calls must send (header csrf-token). */
    csrfToken: z.string().nullable(),
  })
  .meta({ id: "Me" });

/** The standard error responses of a route, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
} as const;

export const auditSummarySchema = z
  .object({
    id: z.number().int(),
    jobKey: z.string(),
    domain: z.string(),
    organisation: z.string().nullable(),
    trigger: z.enum(["schedule", "on_demand", "cli"]),
    requestedBy: z.string(),
    cycleId: z.number().int().nullable(),
    status: z.enum(["queued", "running", "done", "failed"]),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    verdict: verdictSchema.nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "AuditSummary", description: "One audit run, from queued to done or failed" });

export const auditSchema = auditSummarySchema
  .extend({
    report: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The full report (mailcharter/audit/1, schema/audit-report.schema.json); null until done"),
  })
  .meta({ id: "Audit" });

export const auditListSchema = z.object({ audits: z.array(auditSummarySchema) });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const diffQuery = z.object({
  against: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1)
    .optional(),
});

const endpointKeySchema = z.object({
  host: z.string(),
  address: z.string().nullable(),
  port: z.number().int(),
  service: z.string(),
});

export const auditDiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    diff: z.object({
      domain: z.string(),
      from: z.object({ finishedAt: z.string(), verdict: verdictSchema }),
      to: z.object({ finishedAt: z.string(), verdict: verdictSchema }),
      measures: z.array(
        z.object({
          id: z.string(),
          charter: z.boolean(),
          from: z.string().nullable(),
          to: z.string().nullable(),
        }),
      ),
      endpoints: z.object({
        added: z.array(endpointKeySchema),
        removed: z.array(endpointKeySchema),
        changed: z.array(
          endpointKeySchema.extend({
            changes: z.array(
              z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() }),
            ),
          }),
        ),
      }),
      same: z.boolean(),
    }),
  })
  .meta({ id: "AuditDiff", description: "Measure by measure and endpoint by endpoint, what changed" });

export const auditRequestSchema = z.object({
  idempotencyKey: z
    .string()
    .min(8)
    .max(200)
    .regex(/^[A-Za-z0-9._:-]+$/)
    .optional()
    .describe("Retrying with the same key gives the same run (else the Idempotency-Key header)"),
});

export const scheduleSchema = z
  .object({
    domain: z.string(),
    cadenceSeconds: z.number().int(),
    nextDueAt: z.string().nullable(),
    lastRunId: z.number().int().nullable(),
  })
  .meta({ id: "DomainSchedule", description: "How often a domain is audited and when next" });

export const cadenceSchema = z.object({
  cadenceSeconds: z
    .number()
    .int()
    .min(3_600)
    .max(31 * 86_400),
});
