/**
 * The profile language as a schema (audit/profiles/profile.ts): what a drafted annex may say, checked
 * strictly — an unknown rule kind or field, a wrong type, a version, key exchange, cipher family, MAC
 * or suite name the cipher-suite table does not know, a measure that rules do not judge, a rule id
 * named twice or not defined: each refused with its path. Pure.
 */
import { z } from "zod";
import { ruleJudgedMeasures } from "../audit/measures/annex-measures.js";
import type { MeasureId } from "../audit/measures/measure.js";
import { measureRegistry } from "../audit/measures/registry.js";
import type { Profile } from "../audit/profiles/profile.js";
import { cipherSuites } from "../audit/tls/cipher-suites.js";

const versions = z.enum(["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
const level = z.enum(["fail", "warn"]);
const known = (values: Iterable<string>, what: string) => {
  const set = [...new Set(values)].sort();
  return z.string().refine((v) => set.includes(v), {
    error: (issue) => `unknown ${what} "${String(issue.input)}" (known: ${set.join(", ")})`,
  });
};
const suiteNames = new Set(cipherSuites.map((s) => s.name));
const suiteName = z.string().refine((v) => suiteNames.has(v), {
  error: (issue) => `unknown cipher suite "${String(issue.input)}" (IANA names, e.g. TLS_AES_128_GCM_SHA256)`,
});
const yes = z.literal(true);

export const selectorSchema: z.ZodType = z.lazy(() =>
  z
    .strictObject({
      ciphers: z
        .array(
          known(
            cipherSuites.map((s) => s.cipher),
            "cipher family",
          ),
        )
        .min(1)
        .optional(),
      keyExchanges: z
        .array(known([...cipherSuites.map((s) => s.keyExchange), "TLS13"], "key exchange"))
        .min(1)
        .optional(),
      macs: z
        .array(
          known(
            cipherSuites.map((s) => s.mac),
            "MAC",
          ),
        )
        .min(1)
        .optional(),
      export: yes.optional(),
      anonymous: yes.optional(),
      nullCipher: yes.optional(),
      names: z.array(suiteName).min(1).optional(),
      aead: yes.optional(),
      cbc: yes.optional(),
      not: selectorSchema.optional(),
      excludeAnonymous: yes.optional(),
    })
    .refine((s) => Object.keys(s).some((k) => k !== "excludeAnonymous"), {
      error: "a selector names at least one criterion (ciphers, keyExchanges, macs, names, aead, cbc, not…)",
    }),
);

const versionList = z.array(versions).min(1);

export const ruleSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("forbid-versions"), versions: versionList, level }),
    z.strictObject({ kind: z.literal("require-one-version"), versions: versionList }),
    z.strictObject({ kind: z.literal("forbid-suites"), select: selectorSchema, level }),
    z.strictObject({ kind: z.literal("require-suites"), select: selectorSchema, what: z.string().min(1) }),
    z.strictObject({
      kind: z.literal("prefer"),
      good: selectorSchema,
      bad: selectorSchema,
      names: z.strictObject({ good: z.string().min(1), bad: z.string().min(1) }),
      versions: versionList.optional(),
    }),
    z.strictObject({ kind: z.literal("only-suites"), names: z.array(suiteName).min(1), level }),
    z.strictObject({ kind: z.literal("server-order"), level }),
    z.strictObject({ kind: z.literal("client-order"), level: z.literal("warn") }),
    z.strictObject({ kind: z.literal("min-dh-bits"), bits: z.int().min(512).max(16384), level }),
    z.strictObject({
      kind: z.literal("certificate-key"),
      rsaBits: z.int().min(512).max(16384),
      ecBits: z.int().min(160).max(1024),
    }),
    z.strictObject({
      kind: z.literal("certificate-signature"),
      forbidden: z.array(z.string().min(1)).min(1),
    }),
    z.strictObject({ kind: z.literal("max-certificate-days"), days: z.int().min(1).max(10000), level }),
    z.strictObject({ kind: z.literal("no-compression") }),
    z.strictObject({ kind: z.literal("secure-renegotiation"), level }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `unknown rule kind ${JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind)} (known: ${ruleKinds.join(", ")})`
        : undefined,
  },
);

export const ruleKinds = [
  "forbid-versions",
  "require-one-version",
  "forbid-suites",
  "require-suites",
  "prefer",
  "only-suites",
  "server-order",
  "client-order",
  "min-dh-bits",
  "certificate-key",
  "certificate-signature",
  "max-certificate-days",
  "no-compression",
  "secure-renegotiation",
] as const;

const wording = z.strictObject({ fr: z.string().min(1), en: z.string().min(1) });

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a rule id: letters, digits, . _ - (≤ 64)");

const measuresSchema = z.record(z.string(), z.array(ruleId).min(1)).superRefine((m, ctx) => {
  for (const key of Object.keys(m)) {
    if ((ruleJudgedMeasures as readonly string[]).includes(key)) continue;
    const message = Object.hasOwn(measureRegistry, key as MeasureId)
      ? `measure "${key}" is judged by its own code, not by profile rules (rule-judged: ${ruleJudgedMeasures.join(", ")})`
      : `unknown measure "${key}" (rule-judged measures: ${ruleJudgedMeasures.join(", ")})`;
    ctx.addIssue({ code: "custom", path: [key], message });
  }
});

export const profileSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "a profile id: lower-case letters, digits, . and - (≤ 64)"),
    title: z.string().trim().min(1).max(200),
    reference: z.string().max(1000).default(""),
    rules: z
      .array(
        z.strictObject({
          id: ruleId,
          source: z.string().min(1).max(200),
          rule: ruleSchema,
          advice: wording.optional(),
        }),
      )
      .min(1),
    measures: measuresSchema,
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    p.rules.forEach((r, i) => {
      if (ids.has(r.id))
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "id"],
          message: `rule id "${r.id}" is used twice`,
        });
      ids.add(r.id);
    });
    for (const [measure, list] of Object.entries(p.measures))
      (list ?? []).forEach((id, i) => {
        if (!ids.has(id))
          ctx.addIssue({
            code: "custom",
            path: ["measures", measure, i],
            message: `no rule "${id}" in this profile's rules`,
          });
      });
  });

/** The issues of a refused profile, one per line: `rules[2].rule.level: …`. */
export function profileIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path
      .map((p, n) =>
        typeof p === "number"
          ? `[${p}]`
          : n === 0
            ? String(p)
            : /^[A-Za-z_]\w*$/.test(String(p))
              ? `.${String(p)}`
              : `["${String(p)}"]`,
      )
      .join("");
    const keys = i.code === "unrecognized_keys" ? ` (${i.keys.map((k) => `"${k}"`).join(", ")})` : "";
    const message =
      i.code === "unrecognized_keys" ? `unknown field${i.keys.length > 1 ? "s" : ""}${keys}` : i.message;
    return path ? `${path}: ${message}` : message;
  });
}

/** A profile as data, checked: the profile, or every issue with its path. */
export function parseProfile(
  data: unknown,
):
  | { readonly ok: true; readonly profile: Profile }
  | { readonly ok: false; readonly issues: readonly string[] } {
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) return { ok: false, issues: profileIssues(parsed.error) };
  return { ok: true, profile: parsed.data as Profile };
}
