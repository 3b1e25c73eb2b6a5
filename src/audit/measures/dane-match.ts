/**
 * Does one TLSA record match the served chain? RFC 6698 §2.1: the selector picks the full
 * certificate (0) or its SubjectPublicKeyInfo (1); the matching type compares the data itself (0),
 * its SHA-256 (1) or its SHA-512 (2). Usages 0/1 (PKIX-TA/EE) are unusable for SMTP (RFC 7672
 * §3.1.3): null. Usage 3 matches the leaf, usage 2 a certificate above it (RFC 7671 §5.2). Pure.
 */
import { createHash } from "node:crypto";
import type { TlsaRecord } from "../../net/dns-secure.js";
import type { CertificateSummary } from "../tls/certificate.js";

export function daneMatches(
  record: TlsaRecord,
  chain: readonly Pick<CertificateSummary, "digests">[],
): boolean | null {
  if (record.usage !== 2 && record.usage !== 3) return null;
  if (record.selector !== 0 && record.selector !== 1) return null;
  if (record.matchingType > 2) return null;
  const candidates = record.usage === 3 ? chain.slice(0, 1) : chain.slice(1);
  // Matching type 0 carries the whole DER: equal data has equal SHA-256 (and, short of a SHA-256
  // collision, only equal data has), so the full comparison is made on the digest we keep of it.
  const want =
    record.matchingType === 0
      ? createHash("sha256").update(record.data).digest("hex")
      : record.data.toString("hex").toLowerCase();
  return candidates.some((c) => {
    const d = c.digests;
    const full = record.selector === 0;
    const digest =
      record.matchingType === 2 ? (full ? d.certSha512 : d.spkiSha512) : full ? d.certSha256 : d.spkiSha256;
    return digest.toLowerCase() === want;
  });
}
