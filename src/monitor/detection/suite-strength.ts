/**
 * What makes a suite broken, a version weaker, a choice the charter's (pure).
 * Charte annexe §2.2: TLS 1.2 or better, AES chosen over 3DES and RC4, ECDHE key exchange, SHA-2.
 */
import { suiteByName } from "../../audit/tls/cipher-suites.js";

const versionRank: Readonly<Record<string, number>> = {
  SSLv2: 0,
  SSLv3: 1,
  TLSv1: 2,
  "TLSv1.1": 3,
  "TLSv1.2": 4,
  "TLSv1.3": 5,
};

/** The rank of a version name (higher is stronger); -1 when unknown. */
export const rankOfVersion = (version: string | null): number =>
  version === null ? -1 : (versionRank[version] ?? -1);

/** The strongest of the versions, or null. */
export function bestVersion(versions: readonly string[]): string | null {
  let best: string | null = null;
  for (const v of versions) if (rankOfVersion(v) > rankOfVersion(best)) best = v;
  return best;
}

/** RFC 7525 §4.1 / RFC 9325 §4.1: export, anonymous, NULL, RC4 (RFC 7465), DES, RC2 and MD5 suites. */
export function isBrokenSuite(name: string): boolean {
  const suite = suiteByName(name);
  if (!suite) return false;
  return (
    suite.export ||
    suite.anonymous ||
    suite.nullCipher ||
    ["RC4", "DES", "RC2", "NULL"].includes(suite.cipher) ||
    suite.mac === "MD5"
  );
}

export interface SuiteChoice {
  /** AES (CBC, GCM or CCM) chosen — or ChaCha20-Poly1305 (RFC 8439), as strong: not 3DES or RC4. */
  readonly aes: boolean;
  /** An ephemeral elliptic-curve key exchange (ECDHE, or TLS 1.3's key share). */
  readonly ecdhe: boolean;
  /** SHA-2 (or an AEAD with a SHA-2 PRF) for integrity. */
  readonly sha2: boolean;
}

/** What the suite the server chose says of the charter's three preferences; null for an unknown suite. */
export function suiteChoice(name: string): SuiteChoice | null {
  const suite = suiteByName(name);
  if (!suite) return null;
  return {
    aes: suite.cipher.startsWith("AES") || suite.cipher === "CHACHA20",
    ecdhe: suite.keyExchange === "ECDHE" || suite.keyExchange === "TLS13",
    sha2: ["SHA256", "SHA384", "SHA512", "AEAD"].includes(suite.mac),
  };
}
