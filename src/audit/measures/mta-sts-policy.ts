/** The MTA-STS policy file (RFC 8461 §3.2) and its MX patterns (RFC 8461 §4.1). Pure. */

export interface StsPolicy {
  readonly version: string | null;
  readonly mode: string | null;
  readonly maxAge: number | null;
  readonly mx: readonly string[];
}

/** RFC 8461 §3.2: "key: value" lines, LF or CRLF. */
export function parseStsPolicy(text: string): StsPolicy {
  const fields = text
    .split(/\r?\n/)
    .map((l) => /^([a-z_]+):\s*(.*?)\s*$/i.exec(l))
    .filter((m) => m !== null);
  const get = (k: string) => fields.filter((m) => m?.[1] === k).map((m) => m?.[2] ?? "");
  const maxAge = Number(get("max_age")[0]);
  return {
    version: get("version")[0] ?? null,
    mode: get("mode")[0] ?? null,
    maxAge: Number.isFinite(maxAge) ? maxAge : null,
    mx: get("mx"),
  };
}

/** RFC 8461 §4.1: "*." matches exactly one left-most label. */
export const stsMatches = (pattern: string, host: string) =>
  pattern.startsWith("*.")
    ? host.split(".").slice(1).join(".") === pattern.slice(2) &&
      host.split(".").length > pattern.split(".").length - 1
    : pattern === host;
