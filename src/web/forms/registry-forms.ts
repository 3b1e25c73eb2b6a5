/**
 * The registry's forms (adhesion, domain, withdrawal notice, contact) as zod schemas over the strings
 * a browser sends. Messages are catalogue keys (src/web/i18n-agency.ts), so a refused field is
 * explained in the page's language; the registry checks again what only it knows (a taken name or
 * domain, a version it does not have) and its refusal is shown as the form's error. Pure.
 */
import { z } from "zod";
import { isoDate, normaliseDomain, normaliseMxPattern } from "../../registry/model.js";
import { around, withArgs } from "../pages/form-fields.js";

const email = z.string().trim().max(254, "errTooLong").pipe(z.email("errEmail"));

/** A date YYYY-MM-DD that exists (2026-02-30 is refused). */
const realDate = z
  .string()
  .trim()
  .refine((d) => isoDate.safeParse(d).success, "errDate");

export interface DomainLine {
  readonly domain: string;
  readonly mx: string[];
}

/** Limits of the adhesion form's domains box (the API's own limits). */
const maxDomains = 500;
const maxPatterns = 50;

/**
 * One domain and its MX host patterns: `example.org: mx1.example.org, *.mail.example.org` (the
 * separator after the domain may be a colon or spaces; patterns by commas or spaces).
 */
export function parseDomainLine(line: string): DomainLine | { readonly error: string } {
  const [head = "", ...rest] = line.trim().split(/\s*:\s*|\s+/);
  const domain = normaliseDomain(head);
  if (!domain) return { error: withArgs("errDomainName", head) };
  const patterns = rest
    .join(" ")
    .split(/[\s,;]+/)
    .filter(Boolean);
  if (patterns.length === 0) return { error: withArgs("errNoMx", domain) };
  if (patterns.length > maxPatterns) return { error: withArgs("errTooManyMx", domain, maxPatterns) };
  const mx: string[] = [];
  for (const p of patterns) {
    const pattern = normaliseMxPattern(p);
    if (!pattern) return { error: withArgs("errMxPattern", p) };
    mx.push(pattern);
  }
  return { domain, mx };
}

const domainLines = z
  .string()
  .max(100_000, "errTooLong")
  .optional()
  .transform((text = "", ctx) => {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length > maxDomains) {
      ctx.addIssue({ code: "custom", message: withArgs("errTooManyDomains", maxDomains) });
      return z.NEVER;
    }
    const out: DomainLine[] = [];
    for (const [i, line] of lines.entries()) {
      const parsed = parseDomainLine(line);
      if ("error" in parsed) {
        ctx.addIssue({ code: "custom", message: around("errOnLine", i + 1, parsed.error) });
        return z.NEVER;
      }
      if (out.some((d) => d.domain === parsed.domain)) {
        ctx.addIssue({ code: "custom", message: withArgs("errDomainTwice", parsed.domain) });
        return z.NEVER;
      }
      out.push(parsed);
    }
    return out;
  });

export const adhesionForm = z.object({
  name: z.string().trim().min(1, "errRequired").max(200, "errTooLong"),
  contact: email,
  adhesionDate: realDate,
  charterVersion: z.string().trim().min(1, "errRequired").max(40, "errTooLong"),
  domains: domainLines,
});

/** One domain added to an organisation: the domain and its patterns in two fields. */
export const domainForm = z
  .object({
    domain: z.string().trim().min(1, "errRequired").max(253, "errTooLong"),
    mx: z.string().trim().min(1, "errRequired").max(13_000, "errTooLong"),
  })
  .transform((d, ctx) => {
    const parsed = parseDomainLine(`${d.domain} ${d.mx}`);
    if ("error" in parsed) {
      const onName = parsed.error.startsWith("errDomainName");
      ctx.addIssue({ code: "custom", path: [onName ? "domain" : "mx"], message: parsed.error });
      return z.NEVER;
    }
    return parsed;
  });

export const withdrawalForm = z.object({
  noticeDate: realDate,
  /** Ticked to record this date in place of a notice already recorded. */
  replace: z
    .string()
    .optional()
    .transform((v) => v === "1" || v === "on"),
});

export const contactForm = z.object({ contact: email });
