/**
 * An independent DKIM verifier for the tests (RFC 6376), written against the RFC with node:crypto
 * only: relaxed or simple canonicalisation (§3.4), the body hash (§3.7) and the rsa-sha256 signature
 * over the signed header fields and the DKIM-Signature field with an empty b= (§3.7, §5.4).
 */
import { createHash, type KeyObject, verify } from "node:crypto";

export interface DkimCheck {
  readonly ok: boolean;
  readonly reason: string;
  readonly tags: Readonly<Record<string, string>>;
}

function splitMessage(raw: string): { headers: string[]; body: string } {
  const text = raw.replace(/\r?\n/g, "\r\n");
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? "" : text.slice(end + 4);
  const headers: string[] = [];
  for (const line of head.split("\r\n")) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += `\r\n${line}`;
    else headers.push(line);
  }
  return { headers, body };
}

/** RFC 6376 §3.4.2 */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(":");
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, "")
    .replace(/[ \t]+/g, " ")
    .trim();
  return `${name}:${value}`;
}

/** RFC 6376 §3.4.4 (relaxed) and §3.4.3 (simple) */
function canonicalBody(body: string, relaxed: boolean): string {
  let lines = body.split("\r\n");
  if (relaxed) lines = lines.map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return relaxed ? "" : "\r\n";
  return `${lines.join("\r\n")}\r\n`;
}

export function verifyDkim(raw: string, publicKey: KeyObject): DkimCheck {
  const { headers, body } = splitMessage(raw);
  const signatureField = headers.find((h) => /^dkim-signature:/i.test(h));
  if (!signatureField) return { ok: false, reason: "no DKIM-Signature", tags: {} };
  const tags: Record<string, string> = {};
  for (const part of signatureField
    .slice(signatureField.indexOf(":") + 1)
    .replace(/\r\n/g, "")
    .split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    tags[part.slice(0, eq).trim()] = part.slice(eq + 1).replace(/\s+/g, "");
  }
  if (tags.a !== "rsa-sha256") return { ok: false, reason: `algorithm ${tags.a}`, tags };
  const [headerCanon, bodyCanon = "simple"] = (tags.c ?? "simple/simple").split("/");
  const bh = createHash("sha256")
    .update(canonicalBody(body, bodyCanon === "relaxed"))
    .digest("base64");
  if (bh !== tags.bh) return { ok: false, reason: `body hash ${bh} ≠ bh=${tags.bh}`, tags };
  const used = new Map<string, number>();
  const lines: string[] = [];
  for (const name of (tags.h ?? "").split(":").map((n) => n.toLowerCase())) {
    // §5.4.2: the last occurrence not yet used, bottom up.
    const matching = headers.filter((h) => h.slice(0, h.indexOf(":")).trim().toLowerCase() === name);
    const n = used.get(name) ?? 0;
    const field = matching[matching.length - 1 - n];
    used.set(name, n + 1);
    if (field) lines.push(headerCanon === "relaxed" ? relaxedHeader(field) : field);
  }
  const withoutB = signatureField.replace(/(\bb=)[^;]*/, "$1");
  const signed = `${lines.map((l) => `${l}\r\n`).join("")}${
    headerCanon === "relaxed" ? relaxedHeader(withoutB) : withoutB
  }`;
  const ok = verify("sha256", Buffer.from(signed), publicKey, Buffer.from(tags.b ?? "", "base64"));
  return { ok, reason: ok ? "valid" : "signature does not verify", tags };
}
