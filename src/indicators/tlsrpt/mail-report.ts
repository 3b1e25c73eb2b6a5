/**
 * A report mail (RFC 8460 §5.3.1): `multipart/report; report-type=tlsrpt` (RFC 6522) whose report part
 * is `application/tlsrpt+gzip` or `application/tlsrpt+json`. In the wild the part is also labelled
 * `application/gzip`, `application/json` or `application/octet-stream`, named anything, and the mail
 * may carry a text and an HTML part beside it: the part is chosen by what its bytes are (gzip magic, or
 * JSON text), media type first. Never throws.
 */
import { simpleParser } from "mailparser";
import { tlsrptLimits } from "../../core/limits.js";
import { isGzip } from "./inflate.js";
import type { ParseOutcome, Warning } from "./outcome.js";
import { parseReportBytes } from "./parse-report.js";
import { tlsrptGzipType, tlsrptJsonType } from "./wire.js";

export interface MailReport {
  /** The report part's bytes as received (compressed or not), or null when none was found. */
  readonly part: Buffer | null;
  readonly filename: string | null;
  readonly outcome: ParseOutcome;
}

const rank = (contentType: string): number => {
  const type = contentType.toLowerCase();
  if (type === tlsrptGzipType || type === tlsrptJsonType) return 0;
  if (/^application\/(gzip|x-gzip|json|octet-stream)$/.test(type)) return 1;
  return 2;
};

const looksLikeJson = (bytes: Buffer) =>
  /^\s*\{/.test(
    bytes
      .subarray(0, 64)
      .toString("latin1")
      .replace(/^\ufeff|^\xef\xbb\xbf/, ""),
  );

export async function parseReportMail(mail: Buffer, limits = tlsrptLimits): Promise<MailReport> {
  const none = (reason: "bad_mail" | "no_report_in_mail" | "too_large", detail: string): MailReport => ({
    part: null,
    filename: null,
    outcome: { kind: "rejected", reason, detail, warnings: [] },
  });
  if (mail.length > limits.maxMailBytes)
    return none("too_large", `a mail of ${mail.length} bytes, over the ${limits.maxMailBytes} cap`);
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(mail, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch (error) {
    return none("bad_mail", `not a readable mail (${(error as Error).message.slice(0, 120)})`);
  }
  const contentType = parsed.headers.get("content-type") as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const isReport =
    contentType?.value?.toLowerCase() === "multipart/report" &&
    contentType.params?.["report-type"]?.toLowerCase() === "tlsrpt";
  const candidates = parsed.attachments
    .filter((a) => isGzip(a.content) || looksLikeJson(a.content))
    .sort((a, b) => rank(a.contentType) - rank(b.contentType));
  const chosen = candidates[0];
  if (!chosen)
    return none(
      "no_report_in_mail",
      `no gzip or JSON part among ${parsed.attachments.length} attachment(s)${isReport ? "" : " (and not a multipart/report mail)"}`,
    );
  const outcome = await parseReportBytes(chosen.content, limits);
  const warnings: Warning[] = isReport
    ? []
    : [
        {
          code: "mail-not-report",
          path: "",
          detail: `the mail is ${contentType?.value ?? "without a content type"}, not multipart/report; report-type=tlsrpt (RFC 8460 §5.3.1)`,
        },
      ];
  return {
    part: chosen.content,
    filename: chosen.filename ?? null,
    outcome: warnings.length === 0 ? outcome : { ...outcome, warnings: [...warnings, ...outcome.warnings] },
  };
}
