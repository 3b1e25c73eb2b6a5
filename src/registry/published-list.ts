/**
 * The published list of signatories (charter art. 7): a JSON document with its issue time and an
 * expiry, and a detached Ed25519 signature over its exact bytes. A forged, altered or expired list
 * is refused — the lesson of the EFF STARTTLS policy list, which was signed and lived 14 days.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { z } from "zod";
import { inForceAt, type Signatory } from "./model.js";

export const listSchemaId = "mailcharter/list/1";

export const publishedListSchema = z.object({
  schema: z.literal(listSchemaId),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  signatories: z.array(
    z.object({
      name: z.string(),
      adhesionDate: z.string(),
      withdrawalEffectiveDate: z.string().nullable(),
      charterVersion: z.string(),
      domains: z.array(z.object({ domain: z.string(), mx: z.array(z.string()) })),
    }),
  ),
});

export type PublishedList = z.infer<typeof publishedListSchema>;

/** The list of signatories in force at `now`, valid for `validDays` (14 by default, as the EFF list). */
export function buildList(signatories: readonly Signatory[], now: Date, validDays = 14): PublishedList {
  const today = now.toISOString().slice(0, 10);
  return {
    schema: listSchemaId,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + validDays * 86_400_000).toISOString(),
    signatories: signatories
      .filter((s) => inForceAt(s, today))
      .map((s) => ({
        name: s.name,
        adhesionDate: s.adhesionDate,
        withdrawalEffectiveDate: s.withdrawalEffectiveDate,
        charterVersion: s.charterVersion,
        domains: s.domains,
      })),
  };
}

export function generateSigningKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** The exact bytes published, and their detached signature (base64). */
export function signList(list: PublishedList, privatePem: string): { body: Buffer; signature: string } {
  const body = Buffer.from(`${JSON.stringify(list, null, 2)}\n`, "utf8");
  return { body, signature: sign(null, body, createPrivateKey(privatePem)).toString("base64") };
}

export type VerifyResult =
  | { readonly ok: true; readonly list: PublishedList }
  | {
      readonly ok: false;
      readonly reason: "bad_signature" | "malformed" | "expired" | "not_yet_valid";
      readonly message: string;
    };

export function verifyList(
  body: Buffer,
  signatureBase64: string,
  publicPem: string,
  now: Date,
): VerifyResult {
  let valid = false;
  try {
    valid = verify(null, body, createPublicKey(publicPem), Buffer.from(signatureBase64.trim(), "base64"));
  } catch (error) {
    return {
      ok: false,
      reason: "bad_signature",
      message: `signature check failed: ${(error as Error).message}`,
    };
  }
  if (!valid)
    return { ok: false, reason: "bad_signature", message: "the signature does not match the list: refused" };
  let parsed: PublishedList;
  try {
    const result = publishedListSchema.safeParse(JSON.parse(body.toString("utf8")));
    if (!result.success)
      return { ok: false, reason: "malformed", message: result.error.issues[0]?.message ?? "malformed" };
    parsed = result.data;
  } catch (error) {
    return { ok: false, reason: "malformed", message: (error as Error).message };
  }
  if (now.getTime() >= Date.parse(parsed.expiresAt))
    return { ok: false, reason: "expired", message: `the list expired at ${parsed.expiresAt}` };
  if (now.getTime() < Date.parse(parsed.issuedAt) - 300_000)
    return { ok: false, reason: "not_yet_valid", message: `the list is issued at ${parsed.issuedAt}` };
  return { ok: true, list: parsed };
}
