/**
 * The published list of signatories (charter art. 7): a JSON document with its issue time and an
 * expiry, and a detached Ed25519 signature over its exact bytes. A forged, altered or expired list
 * is refused — the lesson of the EFF STARTTLS policy list, which was signed and lived 14 days.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { z } from "zod";
import { MailcharterError } from "../core/errors.js";
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

/** A key file that is not the kind of key asked for: bad input, said with the file's name. */
export class KeyFileError extends MailcharterError {
  constructor(message: string) {
    super("config", message);
    this.name = "KeyFileError";
  }
}

/** The Ed25519 private key in `pem` (PKCS#8, as `registry keygen` writes it); `what` names the file. */
export function signingKey(pem: string, what: string): KeyObject {
  if (!/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(pem))
    throw new KeyFileError(
      `${what}: not an Ed25519 private key (PEM "BEGIN PRIVATE KEY")${/BEGIN PUBLIC KEY/.test(pem) ? "; this is a public key" : ""}`,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new KeyFileError(`${what}: unreadable private key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new KeyFileError(`${what}: a ${key.asymmetricKeyType} key; the list is signed with Ed25519`);
  return key;
}

/** The Ed25519 public key in `pem` (SPKI, `KEY.pub` of `registry keygen`); `what` names the file. */
export function verificationKey(pem: string, what: string): KeyObject {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem))
    throw new KeyFileError(`${what}: not an Ed25519 public key (PEM "BEGIN PUBLIC KEY")`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new KeyFileError(`${what}: unreadable public key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new KeyFileError(`${what}: a ${key.asymmetricKeyType} key; the list is signed with Ed25519`);
  return key;
}

/** The exact bytes published, and their detached signature (base64). */
export function signList(
  list: PublishedList,
  privateKey: string | KeyObject,
): { body: Buffer; signature: string } {
  const key = typeof privateKey === "string" ? signingKey(privateKey, "signing key") : privateKey;
  const body = Buffer.from(`${JSON.stringify(list, null, 2)}\n`, "utf8");
  return { body, signature: sign(null, body, key).toString("base64") };
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
  publicKey: string | KeyObject,
  now: Date,
): VerifyResult {
  // A file that is no public key is bad input (KeyFileError), not a bad signature.
  const key = typeof publicKey === "string" ? verificationKey(publicKey, "public key") : publicKey;
  let valid = false;
  try {
    valid = verify(null, body, key, Buffer.from(signatureBase64.trim(), "base64"));
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
