/**
 * Certificate analysis of a served chain: path to a trust anchor (RFC 5280 §6 path building, with
 * signatures checked), validity dates, host name (RFC 6125 §6.4: DNS-ID from SAN, CN only without
 * SAN, wildcard only as the whole left-most label), whether the server sent the intermediates it needs,
 * key type and size, signature hash, SAN and EKU. Pure: the chain, store and time are parameters.
 */
import { createHash, X509Certificate } from "node:crypto";
import { signatureAlgorithmOf } from "./der.js";
import type { TrustStore } from "./trust-store.js";

/** docs/contract.md §4 status names, worst first when several apply. */
export type CertificateStatus =
  | "self_signed"
  | "untrusted"
  | "incomplete_chain"
  | "expired"
  | "not_yet_valid"
  | "wrong_host"
  | "valid";

export type CertificateProblem = Exclude<CertificateStatus, "valid">;

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyType: string;
  readonly keyBits: number | null;
  readonly signatureHash: string | null;
  readonly signatureAlgorithm: string;
  readonly fingerprintSha256: string;
  /** Hex digests for DANE matching (RFC 6698 §2.1: selector 0 full certificate, 1 SubjectPublicKeyInfo). */
  readonly digests: {
    readonly certSha256: string;
    readonly certSha512: string;
    readonly spkiSha256: string;
    readonly spkiSha512: string;
  };
  readonly subjectAltNames: readonly string[];
  readonly extendedKeyUsage: readonly string[];
}

export interface CertificateAnalysis extends CertificateSummary {
  readonly status: CertificateStatus;
  /** Every problem found, the status being the first. */
  readonly problems: readonly CertificateProblem[];
  readonly hostChecked: string | null;
  readonly hostMatches: boolean | null;
  readonly chainServed: number;
  /** Subjects from the leaf up to the anchor (or to where the path stopped). */
  readonly path: readonly string[];
  readonly trustAnchor: string | null;
  readonly ocspStapled: boolean;
  readonly chain: readonly CertificateSummary[];
}

const ekuNames: Readonly<Record<string, string>> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "2.5.29.37.0": "anyExtendedKeyUsage",
};

function keyOf(cert: X509Certificate): { keyType: string; keyBits: number | null } {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return { keyType: "RSA", keyBits: details.modulusLength ?? null };
    case "ec": {
      const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
      return {
        // Stryker disable next-line MethodExpression,StringLiteral: Node names every curve ("UNDEF" for
        // unnamed explicit parameters), so the name is never absent and the text has no outer blank.
        keyType: `EC ${details.namedCurve ?? ""}`.trim(),
        // Stryker disable next-line StringLiteral: as above, the fallback name is never looked up.
        keyBits: curveBits[details.namedCurve ?? ""] ?? null,
      };
    }
    case "ed25519":
      return { keyType: "Ed25519", keyBits: 256 };
    case "ed448":
      return { keyType: "Ed448", keyBits: 456 };
    case "dsa":
      return { keyType: "DSA", keyBits: details.modulusLength ?? null };
    default:
      // Stryker disable next-line StringLiteral: unreached; no certificate we can build has a key type Node leaves unnamed.
      return { keyType: String(key.asymmetricKeyType ?? "unknown"), keyBits: null };
  }
}

/** SAN entries as "DNS:name" / "IP Address:addr", parsed from Node's rendering (quoted when odd). */
function subjectAltNames(cert: X509Certificate): string[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  const out: string[] = [];
  // Stryker disable next-line Regex: Node escapes "," and '"' inside a quoted value (\u002c), so [^,]* also
  // reads a quoted value whole: the details of the quoted alternative are equivalent.
  const pattern = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const match of text.matchAll(pattern)) {
    // Stryker disable next-line MethodExpression,StringLiteral: Node quotes a value that holds a quote, so an
    // unquoted value never ends with one (startsWith ≡ endsWith); group 2 always participates (?? "" unused).
    const value = (match[2] ?? "").startsWith('"') ? JSON.parse(match[2] ?? '""') : (match[2] ?? "");
    // Stryker disable next-line MethodExpression,StringLiteral: ", " is consumed by the previous match, so
    // the type never has outer blanks (trim is a no-op); group 1 always participates.
    out.push(`${(match[1] ?? "").trim()}:${value}`);
  }
  return out;
}

const validity = (cert: X509Certificate) => ({
  notBefore: new Date(cert.validFrom),
  notAfter: new Date(cert.validTo),
});

function digestsOf(cert: X509Certificate): CertificateSummary["digests"] {
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  const hash = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest("hex");
  return {
    certSha256: hash("sha256", cert.raw),
    certSha512: hash("sha512", cert.raw),
    spkiSha256: hash("sha256", spki),
    spkiSha512: hash("sha512", spki),
  };
}

