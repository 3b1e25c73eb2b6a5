/**
 * Test addresses: one local part per test, drawn from the operating system's CSPRNG (128 bits, so it
 * cannot be guessed or enumerated), shared by every variant's domain. Parsing is strict: anything else
 * is not a test address and is refused at RCPT (no relaying).
 */
import { randomBytes } from "node:crypto";
import type { TestAddress, VariantConfig } from "./variant.js";

/** RFC 4648 §6 base32 alphabet in lower case: case-insensitive local parts survive any MTA. */
const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
const prefix = "mc-";
/** 16 bytes = 128 bits of entropy → 26 base32 characters. */
const localPartPattern = /^mc-[a-z2-7]{26}$/;

export function newLocalPart(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(16);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return `${prefix}${out}`;
}

export const isLocalPart = (text: string): boolean => localPartPattern.test(text);

export function addressesOf(localPart: string, variants: readonly VariantConfig[]): TestAddress[] {
  return variants.map((v) => ({ kind: v.kind, address: `${localPart}@${v.domain}` }));
}

/**
 * The local part of a recipient when it is a test address of `domain` (case-insensitive, RFC 5321
 * §2.4 lets the receiver decide for its own local parts), else null.
 */
export function testLocalPart(recipient: string, domain: string): string | null {
  const at = recipient.lastIndexOf("@");
  if (at <= 0) return null;
  const local = recipient.slice(0, at).toLowerCase();
  const host = recipient
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, "");
  if (host !== domain.toLowerCase()) return null;
  return isLocalPart(local) ? local : null;
}
