/**
 * The trust store: Node's built-in Mozilla roots plus the roots of `--ca-file` (SPEC §5). Parsed
 * once per store; certificate analysis receives it as a parameter.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { MailcharterError } from "../../core/errors.js";

export interface TrustStore {
  readonly anchors: readonly X509Certificate[];
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

let mozillaRoots: X509Certificate[] | null = null;

export function trustStore(
  options: { readonly caFiles?: readonly string[]; readonly includeSystemRoots?: boolean } = {},
): TrustStore {
  const anchors: X509Certificate[] = [];
  const parts: string[] = [];
  if (options.includeSystemRoots !== false) {
    mozillaRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
    anchors.push(...mozillaRoots);
    parts.push(`Node.js bundled Mozilla roots (${mozillaRoots.length})`);
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
    anchors.push(...extra);
    parts.push(`${file} (${extra.length})`);
  }
  return { anchors, description: parts.join(" + ") };
}
