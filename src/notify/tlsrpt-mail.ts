/**
 * The mail that carries an outgoing TLS-RPT report, pure (RFC 8460 §5.3.1): a `multipart/report`
 * (RFC 6522) with `report-type="tlsrpt"`, a short text part and the report as an
 * `application/tlsrpt+gzip` attachment named as §5.3 says; the subject
 * `Report Domain: <policy domain> Submitter: <submitter> Report-ID: <<report id>>` and the
 * `TLS-Report-Domain` / `TLS-Report-Submitter` header fields. The DKIM signature RFC 8460 §3 requires
 * is added when the mail is sent (src/notify/email-send.ts); this builds the bytes it signs.
 */
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { ReportFields } from "./outbox.js";

export interface ReportMailInput {
  readonly from: string;
  readonly to: string;
  readonly report: ReportFields;
  readonly gzip: Buffer;
  readonly date: Date;
  /** For reproducible output in tests; random otherwise. */
  readonly boundary?: string;
  readonly messageId?: string;
}

const CRLF = "\r\n";

/** RFC 5322 §2.2.3: a long header folded on white space, lines under 78 characters where it can. */
function fold(name: string, value: string): string {
  const words = value.split(" ");
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > 76 && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** RFC 5322 §3.3 date-time, in UTC. */
export function rfc5322Date(date: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[date.getUTCDay()]}, ${p(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

/** RFC 2045 §6.8: base64 in lines of 76 characters. */
const base64Lines = (bytes: Buffer) => (bytes.toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);

/** Header values must not carry line breaks (header injection) nor non-ASCII in this 7-bit mail. */
function headerSafe(value: string, what: string): string {
  if (/[\r\n]/.test(value) || /[^\x20-\x7e]/.test(value))
    throw new Error(`${what} is not a printable ASCII header value`);
  return value;
}

export function buildReportMail(input: ReportMailInput): Buffer {
  const r = input.report;
  const boundary = input.boundary ?? `----=_tlsrpt_${randomBytes(12).toString("hex")}`;
  const domain = headerSafe(r.policyDomain, "policy domain");
  const submitter = headerSafe(r.submitter, "submitter");
  const reportId = headerSafe(r.reportId.replace(/^<|>$/g, ""), "report id");
  const filename = headerSafe(r.filename, "file name").replace(/"/g, "");
  const messageId = input.messageId ?? `<${randomBytes(12).toString("hex")}@${submitter}>`;
  const head = [
    `From: ${headerSafe(input.from, "from")}`,
    `To: ${headerSafe(input.to, "to")}`,
    `Date: ${rfc5322Date(input.date)}`,
    `Message-ID: ${messageId}`,
    // RFC 8460 §5.3.1: the subject and the two header fields.
    fold("Subject", `Report Domain: ${domain} Submitter: ${submitter} Report-ID: <${reportId}>`),
    `TLS-Report-Domain: ${domain}`,
    `TLS-Report-Submitter: ${submitter}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type="tlsrpt";${CRLF} boundary="${boundary}"`,
  ];
  const parts = [
    "This is a multipart message in MIME format.",
    "",
    `--${boundary}`,
    'Content-Type: text/plain; charset="us-ascii"',
    "Content-Transfer-Encoding: 7bit",
    "",
    `This is an aggregate TLS report from ${submitter}`,
    "",
    `--${boundary}`,
    "Content-Type: application/tlsrpt+gzip",
    "Content-Transfer-Encoding: base64",
    `Content-Disposition: attachment;${CRLF} filename="${filename}"`,
    "",
    base64Lines(input.gzip),
    "",
    `--${boundary}--`,
    "",
  ];
  return Buffer.from([...head, "", ...parts].join(CRLF), "ascii");
}

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The RFC 8460 §5.3 fields read from the report itself, when the caller gave none: the policy domain
 * of the first policy, the report id, and a file name from the submitter and the date range.
 */
export function reportFieldsOf(gzip: Buffer, submitter: string): ReportFields {
  const report = JSON.parse(gunzipSync(gzip, { maxOutputLength: 20 * 1024 * 1024 }).toString("utf8")) as {
    "report-id"?: string;
    "date-range"?: { "start-datetime"?: string; "end-datetime"?: string };
    policies?: { policy?: { "policy-domain"?: string } }[];
  };
  const policyDomain = report.policies?.[0]?.policy?.["policy-domain"];
  const reportId = report["report-id"];
  const start = report["date-range"]?.["start-datetime"];
  const end = report["date-range"]?.["end-datetime"];
  if (!policyDomain || !reportId || !start || !end)
    throw new Error("the report lacks report-id, date-range or a policy-domain");
  return {
    policyDomain,
    submitter,
    reportId,
    filename: `${submitter}!${policyDomain}!${epoch(start)}!${epoch(end)}.json.gz`,
  };
}
