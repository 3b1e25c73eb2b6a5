/**
 * One pipeline for the three doors (HTTPS POST, IMAP, files): accept the bytes → read them (mail, gzip
 * or JSON) → normalise → commit → answer. The answer is data: `accepted` only once the report is
 * committed, `duplicate` when (organization-name, report-id) was already stored, `rejected` with a
 * stable reason when it cannot be understood. Nothing is stored of a rejected report.
 */
import type { Resolver } from "../../net/resolver.js";
import { verifyDkim } from "./dkim-verify.js";
import { isGzip } from "./inflate.js";
import { type SenderEvidence, senderEvidence } from "./mail-evidence.js";
import { parseReportMail } from "./mail-report.js";
import type { ParseOutcome, RejectReason, Warning } from "./outcome.js";
import { parseReportBytes } from "./parse-report.js";
import type { Door, RawKind, TlsRptStore } from "./report-store.js";
import { headerFields } from "./reporter.js";

export interface IngestResult {
  readonly status: "accepted" | "duplicate" | "rejected";
  /** The stored report's row, when accepted or duplicate. */
  readonly id: number | null;
  readonly organization: string | null;
  readonly reportId: string | null;
  /** Policies in the report; sessions summed over them (RFC 8460 §4.4 summary). */
  readonly policies: number;
  readonly successful: number;
  readonly failed: number;
  readonly warnings: readonly Warning[];
  readonly error: { readonly code: RejectReason; readonly message: string } | null;
}

export interface IngestInput {
  readonly bytes: Buffer;
  /** What the bytes are, when the door knows (a mail from IMAP); otherwise guessed from the bytes. */
  readonly kind?: RawKind;
  readonly door: Door;
  readonly source: string;
  readonly now: () => Date;
  /**
   * DNS for the DKIM keys of a mail (RFC 8460 §3). Without one, a mail's signatures are not verified:
   * the last hop's Authentication-Results stand in, and the report says so (dkim-unverified).
   */
  readonly resolver?: Resolver;
}

/** An RFC 5322 message starts with a header field (`Name: value`), never with `{` or gzip's magic. */
export function guessKind(bytes: Buffer): RawKind {
  if (isGzip(bytes)) return "gzip";
  const head = bytes
    .subarray(0, 256)
    .toString("latin1")
    .replace(/^\xef\xbb\xbf/, "");
  if (/^\s*[[{]/.test(head)) return "json";
  return /^[!-9;-~]+:/.test(head) ? "mail" : "json";
}

export async function readReport(bytes: Buffer, kind: RawKind): Promise<ParseOutcome> {
  if (kind === "mail") return (await parseReportMail(bytes)).outcome;
  return parseReportBytes(bytes);
}

export function rejectedResult(
  code: RejectReason,
  message: string,
  warnings: readonly Warning[] = [],
): IngestResult {
  return {
    status: "rejected",
    id: null,
    organization: null,
    reportId: null,
    policies: 0,
    successful: 0,
    failed: 0,
    warnings,
    error: { code, message },
  };
}

export async function ingestReport(store: TlsRptStore, input: IngestInput): Promise<IngestResult> {
  const kind = input.kind ?? guessKind(input.bytes);
  const outcome = await readReport(input.bytes, kind);
  if (outcome.kind === "rejected") return rejectedResult(outcome.reason, outcome.detail, outcome.warnings);
  const { report } = outcome;
  let warnings = outcome.warnings;
  let mailDomains: SenderEvidence["mailDomains"] = [];
  if (kind === "mail") {
    // Verified only once the mail is known to carry a report: a refused mail costs no DNS.
    const verification = input.resolver
      ? await verifyDkim(input.bytes, {
          resolver: input.resolver,
          clock: { now: () => input.now().getTime() },
        })
      : null;
    const evidence = senderEvidence(headerFields(input.bytes), verification);
    mailDomains = evidence.mailDomains;
    warnings = [...evidence.warnings, ...warnings];
  }
  const saved = await store.save({
    report,
    warnings,
    raw: input.bytes,
    rawKind: kind,
    door: input.door,
    source: input.source,
    receivedAt: input.now().toISOString(),
    mailDomains,
  });
  return {
    status: saved.status,
    id: saved.id,
    organization: report["organization-name"],
    reportId: report["report-id"],
    policies: report.policies.length,
    successful: report.policies.reduce((n, p) => n + p.summary["total-successful-session-count"], 0),
    failed: report.policies.reduce((n, p) => n + p.summary["total-failure-session-count"], 0),
    warnings,
    error: null,
  };
}
