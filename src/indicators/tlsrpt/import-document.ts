/**
 * `mailcharter indicators import --json`: `mailcharter/indicators-import/1`, one entry per file in the
 * order given. The zod schema is the source of `schema/indicators-import.schema.json`.
 */
import { z } from "zod";
import type { IngestResult } from "./ingest.js";

const warningSchema = z.strictObject({ code: z.string(), path: z.string(), detail: z.string() });

export const importEntrySchema = z.strictObject({
  file: z.string(),
  status: z.enum(["accepted", "duplicate", "rejected"]),
  organization: z.string().nullable(),
  reportId: z.string().nullable(),
  policies: z.number().int().min(0),
  successful: z.number().int().min(0),
  failed: z.number().int().min(0),
  warnings: z.array(warningSchema),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
});

export const importDocumentSchema = z.strictObject({
  schema: z.literal("mailcharter/indicators-import/1"),
  results: z.array(importEntrySchema),
});

export type ImportEntry = z.infer<typeof importEntrySchema>;
export type ImportDocument = z.infer<typeof importDocumentSchema>;

export function importEntry(file: string, result: IngestResult): ImportEntry {
  return {
    file,
    status: result.status,
    organization: result.organization,
    reportId: result.reportId,
    policies: result.policies,
    successful: result.successful,
    failed: result.failed,
    warnings: result.warnings.map((w) => ({ code: w.code, path: w.path, detail: w.detail })),
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
  };
}

export function importJsonSchema(): unknown {
  return z.toJSONSchema(importDocumentSchema, { target: "draft-2020-12" });
}
