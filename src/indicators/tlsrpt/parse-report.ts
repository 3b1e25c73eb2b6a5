/**
 * Reading one report's bytes: gzip or JSON, whatever the name says (the magic number decides), inflated
 * under the caps of inflate.ts, decoded as UTF-8 (RFC 8259 §8.1), parsed, normalised (normalise.ts) and
 * checked against the report's own schema. Never throws: every outcome is a ParseOutcome.
 */
import { tlsrptLimits } from "../../core/limits.js";
import { gunzipBounded, type InflateLimits, isGzip } from "./inflate.js";
import { normaliseReport } from "./normalise.js";
import { type ParseOutcome, Refusal, type Warning } from "./outcome.js";
import { tlsRptReportSchema } from "./report-schema.js";
import type { Json } from "./tolerance.js";

export interface ParseLimits extends InflateLimits {
  readonly maxCompressedBytes: number;
}

const rejected = (
  reason: Refusal["reason"],
  detail: string,
  warnings: readonly Warning[] = [],
): ParseOutcome => ({
  kind: "rejected",
  reason,
  detail,
  warnings,
});

/** A report as received (compressed or not). */
export async function parseReportBytes(
  bytes: Buffer,
  limits: ParseLimits = tlsrptLimits,
): Promise<ParseOutcome> {
  if (bytes.length === 0) return rejected("empty", "no bytes");
  if (isGzip(bytes)) {
    if (bytes.length > limits.maxCompressedBytes)
      return rejected(
        "too_large",
        `${bytes.length} compressed bytes, over the ${limits.maxCompressedBytes} cap`,
      );
    const inflated = await gunzipBounded(bytes, limits);
    if (!inflated.ok) return rejected(inflated.reason, inflated.detail);
    return parseReportJson(inflated.bytes, limits);
  }
  return parseReportJson(bytes, limits);
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The JSON text of a report (already inflated). */
export function parseReportJson(
  bytes: Uint8Array,
  limits: Pick<ParseLimits, "maxReportBytes"> = tlsrptLimits,
): ParseOutcome {
  const warnings: Warning[] = [];
  if (bytes.length === 0) return rejected("empty", "no bytes");
  if (bytes.length > limits.maxReportBytes)
    return rejected(
      "inflated_too_large",
      `${bytes.length} bytes, over the ${limits.maxReportBytes} report cap`,
    );
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return rejected("not_utf8", "not UTF-8 text (RFC 8259 §8.1)");
  }
  if (text.charCodeAt(0) === 0xfeff) {
    warnings.push({
      code: "byte-order-mark",
      path: "",
      detail: "a UTF-8 byte order mark before the JSON (ignored)",
    });
    text = text.slice(1);
  }
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (error) {
    return rejected("not_json", `not JSON (${(error as Error).message.slice(0, 120)})`, warnings);
  }
  try {
    const report = normaliseReport(value, warnings);
    const checked = tlsRptReportSchema.safeParse(report);
    if (!checked.success)
      return rejected(
        "internal",
        `normalised report fails its schema: ${checked.error.message.slice(0, 200)}`,
        warnings,
      );
    return { kind: "report", report: checked.data, warnings };
  } catch (error) {
    if (error instanceof Refusal) return rejected(error.reason, error.message, warnings);
    // RangeError from a pathological document (stack depth) is a refusal too, never a crash.
    return rejected("internal", `unexpected: ${(error as Error).message}`, warnings);
  }
}
