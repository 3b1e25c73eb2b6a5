/**
 * `indicators links` as data (mailcharter/indicators-links/1, schema/indicators-links.schema.json)
 * and as CSV (RFC 4180: CRLF, fields quoted when they hold a comma, quote or line break). Pure.
 * A party's name may come from anyone — the `organization-name` of a report POSTed to the public
 * `/tlsrpt` — and a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return as a formula (CSV injection, OWASP): such a field gets a leading `'`, which shows as text.
 */
import { z } from "zod";
import { failureTypes, tlsClasses } from "../log/session.js";
import type { LinkRow } from "./link-figures.js";

const count = z.number().int().min(0);
const counts = z.record(z.string(), count);
const partySchema = z.object({ name: z.string(), signatory: z.boolean() }).strict();

export const linkSchema = z
  .object({
    day: z.string(),
    sender: partySchema,
    receiver: partySchema,
    source: z.enum(["sender-log", "receiver-log", "tlsrpt"]),
    /** TLS sessions: the attempts that reached a TLS decision, the sum of `classes`. */
    sessions: count,
    /**
     * Outbound attempts deferred before TLS could be offered (lost at the greeting or during EHLO,
     * greylisted, timed out): in `outcomes`, not in `sessions`, `classes` nor `verifiedShare`.
     */
    noTlsDecision: count,
    classes: z.object(Object.fromEntries(tlsClasses.map((c) => [c, count]))).strict(),
    outcomes: counts,
    failures: counts,
    versions: counts,
    suites: counts,
    verifiedShare: z.number().min(0).max(1).nullable(),
  })
  .strict();

export const linksDocumentSchema = z
  .object({
    schema: z.literal("mailcharter/indicators-links/1"),
    from: z.string(),
    to: z.string(),
    links: z.array(linkSchema),
  })
  .strict();

export type LinksDocument = z.infer<typeof linksDocumentSchema>;
export const linksJsonSchema = () => z.toJSONSchema(linksDocumentSchema, { target: "draft-2020-12" });

export function linksDocument(from: string, to: string, rows: readonly LinkRow[]): LinksDocument {
  return {
    schema: "mailcharter/indicators-links/1",
    from,
    to,
    links: rows.map((r) => ({
      day: r.day,
      sender: { name: r.sender.label, signatory: r.sender.organisationId !== null },
      receiver: { name: r.receiver.label, signatory: r.receiver.organisationId !== null },
      source: r.source,
      sessions: r.sessions,
      noTlsDecision: r.noTlsDecision,
      classes: { ...r.classes },
      outcomes: { ...r.outcomes },
      failures: { ...r.failures } as Record<string, number>,
      versions: { ...r.versions },
      suites: { ...r.suites },
      verifiedShare: r.verifiedShare,
    })),
  };
}

const field = (raw: string) => {
  const value = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
};
const pairs = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(";");

export function linksCsv(doc: LinksDocument): string {
  const header = [
    "day",
    "sender",
    "receiver",
    "source",
    "sessions",
    ...tlsClasses,
    "verified_share",
    ...failureTypes,
    "versions",
    "suites",
    // Last, so that a reader by position of the columns before it reads them where they were.
    "no_tls_decision",
  ];
  const lines = doc.links.map((l) =>
    [
      l.day,
      l.sender.name,
      l.receiver.name,
      l.source,
      String(l.sessions),
      ...tlsClasses.map((c) => String(l.classes[c] ?? 0)),
      l.verifiedShare === null ? "" : l.verifiedShare.toFixed(4),
      ...failureTypes.map((t) => String(l.failures[t] ?? 0)),
      pairs(l.versions),
      pairs(l.suites),
      String(l.noTlsDecision),
    ]
      .map(field)
      .join(","),
  );
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}
