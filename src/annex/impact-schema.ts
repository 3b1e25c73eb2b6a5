/**
 * The impact of a proposed annex as JSON (`mailcharter annex impact --json`, `mailcharter/annex-impact/1`):
 * the zod schema the tests validate every output against, and `schema/annex-impact.schema.json`
 * generated from it. Fields may be added; none may change meaning.
 */
import { z } from "zod";
import { ruleJudgedMeasures } from "../audit/measures/annex-measures.js";
import { evidenceSchema } from "../audit/report/schema.js";

const status = z.enum(["pass", "warn", "fail", "not_applicable", "error"]);
const verdict = z.enum(["compliant", "non_compliant", "inconclusive"]);
const wording = z.object({ fr: z.string(), en: z.string() });
const measure = z.enum(ruleJudgedMeasures);

export const impactSchema = z.looseObject({
  schema: z.literal("mailcharter/annex-impact/1"),
  generatedAt: z.iso.datetime(),
  proposed: z.looseObject({ id: z.string(), title: z.string(), reference: z.string() }),
  signatories: z.array(
    z.looseObject({
      organisation: z.string(),
      acceptedVersion: z.string(),
      baselineProfile: z.string(),
      wouldFail: z.boolean(),
      domains: z.array(
        z.looseObject({
          domain: z.string(),
          runId: z.number().int().nullable(),
          auditedAt: z.string().nullable(),
          verdictBefore: verdict.nullable(),
          verdictAfter: verdict.nullable(),
          measures: z.array(
            z.looseObject({
              measure,
              title: wording,
              before: status,
              after: status,
              direction: z.enum(["worse", "better", "same"]),
              advice: wording.nullable(),
              endpoints: z.array(
                z.looseObject({
                  endpoint: z.string(),
                  status,
                  evidence: z.array(evidenceSchema),
                  rules: z.array(
                    z.looseObject({
                      rule: z.string(),
                      source: z.string(),
                      status,
                      code: z.string(),
                      values: evidenceSchema.shape.values,
                      observed: z.string(),
                      advice: wording.optional(),
                    }),
                  ),
                }),
              ),
            }),
          ),
        }),
      ),
    }),
  ),
  totals: z.array(
    z.looseObject({
      measure,
      worse: z.number().int().min(0),
      better: z.number().int().min(0),
      newlyFailing: z.number().int().min(0),
      failing: z.number().int().min(0),
      signatoriesWorse: z.number().int().min(0),
    }),
  ),
  summary: z.looseObject({
    signatories: z.number().int().min(0),
    domains: z.number().int().min(0),
    audited: z.number().int().min(0),
    wouldFail: z.number().int().min(0),
    improved: z.number().int().min(0),
    failingDomains: z.number().int().min(0),
  }),
});

export const impactJsonSchema = (): unknown => z.toJSONSchema(impactSchema, { target: "draft-2020-12" });
