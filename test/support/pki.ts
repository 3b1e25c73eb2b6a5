/**
 * A small test PKI: root and intermediate CAs and leaf certificates with any dates, names and keys,
 * made in-process with WebCrypto and @peculiar/x509. Used by unit tests (certificate analysis) and by
 * the interop lab (server certificates).
 */
import { KeyObject, webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const rsa = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly pem: string;
  readonly keyPem: string;
  readonly der: Buffer;
}

const day = 24 * 3600 * 1000;
let serial = 0x1000;

async function keyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  return KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString();
}

async function finish(cert: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): Promise<Issued> {
  return {
    cert,
    keys,
    pem: cert.toString("pem"),
    keyPem: await keyPem(keys),
    der: Buffer.from(cert.rawData),
  };
}

export async function newKeys(modulusLength = 2048): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ ...rsa, modulusLength }, true, [
    "sign",
    "verify",
  ])) as unknown as webcrypto.CryptoKeyPair;
}

export async function rootCa(
  name: string,
  options: { notBefore?: Date; notAfter?: Date } = {},
): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16),
    name: `CN=${name}, O=mailcharter lab`,
    notBefore: options.notBefore ?? new Date(Date.now() - 30 * day),
    notAfter: options.notAfter ?? new Date(Date.now() + 3650 * day),
    signingAlgorithm: rsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return finish(cert, keys);
}

export interface IssueOptions {
  readonly ca?: boolean;
  readonly dnsNames?: readonly string[];
  /** IP address SANs (a server reached by its address, e.g. a lab mailbox). */
  readonly ipAddresses?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly hash?: "SHA-1" | "SHA-256" | "SHA-384";
}

/** WebCrypto binds the hash to an RSA key: re-import the issuer's key to sign with another hash. */
async function signingKeyFor(issuer: Issued, hash: string): Promise<webcrypto.CryptoKey> {
  if (hash === "SHA-256") return issuer.keys.privateKey;
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", issuer.keys.privateKey);
  return webcrypto.subtle.importKey("pkcs8", pkcs8, { name: rsa.name, hash }, false, ["sign"]);
}

export async function issue(issuer: Issued, subject: string, options: IssueOptions = {}): Promise<Issued> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
    new x509.KeyUsagesExtension(
      options.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
  ];
  if (!options.ca) {
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
    const names = options.dnsNames ?? [subject];
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...names.map((value) => ({ type: "dns" as const, value })),
        ...(options.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16),
    subject: `CN=${subject}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - day),
    notAfter: options.notAfter ?? new Date(Date.now() + 90 * day),
    signingAlgorithm: { ...rsa, hash: options.hash ?? "SHA-256" },
    publicKey: keys.publicKey,
    signingKey: await signingKeyFor(issuer, options.hash ?? "SHA-256"),
    extensions,
  });
  return finish(cert, keys);
}

export async function selfSigned(subject: string, dnsNames: readonly string[] = [subject]): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16),
    name: `CN=${subject}`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 90 * day),
    signingAlgorithm: rsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: "dns" as const, value }))),
    ],
  });
  return finish(cert, keys);
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * day);
