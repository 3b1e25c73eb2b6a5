/**
 * Certificates made to fail: any subject key type (DSA, Ed448, RSA-PSS, X25519, secp256k1 …), any
 * SAN and EKU, exact validity dates, long chains, and forged copies whose names are right but whose
 * signature is not. ECDSA P-256 issuers keep key generation fast.
 */
import { webcrypto, X509Certificate } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Forged {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly der: Buffer;
  readonly x509: X509Certificate;
}

export interface ForgeOptions {
  /** The subject public key as SPKI DER (default: a fresh ECDSA P-256 key). */
  readonly spki?: Buffer;
  readonly ca?: boolean;
  readonly sans?: readonly { readonly type: "dns" | "ip" | "email"; readonly value: string }[];
  /** EKU OIDs; none when absent. */
  readonly eku?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Extra RDNs after the CN, e.g. ", O=Lab". */
  readonly nameSuffix?: string;
}

const day = 86_400_000;
let serial = 0x5000;

const newKeys = async () =>
  (await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"])) as unknown as webcrypto.CryptoKeyPair;

function done(cert: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): Forged {
  const der = Buffer.from(cert.rawData);
  return { cert, keys, der, x509: new X509Certificate(der) };
}

/** A self-signed CA. */
export async function forgeRoot(name: string, options: ForgeOptions = {}): Promise<Forged> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16),
    name: `CN=${name}${options.nameSuffix ?? ""}`,
    notBefore: options.notBefore ?? new Date(Date.now() - 30 * day),
    notAfter: options.notAfter ?? new Date(Date.now() + 3650 * day),
    signingAlgorithm: ecdsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return done(cert, keys);
}

/** A certificate for `subject` signed by `issuer`. */
export async function forge(issuer: Forged, subject: string, options: ForgeOptions = {}): Promise<Forged> {
  const keys = await newKeys();
  const publicKey = options.spki ? new x509.PublicKey(options.spki) : keys.publicKey;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
  ];
  if (!options.spki) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (options.ca) {
    extensions.push(
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    );
  }
  if (options.eku) extensions.push(new x509.ExtendedKeyUsageExtension([...options.eku]));
  if (options.sans) extensions.push(new x509.SubjectAlternativeNameExtension([...options.sans]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16),
    subject: `CN=${subject}${options.nameSuffix ?? ""}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - day),
    notAfter: options.notAfter ?? new Date(Date.now() + 90 * day),
    signingAlgorithm: ecdsa,
    publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  return done(cert, keys);
}

/**
 * The same certificate with one bit of its signature flipped: every name, key identifier and key is
 * right, only the signature is wrong (the last byte of the DER is the signature's last byte).
 */
export function withBadSignature(original: Forged): Forged {
  const der = Buffer.from(original.der);
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return { ...original, der, x509: new X509Certificate(der) };
}
