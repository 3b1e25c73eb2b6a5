/**
 * Webhook signatures, pure, as Standard Webhooks specifies them (so its verifier libraries work):
 * headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64>`, the
 * signature being HMAC-SHA256 with the shared secret over `<id>.<timestamp>.<body>`.
 *
 * A receiver verifies: recompute the HMAC over the id, timestamp and the raw body bytes with the
 * secret (the bytes after `whsec_`, base64-decoded, when the secret has that form), compare it in
 * constant time with each `v1,` value of the header, and refuse timestamps more than five minutes
 * from its clock (replays). The id is stable across retries of one message: receivers de-duplicate
 * by it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignedHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

export function signature(secret: Buffer, id: string, timestamp: number, body: Buffer): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest("base64")}`;
}

export function signHeaders(secret: Buffer, id: string, now: Date, body: Buffer): SignedHeaders {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signature(secret, id, timestamp, body),
  };
}

export type Verification = "valid" | "bad-signature" | "stale" | "malformed";

/** What a receiver does (and what our tests' receiver does). */
export function verifySignature(
  secret: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer,
  now: Date,
  toleranceSeconds = 300,
): Verification {
  const id = headers["webhook-id"];
  const timestamp = Number(headers["webhook-timestamp"]);
  const given = headers["webhook-signature"];
  if (!id || !given || !Number.isInteger(timestamp)) return "malformed";
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return "stale";
  const expected = Buffer.from(signature(secret, id, timestamp, body));
  const ok = given
    .split(" ")
    .map((s) => Buffer.from(s))
    .some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  return ok ? "valid" : "bad-signature";
}
