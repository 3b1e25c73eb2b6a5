/**
 * The registry of signatories (charter art. 4, 7, 8): organisations, their mail domains and MX host
 * patterns, adhesion and withdrawal dates, the annex version accepted. Input is validated and
 * normalised here (A-labels, patterns, coherent dates) before anything is written.
 */
import { z } from "zod";

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "a real date",
  );

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain name in A-labels, lower case, without the final dot. */
export function normaliseDomain(text: string): string | null {
  let ascii: string;
  try {
    ascii = new URL(`http://${text.trim().replace(/\.$/, "")}`).hostname;
  } catch {
    return null;
  }
  const labels = ascii.split(".");
  return labels.length >= 2 && ascii.length <= 253 && labels.every((l) => label.test(l)) ? ascii : null;
}

/** An MX host pattern: a host name, or "*." and a domain (one left-most label, RFC 8461 §4.1). */
export function normaliseMxPattern(text: string): string | null {
  const wildcard = text.trim().startsWith("*.");
  const host = normaliseDomain(wildcard ? text.trim().slice(2) : text);
  return host ? `${wildcard ? "*." : ""}${host}` : null;
}

export const domainInput = z
  .object({ domain: z.string(), mx: z.array(z.string()).min(1, "at least one MX host pattern") })
  .transform((d, ctx) => {
    const domain = normaliseDomain(d.domain);
    if (!domain) ctx.addIssue({ code: "custom", message: `"${d.domain}" is not a domain name` });
    const mx = d.mx.map((p) => {
      const pattern = normaliseMxPattern(p);
      if (!pattern)
        ctx.addIssue({ code: "custom", message: `"${p}" is not an MX host pattern (host or *.domain)` });
      return pattern ?? "";
    });
    return { domain: domain ?? "", mx };
  });

export const organisationInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    contact: z.email(),
    adhesionDate: isoDate,
    withdrawalNoticeDate: isoDate.nullable().default(null),
    charterVersion: z.string().min(1).default("2015"),
    domains: z.array(domainInput).default([]),
  })
  .refine((o) => o.withdrawalNoticeDate === null || o.withdrawalNoticeDate >= o.adhesionDate, {
    message: "the withdrawal notice cannot precede the adhesion",
  });

export type OrganisationInput = z.input<typeof organisationInput>;
export type Organisation = z.output<typeof organisationInput>;

export interface Signatory extends Organisation {
  /** Charte art. 7: a signatory ends its adhesion by telling the others and the agency in writing at
   * least three months ahead; the earliest date that allows is taken as the effective date. */
  readonly withdrawalEffectiveDate: string | null;
}

export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()));
  // 31 March + 3 months is 30 June, not 1 July.
  if (target.getUTCDate() !== d.getUTCDate()) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

export const withWithdrawal = (o: Organisation): Signatory => ({
  ...o,
  withdrawalEffectiveDate: o.withdrawalNoticeDate ? addMonths(o.withdrawalNoticeDate, 3) : null,
});

/** A signatory is in force from its adhesion until its withdrawal takes effect. */
export const inForceAt = (s: Signatory, date: string) =>
  s.adhesionDate <= date && (s.withdrawalEffectiveDate === null || date < s.withdrawalEffectiveDate);

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`).join("; ");
}