export function summarize(cert: X509Certificate): CertificateSummary {
  const { notBefore, notAfter } = validity(cert);
  const signature = signatureAlgorithmOf(cert.raw);
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    serialNumber: cert.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    ...keyOf(cert),
    // Stryker disable next-line OptionalChaining: `signature` is null only for DER that OpenSSL refused first.
    signatureHash: signature?.hash ?? null,
    // Stryker disable next-line OptionalChaining,StringLiteral: as above; an unknown OID is named by its OID.
    signatureAlgorithm: signature?.name ?? "unknown",
    fingerprintSha256: cert.fingerprint256,
    digests: digestsOf(cert),
    subjectAltNames: subjectAltNames(cert),
    extendedKeyUsage: (cert.keyUsage ?? []).map((oid) => ekuNames[oid] ?? oid),
  };
}

/** `issuer` signed `subject`: names chain and the signature verifies. */
function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } /* Stryker disable next-line BlockStatement: an empty catch returns undefined, as falsy as false */ catch {
    // Stryker disable next-line BooleanLiteral: defensive, unreached: OpenSSL's checkIssued already refuses
    // an issuer whose key type cannot verify the signature, so verify() does not throw.
    return false;
  }
}

const isSelfSigned = (cert: X509Certificate) => issuedBy(cert, cert);

interface PathResult {
  readonly path: readonly X509Certificate[];
  readonly anchor: X509Certificate | null;
  readonly problem: "self_signed" | "untrusted" | "incomplete_chain" | null;
}

/** Builds leaf → served intermediates → anchor. Anchors win over served copies of the same CA. */
function buildPath(served: readonly X509Certificate[], store: TrustStore): PathResult {
  const leaf = served[0];
  // Stryker disable next-line all: unreachable through analyzeChain, which returns null without a leaf.
  if (!leaf) return { path: [], anchor: null, problem: "incomplete_chain" };
  const path: X509Certificate[] = [leaf];
  const isAnchor = (cert: X509Certificate) => store.contains(cert);
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (isAnchor(current)) return { path, anchor: current, problem: null };
    const anchor = store.issuersOf(current).find((a) => issuedBy(current, a));
    if (anchor) return { path: [...path, anchor], anchor, problem: null };
    if (isSelfSigned(current)) {
      return { path, anchor: null, problem: current === leaf ? "self_signed" : "untrusted" };
    }
    const next = served.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!next) return { path, anchor: null, problem: "incomplete_chain" };
    path.push(next);
    current = next;
  }
  return { path, anchor: null, problem: "untrusted" };
}

export interface AnalyzeOptions {
  /** The name the client asked for; null when probing an IP literal (no host check). */
  readonly host: string | null;
  readonly store: TrustStore;
  readonly now: Date;
  readonly ocspStapled: boolean;
}

export function analyzeChain(
  chainDer: readonly Buffer[],
  options: AnalyzeOptions,
): CertificateAnalysis | null {
  const served = chainDer.map((der) => new X509Certificate(der));
  const leaf = served[0];
  if (!leaf) return null;
  const problems: CertificateProblem[] = [];
  const { path, anchor, problem } = buildPath(served, options.store);
  if (problem) problems.push(problem);
  const checked = path.filter((c) => c !== anchor || !anchor);
  const now = options.now.getTime();
  const dates = checked.map(validity);
  if (dates.some((c) => c.notAfter.getTime() < now)) problems.push("expired");
  if (dates.some((c) => c.notBefore.getTime() > now)) problems.push("not_yet_valid");
  let hostMatches: boolean | null = null;
  if (options.host) {
    // OpenSSL X509_check_host: SAN dNSName first, CN only when there is no SAN; no partial wildcards.
    hostMatches =
      leaf.checkHost(options.host, {
        wildcards: true,
        partialWildcards: false,
        multiLabelWildcards: false,
      }) !== undefined;
    if (!hostMatches) problems.push("wrong_host");
  }
  // Stryker disable all: problems are pushed in this very order, so the sort is a safeguard for future
  // checks and its mutants are equivalent today.
  const order: CertificateStatus[] = [
    "self_signed",
    "untrusted",
    "incomplete_chain",
    "expired",
    "not_yet_valid",
    "wrong_host",
  ];
  problems.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  // Stryker restore all
  return {
    ...summarize(leaf),
    status: problems[0] ?? "valid",
    problems,
    hostChecked: options.host,
    hostMatches,
    chainServed: served.length,
    path: path.map((c) => c.subject.replace(/\n/g, ", ")),
    trustAnchor: anchor ? anchor.subject.replace(/\n/g, ", ") : null,
    ocspStapled: options.ocspStapled,
    chain: served.map(summarize),
  };
}
