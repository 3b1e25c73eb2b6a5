/**
 * Who sent a TLS-RPT report, as a registry signatory (charter art. 4.5: a report is the sender's
 * evidence about its sessions toward the policy domain). A report's `organization-name` is free text
 * ("Google Inc.", "Microsoft Corporation", RFC 8460 §4.4) and rarely equals a signatory's registered
 * name, so the sender is found by evidence, in this order:
 *
 *  1. a report that came by mail: the `d=` of a DKIM signature we verified ourselves (RFC 6376;
 *     dkim-verify.ts, mail-evidence.ts); only when verification could not run (no resolver, DNS not
 *     answering) the `dkim=pass` the receiving MTA recorded in `Authentication-Results` (RFC 8601) —
 *     a field above the topmost `Received` field, the one the last hop (our own MTA or its milter)
 *     added; one further down was written by whoever sent the mail (RFC 8601 §5) —, then the domain
 *     of the mail's `From` address;
 *  2. the domain of `contact-info` (an address or a URL, RFC 8460 §4.4);
 *  3. `organization-name` equal to a signatory's name, ignoring case.
 *
 * A domain names a signatory when it, or a parent domain of it, is one of the signatory's registered
 * domains (`smtp-tls-reporting.x.example` → `x.example`). A report for which no evidence names a
 * signatory stays external, labelled by its organization-name: nothing is guessed. Pure.
 */
import type { PartyDirectory } from "../links/parties.js";

/** `dkim`: a signature we verified; `authentication-results`: the last hop's word, used when we could
 * not verify (recorded as a warning on the report); `from`: the From address. */
export type MailEvidence = "dkim" | "authentication-results" | "from";

export interface MailDomain {
  readonly domain: string;
  readonly how: MailEvidence;
}

export interface ReporterEvidence {
  readonly organization: string;
  readonly contactInfo?: string | null;
  /** The report mail's domains in evidence order (DKIM first, then From); none if not mailed. */
  readonly mailDomains?: readonly MailDomain[];
}

export type ReporterMatch = MailEvidence | "contact-info" | "organization-name";

export interface Reporter {
  readonly organisationId: number;
  readonly by: ReporterMatch;
}

const domainPattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** A host name, lower-case, without a trailing dot; null when it is not one. */
export function hostName(text: string): string | null {
  const host = text.trim().toLowerCase().replace(/\.$/, "");
  return domainPattern.test(host) ? host : null;
}

/** The domain of an address `local@domain` (angle brackets and a display name allowed). */
export function addressDomain(text: string): string | null {
  const address = /<([^<>]*)>/.exec(text)?.[1] ?? text;
  const at = address.lastIndexOf("@");
  return at < 0 ? null : hostName(address.slice(at + 1));
}

/** RFC 8460 §4.4 `contact-info`: an e-mail address (`mailto:` or bare) or a URL; its domain. */
export function contactDomain(contact: string | null): string | null {
  if (contact === null) return null;
  const text = contact.trim();
  if (/^mailto:/i.test(text)) return addressDomain(decodeURIComponent(text.slice(7).split("?", 1)[0] ?? ""));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return hostName(new URL(text).hostname);
    } catch {
      return null;
    }
  }
  return addressDomain(text);
}

/** The signatory whose registered domain is `domain` or a parent of it (two labels at least). */
export function signatoryOfDomain(domain: string, directory: PartyDirectory): number | null {
  const labels = domain.toLowerCase().split(".");
  for (let i = 0; labels.length - i >= 2; i++) {
    const id = directory.domains.get(labels.slice(i).join("."));
    if (id !== undefined) return id;
  }
  return null;
}

/** The `dkim=pass` domains of one Authentication-Results field value (RFC 8601 §2.2). */
export function dkimPassDomains(value: string): string[] {
  const out: string[] = [];
  // Comments (RFC 5322 CFWS) removed; results are separated by ";" after the authserv-id.
  const text = value.replace(/\([^()]*\)/g, " ");
  for (const result of text.split(";").slice(1)) {
    if (!/^\s*dkim\s*=\s*pass\b/i.test(result)) continue;
    const d = /\bheader\.d\s*=\s*"?([^\s";]+)/i.exec(result)?.[1];
    const i = /\bheader\.i\s*=\s*"?([^\s";]+)/i.exec(result)?.[1];
    const domain = d ? hostName(d) : i ? addressDomain(i.includes("@") ? i : `@${i}`) : null;
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

/**
 * The `dkim=pass` domains the last hop recorded: Authentication-Results fields above the topmost
 * Received field only (RFC 8601 §5: the ones below were written before the mail reached us).
 */
export function authenticationResultsDomains(
  fields: readonly { readonly name: string; readonly value: string }[],
): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const name = field.name.toLowerCase();
    if (name === "received") break;
    if (name === "authentication-results")
      for (const domain of dkimPassDomains(field.value)) if (!out.includes(domain)) out.push(domain);
  }
  return out;
}

/** The domain of the mail's (first) From address. */
export function fromDomain(
  fields: readonly { readonly name: string; readonly value: string }[],
): string | null {
  const from = fields.find((f) => f.name.toLowerCase() === "from");
  return from ? addressDomain(from.value) : null;
}

/** The signatory that sent the report, by the first evidence that names one; null: external. */
export function reporterOf(evidence: ReporterEvidence, directory: PartyDirectory): Reporter | null {
  for (const m of evidence.mailDomains ?? []) {
    const id = signatoryOfDomain(m.domain, directory);
    if (id !== null) return { organisationId: id, by: m.how };
  }
  const contact = contactDomain(evidence.contactInfo ?? null);
  const byContact = contact === null ? null : signatoryOfDomain(contact, directory);
  if (byContact !== null) return { organisationId: byContact, by: "contact-info" };
  const name = evidence.organization.trim().toLowerCase();
  for (const [id, signatory] of directory.names)
    if (signatory.trim().toLowerCase() === name) return { organisationId: id, by: "organization-name" };
  return null;
}

/** The header fields of a mail (RFC 5322 §2.2: up to the first empty line; folded lines unfolded). */
export function headerFields(mail: Buffer, maxBytes = 256 * 1024): { name: string; value: string }[] {
  const head = mail.subarray(0, maxBytes).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? head : head.slice(0, end)).split(/\r?\n/);
  const fields: { name: string; value: string }[] = [];
  for (const line of lines) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon > 0) fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}
