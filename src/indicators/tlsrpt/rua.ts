/**
 * Where a policy domain wants its reports (RFC 8460 §3): the TXT record at `_smtp._tls.<domain>`,
 * `v=TLSRPTv1; rua=mailto:reports@example.org,https://reporting.example.org/v1/tlsrpt`. Pure parsing
 * of the record, and the look-up through the resolver seam. More than one TLSRPTv1 record, or none,
 * means no report is sent (RFC 8460 §3: "If multiple TXT records … are returned … reports are not sent").
 */
import type { Resolver } from "../../net/resolver.js";

export type RuaUri =
  | { readonly scheme: "mailto"; readonly address: string; readonly uri: string }
  | { readonly scheme: "https"; readonly url: string; readonly uri: string };

export type TlsRptRecord =
  | { readonly ok: true; readonly rua: readonly RuaUri[]; readonly ignored: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: "no_record" | "several_records" | "bad_record" | "dns_error";
      readonly detail: string;
    };

/** RFC 8460 §3: `v=TLSRPTv1` first, then `;`-separated fields; `rua` is a comma-separated list of URIs. */
export function parseTlsRptRecord(text: string): TlsRptRecord {
  const fields = text
    .split(";")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (fields[0]?.replace(/\s+/g, "") !== "v=TLSRPTv1")
    return {
      ok: false,
      reason: "bad_record",
      detail: `does not start with v=TLSRPTv1: "${text.slice(0, 80)}"`,
    };
  const rua = fields.slice(1).find((f) => /^rua\s*=/i.test(f));
  if (!rua) return { ok: false, reason: "bad_record", detail: "no rua= field" };
  const uris: RuaUri[] = [];
  const ignored: string[] = [];
  for (const raw of rua.replace(/^rua\s*=/i, "").split(",")) {
    // RFC 8460 §3: commas and semicolons inside a URI are %-encoded, so a split is safe.
    const uri = raw.trim();
    if (/^mailto:/i.test(uri)) {
      const address = decodeURIComponent(uri.slice(7).split("?")[0] ?? "");
      if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) uris.push({ scheme: "mailto", address, uri });
      else ignored.push(uri);
    } else if (/^https:\/\//i.test(uri)) {
      try {
        uris.push({ scheme: "https", url: new URL(uri).toString(), uri });
      } catch {
        ignored.push(uri);
      }
    } else ignored.push(uri); // http:, other schemes: RFC 8460 §3 knows only mailto and https
  }
  if (uris.length === 0) return { ok: false, reason: "bad_record", detail: `no usable rua URI in "${rua}"` };
  return { ok: true, rua: uris, ignored };
}

/** Looks up and parses the domain's TLSRPT record (RFC 8460 §3). */
export async function discoverRua(
  resolver: Resolver,
  domain: string,
  timeoutMs: number,
): Promise<TlsRptRecord> {
  const answer = await resolver.txt(`_smtp._tls.${domain}`, timeoutMs);
  if (!answer.ok)
    return answer.reason === "not_found" || answer.reason === "no_data"
      ? { ok: false, reason: "no_record", detail: `no TXT at _smtp._tls.${domain}` }
      : { ok: false, reason: "dns_error", detail: `_smtp._tls.${domain}: ${answer.message}` };
  const records = answer.value.filter((t) => /^\s*v\s*=\s*TLSRPTv1\s*(;|$)/.test(t));
  if (records.length === 0)
    return { ok: false, reason: "no_record", detail: `no v=TLSRPTv1 TXT at _smtp._tls.${domain}` };
  if (records.length > 1)
    return {
      ok: false,
      reason: "several_records",
      detail: `${records.length} TLSRPTv1 records at _smtp._tls.${domain}: none is used`,
    };
  return parseTlsRptRecord(records[0] as string);
}
