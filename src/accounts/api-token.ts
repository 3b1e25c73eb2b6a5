/**
 * API tokens for machine clients (`Authorization: Bearer`, RFC 6750 §2.1): 256 random bits, shown
 * once; only their SHA-256 is stored, so a copy of the database does not hold usable tokens. A token
 * is long and random, so a plain hash (no salt, no slow function) is enough, and lookup is by hash.
 */
import { createHash, randomBytes } from "node:crypto";

const marker = "mct_";

export function newToken(): { token: string; prefix: string; hash: string } {
  const token = `${marker}${randomBytes(32).toString("base64url")}`;
  return { token, prefix: token.slice(0, marker.length + 8), hash: tokenHash(token) };
}

export const tokenHash = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** The token of an `Authorization: Bearer …` header, or null (RFC 6750 §2.1: b64token syntax). */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header?.trim() ?? "");
  return match?.[1] ?? null;
}
