/**
 * The TLS cipher-suite table: one entry per IANA code point, with the properties the prober, the
 * measures and the reports need. Data in cipher-suite-registry.ts (generated); classification here.
 */
import { type RegistryRow, registryRows } from "./cipher-suite-registry.js";

export type KeyExchange =
  | "ECDHE"
  | "DHE"
  | "RSA"
  | "DH" // static DH, certificate-bound
  | "ECDH" // static ECDH
  | "PSK"
  | "DHE_PSK"
  | "ECDHE_PSK"
  | "RSA_PSK"
  | "SRP"
  | "KRB5"
  | "GOST"
  | "CECPQ1"
  | "TLS13" // TLS 1.3: negotiated by key_share, always ephemeral
  | "NULL";

export interface CipherSuite {
  readonly code: number;
  readonly name: string;
  readonly openssl: string | null;
  /** Lowest protocol version the suite is defined for. */
  readonly since: "SSLv3" | "TLSv1" | "TLSv1.2" | "TLSv1.3";
  readonly keyExchange: KeyExchange;
  readonly authentication: string;
  /** Cipher family: AES, AESGCM, AESCCM, AESCCM8, CHACHA20, 3DES, DES, RC4, RC2, IDEA, SEED, CAMELLIA, ARIA, GOST, NULL. */
  readonly cipher: string;
  readonly bits: number;
  /** MAC or PRF hash: AEAD, SHA1, SHA256, SHA384, MD5, … */
  readonly mac: string;
  readonly forwardSecret: boolean;
  readonly aead: boolean;
  readonly export: boolean;
  readonly anonymous: boolean;
  readonly nullCipher: boolean;
  /** Needs a shared secret or ticket (PSK, SRP, Kerberos): never negotiated with an anonymous scanner. */
  readonly needsCredentials: boolean;
}

function keyExchangeOf(name: string): KeyExchange {
  if (/^TLS_(AES|CHACHA20|SM4)_/.test(name) || name === "TLS_AES_128_CCM_8_SHA256") return "TLS13";
  const kx = /^TLS_(.+?)_WITH_/.exec(name)?.[1] ?? "";
  if (kx === "NULL") return "NULL";
  if (kx.startsWith("ECDHE_PSK")) return "ECDHE_PSK";
  if (kx.startsWith("DHE_PSK")) return "DHE_PSK";
  if (kx.startsWith("RSA_PSK")) return "RSA_PSK";
  if (kx.startsWith("PSK")) return "PSK";
  if (kx.startsWith("SRP")) return "SRP";
  if (kx.startsWith("KRB5")) return "KRB5";
  if (kx.startsWith("GOST")) return "GOST";
  if (kx.startsWith("CECPQ1")) return "CECPQ1";
  if (kx.startsWith("ECDHE")) return "ECDHE";
  if (kx.startsWith("ECDH_anon")) return "ECDHE"; // anonymous but ephemeral
  if (kx.startsWith("ECDH")) return "ECDH";
  if (kx.startsWith("DHE")) return "DHE";
  if (kx.startsWith("DH_anon")) return "DHE"; // anonymous but ephemeral
  if (kx.startsWith("DH")) return "DH";
  return "RSA";
}

function sinceOf(protocol: string, name: string): CipherSuite["since"] {
  if (protocol === "TLSv1.3") return "TLSv1.3";
  // GCM, CCM, ChaCha20 and SHA-256/384 MACs exist only in TLS 1.2 (RFC 5246 §1.2, RFC 5288/6655/7905).
  if (protocol === "TLSv1.2" || /_(GCM|CCM|CCM_8|POLY1305)_|_(SHA256|SHA384)$|_CCM(_8)?$/.test(name))
    return "TLSv1.2";
  if (protocol === "TLSv1") return "TLSv1";
  return "SSLv3";
}

function fromRow(row: RegistryRow): CipherSuite {
  const [code, name, openssl, protocol, , au, cipher, bits, mac, exported] = row;
  const keyExchange = keyExchangeOf(name);
  const anonymous = /_anon_/.test(name) || au === "None";
  const family = cipher.toUpperCase() === "NONE" ? "NULL" : cipher.toUpperCase();
  return {
    code,
    name,
    openssl,
    since: sinceOf(protocol, name),
    keyExchange,
    authentication: au,
    cipher: family,
    bits,
    mac: mac.toUpperCase(),
    forwardSecret: ["ECDHE", "DHE", "TLS13", "ECDHE_PSK", "DHE_PSK", "CECPQ1"].includes(keyExchange),
    aead: mac.toUpperCase() === "AEAD",
    export: exported || /_EXPORT(1024)?_/.test(name),
    anonymous: anonymous && keyExchange !== "TLS13",
    nullCipher: family === "NULL",
    needsCredentials: ["PSK", "DHE_PSK", "ECDHE_PSK", "RSA_PSK", "SRP", "KRB5"].includes(keyExchange),
  };
}

export const cipherSuites: readonly CipherSuite[] = registryRows.filter((r) => r[0] !== 0x0000).map(fromRow);

const byCode = new Map(cipherSuites.map((s) => [s.code, s]));
const byName = new Map(cipherSuites.map((s) => [s.name, s]));
const byOpenssl = new Map(cipherSuites.filter((s) => s.openssl).map((s) => [s.openssl as string, s]));

export const suiteByCode = (code: number): CipherSuite | undefined => byCode.get(code);
export const suiteByName = (name: string): CipherSuite | undefined => byName.get(name) ?? byOpenssl.get(name);

/** IANA name of a code point, or its hex spelling when it is not in the registry. */
export const suiteName = (code: number): string =>
  byCode.get(code)?.name ?? `0x${code.toString(16).toUpperCase().padStart(4, "0")}`;

export type ProtocolVersion = "SSLv3" | "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
/** Versions as reported (docs/contract.md §4): SSL 2.0 is detected, never enumerated. */
export type ReportedVersion = "SSLv2" | ProtocolVersion;

const rank: Readonly<Record<CipherSuite["since"] | ProtocolVersion, number>> = {
  SSLv3: 0,
  TLSv1: 1,
  "TLSv1.1": 2,
  "TLSv1.2": 3,
  "TLSv1.3": 4,
};

/** Suites a client may offer in a hello of this version (TLS 1.3 suites only in TLS 1.3). */
export function suitesFor(
  version: ProtocolVersion,
  options: { readonly includeCredentialSuites?: boolean } = {},
): CipherSuite[] {
  return cipherSuites.filter((s) => {
    if (!options.includeCredentialSuites && s.needsCredentials) return false;
    if (version === "TLSv1.3") return s.since === "TLSv1.3";
    return s.since !== "TLSv1.3" && rank[s.since] <= rank[version];
  });
}
