/**
 * The outbound-test configuration file (JSON; docs in README "Deploying the outbound test"): one entry
 * per certificate variant — its test domain, its MX name, the address it listens on and, except for
 * `no-starttls`, its certificate and key files (paths relative to the file). Validated whole before
 * anything listens; every error names the file and the field.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { errorMessage, MailcharterError } from "../core/errors.js";
import { outboundLimits } from "../core/limits.js";
import { type VariantConfig, type VariantKind, variantKinds } from "./variant.js";

const dnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i,
    "a DNS name",
  )
  .transform((s) => s.toLowerCase());

const listen = z
  .string()
  .regex(/^(\[[0-9a-f:.]+\]|[0-9.]+|[a-z0-9.-]+):\d{1,5}$/i, "HOST:PORT (IPv6 as [::1]:25)")
  .transform((s) => {
    const colon = s.lastIndexOf(":");
    return { host: s.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(s.slice(colon + 1)) };
  })
  .refine((l) => l.port >= 1 && l.port <= 65535, "port between 1 and 65535");

const variantSchema = z.strictObject({
  kind: z.enum(variantKinds as [VariantKind, ...VariantKind[]]),
  domain: dnsName,
  mxHost: dnsName,
  listen,
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
});

export const outboundConfigSchema = z.strictObject({
  /** Lifetime of a new test, in seconds (default 30 min). */
  testLifetimeSeconds: z
    .number()
    .int()
    .min(outboundLimits.minTestLifetimeMs / 1000)
    .max(outboundLimits.maxTestLifetimeMs / 1000)
    .optional(),
  variants: z.array(variantSchema).min(1),
});

export interface OutboundConfig {
  readonly file: string;
  readonly testLifetimeMs: number;
  readonly variants: readonly VariantConfig[];
}

const fail = (file: string, message: string) =>
  new MailcharterError("config", `outbound-test config ${file}: ${message}`);

/** Parses the configuration text; `readFile` reads certificate files (relative to `file`). */
export function parseOutboundConfig(
  text: string,
  file: string,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): OutboundConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(file, `not JSON (${errorMessage(error)})`);
  }
  const parsed = outboundConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(file, `${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`);
  }
  const seen = new Set<string>();
  const variants = parsed.data.variants.map((v, i): VariantConfig => {
    const where = `variants.${i}`;
    for (const [what, value] of [
      ["kind", v.kind],
      ["domain", v.domain],
      ["listen", `${v.listen.host}:${v.listen.port}`],
    ] as const) {
      if (seen.has(`${what}=${value}`)) throw fail(file, `${where}.${what}: ${value} is used twice`);
      seen.add(`${what}=${value}`);
    }
    if (v.kind === "no-starttls") {
      if (v.certFile || v.keyFile) throw fail(file, `${where}: no-starttls takes no certFile/keyFile`);
      return { kind: v.kind, domain: v.domain, mxHost: v.mxHost, listen: v.listen, tls: null };
    }
    if (!v.certFile || !v.keyFile) throw fail(file, `${where}: ${v.kind} needs certFile and keyFile`);
    const read = (name: string) => {
      const path = resolve(dirname(file), name);
      try {
        return readFile(path);
      } catch (error) {
        throw fail(file, `${where}: ${path}: ${errorMessage(error)}`);
      }
    };
    return {
      kind: v.kind,
      domain: v.domain,
      mxHost: v.mxHost,
      listen: v.listen,
      tls: { certPem: read(v.certFile), keyPem: read(v.keyFile) },
    };
  });
  if (!variants.some((v) => v.kind === "valid"))
    throw fail(file, "variants: a `valid` variant is needed (without it nothing can be concluded)");
  return {
    file,
    testLifetimeMs: (parsed.data.testLifetimeSeconds ?? outboundLimits.testLifetimeMs / 1000) * 1000,
    variants,
  };
}

export function loadOutboundConfig(file: string): OutboundConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw fail(file, errorMessage(error));
  }
  return parseOutboundConfig(text, file);
}
