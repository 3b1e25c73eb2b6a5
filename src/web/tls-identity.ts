/**
 * The server's TLS identity: the operator's certificate and key (`--tls-cert`, `--tls-key`), or a
 * self-signed certificate generated once in the data directory (ECDSA P-256, key file 0600), for a
 * first start on a machine without a certificate. Its SHA-256 fingerprint is printed at start, so a
 * user can check what the browser shows before trusting it.
 */
import { createHash, KeyObject, webcrypto, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { MailcharterError } from "../core/errors.js";
import { readOrCreate } from "./data-dir.js";

export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the certificate's DER, `AB:CD:…` as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint: string;
  readonly source: "files" | "generated" | "data-dir";
  readonly certPath: string;
}

export function fingerprintOf(certPem: string): string {
  let der: Buffer;
  try {
    der = new X509Certificate(certPem).raw;
  } catch (error) {
    throw new MailcharterError("config", `not a PEM certificate: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return (createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g) ?? []).join(":");
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new MailcharterError("config", `${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function identityFromFiles(certPath: string, keyPath: string): TlsIdentity {
  const cert = readPem(certPath, "--tls-cert");
  const key = readPem(keyPath, "--tls-key");
  return { cert, key, fingerprint: fingerprintOf(cert), source: "files", certPath };
}

/** Names the generated certificate covers: the listen address, the machine's name, localhost. */
export function certificateNames(listenHost: string): { dns: string[]; ips: string[] } {
  const dns = new Set(["localhost"]);
  const ips = new Set(["127.0.0.1", "::1"]);
  const host = listenHost.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    if (host !== "0.0.0.0" && host !== "::") ips.add(host);
  } else if (host) dns.add(host.toLowerCase());
  const machine = hostname();
  if (machine && !isIP(machine)) dns.add(machine.toLowerCase());
  return { dns: [...dns], ips: [...ips] };
}

async function generate(names: { dns: string[]; ips: string[] }): Promise<{ cert: string; key: string }> {
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash("sha256")
      .update(String(now))
      .update(String(Math.random()))
      .digest("hex")
      .slice(0, 16),
    name: `CN=${names.dns.find((n) => n !== "localhost") ?? "localhost"}, O=mailcharter (self-signed)`,
    notBefore: new Date(now - 3_600_000),
    // CA/Browser Forum: at most 398 days for a server certificate.
    notAfter: new Date(now + 397 * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: "dns" as const, value })),
        ...names.ips.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return {
    cert: cert.toString("pem"),
    key: KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** The certificate of the data directory, generated on first start (and again once it has expired). */
export async function selfSignedIdentity(dataDir: string, listenHost: string): Promise<TlsIdentity> {
  const existing = (() => {
    try {
      return {
        cert: readFileSync(`${dataDir}/tls-cert.pem`, "utf8"),
        key: readFileSync(`${dataDir}/tls-key.pem`, "utf8"),
      };
    } catch {
      return null;
    }
  })();
  const valid =
    existing && new Date(new X509Certificate(existing.cert).validTo).getTime() > Date.now() + 86_400_000;
  if (existing && valid) {
    readOrCreate(dataDir, "tls-key.pem", () => existing.key); // checks its mode
    return {
      ...existing,
      fingerprint: fingerprintOf(existing.cert),
      source: "data-dir",
      certPath: `${dataDir}/tls-cert.pem`,
    };
  }
  const made = await generate(certificateNames(listenHost));
  const { writeFileSync, chmodSync } = await import("node:fs");
  writeFileSync(`${dataDir}/tls-key.pem`, made.key, { mode: 0o600 });
  chmodSync(`${dataDir}/tls-key.pem`, 0o600);
  writeFileSync(`${dataDir}/tls-cert.pem`, made.cert, { mode: 0o644 });
  return {
    ...made,
    fingerprint: fingerprintOf(made.cert),
    source: "generated",
    certPath: `${dataDir}/tls-cert.pem`,
  };
}
