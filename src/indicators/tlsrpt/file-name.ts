/**
 * RFC 8460 §5.3 file names: `sender "!" policy-domain "!" begin-timestamp "!" end-timestamp
 * [ "!" unique-id ] "." extension`, timestamps in seconds since the epoch, extension `json` or `json.gz`
 * (e.g. `mail.sender.example!recipient.example!1470013207!1470186007!001.json.gz`).
 */
import type { TlsRptReport } from "./report-schema.js";

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function reportFileName(
  sender: string,
  report: TlsRptReport,
  options: { readonly uniqueId?: string; readonly gzip: boolean },
): string {
  const domain = report.policies[0]?.policy["policy-domain"] ?? "unknown";
  const range = report["date-range"];
  const unique = options.uniqueId ? `!${options.uniqueId.replace(/[^A-Za-z0-9._-]/g, "_")}` : "";
  return `${sender}!${domain}!${epoch(range["start-datetime"])}!${epoch(range["end-datetime"])}${unique}.${options.gzip ? "json.gz" : "json"}`;
}
