/**
 * Password hashing with scrypt (RFC 7914, node:crypto): a random salt per password, the cost in the
 * stored string so it can be raised later, and a constant-time comparison. Stored form:
 * `scrypt$N$r$p$salt$hash`, salt and hash in base64.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { serviceLimits } from "../core/limits.js";

interface Cost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function derive(password: string, salt: Buffer, cost: Cost, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      keyLength,
      { ...cost, maxmem: serviceLimits.scrypt.maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, cost: Cost = serviceLimits.scrypt): Promise<string> {
  const salt = randomBytes(serviceLimits.scrypt.saltBytes);
  const key = await derive(password, salt, cost, serviceLimits.scrypt.keyLength);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** False for a wrong password and for a stored value that is not ours (never throws on bad data). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split("$");
  if (scheme !== "scrypt" || !saltText || !hashText) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const expected = Buffer.from(hashText, "base64");
  if (expected.length < 16) return false;
  let actual: Buffer;
  try {
    actual = await derive(password, Buffer.from(saltText, "base64"), cost, expected.length);
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/** A generated password: 18 random bytes (144 bits) in base64url, 24 characters. */
export const generatePassword = (): string => randomBytes(18).toString("base64url");

/** Why a chosen password is refused, or null. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < serviceLimits.passwordMinChars)
    return `a password needs at least ${serviceLimits.passwordMinChars} characters`;
  if (length > serviceLimits.passwordMaxChars)
    return `a password has at most ${serviceLimits.passwordMaxChars} characters`;
  return null;
}
