/**
 * The few certificate fields Node 20's X509Certificate does not give us, read from the DER with a
 * minimal bounds-checked reader (RFC 5280 §4.1): the signature algorithm, and the raw issuer and
 * subject Names that index the trust store. A full ASN.1 library cost ~120 ms of start-up for this.
 */

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Reads the TLV at `offset`; null when the bytes do not hold one. */
function tlv(der: Buffer, offset: number): Tlv | null {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) return null;
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) return null;
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) return null;
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  return end > der.length ? null : { tag, start, end };
}

function oidText(bytes: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const [i, byte] of bytes.entries()) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0 && i >= 0)
        parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

const hashOfOid: Readonly<Record<string, { name: string; hash: string | null }>> = {
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", hash: "MD5" },
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", hash: "SHA-1" },
  "1.2.840.113549.1.1.14": { name: "sha224WithRSAEncryption", hash: "SHA-224" },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", hash: "SHA-512" },
  "1.2.840.113549.1.1.10": { name: "RSASSA-PSS", hash: null },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", hash: "SHA-1" },
  "1.2.840.10045.4.3.1": { name: "ecdsa-with-SHA224", hash: "SHA-224" },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", hash: "SHA-512" },
  "1.2.840.10040.4.3": { name: "dsa-with-SHA1", hash: "SHA-1" },
  "2.16.840.1.101.3.4.3.2": { name: "dsa-with-SHA256", hash: "SHA-256" },
  "1.3.101.112": { name: "Ed25519", hash: "Ed25519" },
  "1.3.101.113": { name: "Ed448", hash: "Ed448" },
};

const digestOfOid: Readonly<Record<string, string>> = {
  "1.3.14.3.2.26": "SHA-1",
  "2.16.840.1.101.3.4.2.4": "SHA-224",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** SHA-1, SHA-256, …; Ed25519/Ed448 for EdDSA; null when unknown. */
  readonly hash: string | null;
}

/** RFC 4055 §3.1: RSASSA-PSS-params [0] hashAlgorithm, SHA-1 when absent. */
function pssHash(der: Buffer, params: Tlv | null): string {
  if (params?.tag !== 0x30) return "SHA-1";
  const first = tlv(der, params.start);
  if (first?.tag !== 0xa0) return "SHA-1";
  const algorithm = tlv(der, first.start);
  const oid = algorithm ? tlv(der, algorithm.start) : null;
  return oid && oid.tag === 0x06
    ? (digestOfOid[oidText(der.subarray(oid.start, oid.end))] ?? "unknown")
    : "SHA-1";
}

export function signatureAlgorithmOf(der: Buffer): SignatureAlgorithm | null {
  const certificate = tlv(der, 0);
  if (certificate?.tag !== 0x30) return null;
  const tbs = tlv(der, certificate.start);
  if (!tbs) return null;
  const algorithm = tlv(der, tbs.end);
  if (algorithm?.tag !== 0x30) return null;
  const oid = tlv(der, algorithm.start);
  if (oid?.tag !== 0x06) return null;
  const text = oidText(der.subarray(oid.start, oid.end));
  const known = hashOfOid[text];
  if (!known) return { oid: text, name: text, hash: null };
  if (known.name === "RSASSA-PSS") {
    const params = oid.end < algorithm.end ? tlv(der, oid.end) : null;
    const hash = pssHash(der, params);
    return { oid: text, name: `RSASSA-PSS with ${hash}`, hash };
  }
  return { oid: text, ...known };
}

/** The DER bytes of the issuer and subject Names of a certificate (RFC 5280 §4.1.2.4, §4.1.2.6). */
export function namesOf(der: Buffer): { issuer: Buffer; subject: Buffer } | null {
  const certificate = tlv(der, 0);
  const tbs = certificate && certificate.tag === 0x30 ? tlv(der, certificate.start) : null;
  if (tbs?.tag !== 0x30) return null;
  let field = tlv(der, tbs.start);
  if (field && field.tag === 0xa0) field = tlv(der, field.end); // [0] version
  const signature = field ? tlv(der, field.end) : null; // serialNumber → signature
  const issuer = signature ? tlv(der, signature.end) : null;
  const validity = issuer ? tlv(der, issuer.end) : null;
  const subject = validity ? tlv(der, validity.end) : null;
  if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) return null;
  return {
    issuer: der.subarray(issuer.start, issuer.end),
    subject: der.subarray(subject.start, subject.end),
  };
}
