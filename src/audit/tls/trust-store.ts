/**
 * The trust store: Node's built-in Mozilla roots plus the roots of `--ca-file` (docs/contract.md §5). Roots are
 * indexed by the DER of their subject Name and parsed only when a chain names them as issuer: parsing
 * all 144 roots up front cost ~40 ms per run.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { MailcharterError } from "../../core/errors.js";
import { namesOf } from "./der.js";

export interface TrustStore {
  /** Trust anchors whose subject is the issuer of `cert`. */
  issuersOf(cert: X509Certificate): readonly X509Certificate[];
  /** Whether `cert` itself is a trust anchor. */
  contains(cert: X509Certificate): boolean;
  readonly description: string;
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function parsePemCertificates(text: string, source: string): X509Certificate[] {
  const blocks = text.match(pemBlock) ?? [];
  if (blocks.length === 0) throw new MailcharterError("config", `${source}: no PEM certificate found`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new MailcharterError("config", `${source}: certificate #${index + 1} cannot be parsed`, {
        cause: error,
      });
    }
  });
}

const derOfPem = (pem: string) =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ""), "base64");

/** An anchor known by its DER; parsed on first use. */
class Anchor {
  private parsed: X509Certificate | null = null;
  constructor(readonly der: Buffer) {}
  get cert(): X509Certificate {
    this.parsed ??= new X509Certificate(this.der);
    return this.parsed;
  }
}

export function trustStoreOf(
  anchors: readonly (X509Certificate | Buffer)[],
  description: string,
): TrustStore {
  const bySubject = new Map<string, Anchor[]>();
  for (const item of anchors) {
    const der = Buffer.isBuffer(item) ? item : item.raw;
    const names = namesOf(der);
    if (!names) continue;
    const key = names.subject.toString("hex");
    bySubject.set(key, [...(bySubject.get(key) ?? []), new Anchor(der)]);
  }
  const candidates = (name: Buffer | undefined) => (name ? (bySubject.get(name.toString("hex")) ?? []) : []);
  return {
    description,
    issuersOf: (cert) => candidates(namesOf(cert.raw)?.issuer).map((a) => a.cert),
    contains: (cert) => candidates(namesOf(cert.raw)?.subject).some((a) => a.der.equals(cert.raw)),
  };
}

export function trustStore(
  options: { readonly caFiles?: readonly string[]; readonly includeSystemRoots?: boolean } = {},
): TrustStore {
  const anchors: Buffer[] = [];
  const parts: string[] = [];
  if (options.includeSystemRoots !== false) {
    anchors.push(...rootCertificates.map(derOfPem));
    parts.push(`Node.js bundled Mozilla roots (${rootCertificates.length})`);
  }
  for (const file of options.caFiles ?? []) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new MailcharterError("config", `--ca-file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const extra = parsePemCertificates(text, `--ca-file ${file}`);
    anchors.push(...extra.map((c) => c.raw));
    parts.push(`${file} (${extra.length})`);
  }
  return trustStoreOf(anchors, parts.join(" + "));
}
