/** The second reference peer: sslscan (Debian), its findings in the prober's vocabulary. */
import { execFile } from "node:child_process";
import type { ProtocolVersion } from "../../src/audit/tls/cipher-suites.js";

export interface SslscanView {
  readonly versions: ProtocolVersion[];
  /** Per version, suite code points accepted. */
  readonly suites: Partial<Record<ProtocolVersion, number[]>>;
  readonly groups13: number[];
  readonly xml: string;
}

const versionOf: Readonly<Record<string, ProtocolVersion>> = {
  "ssl 3": "SSLv3",
  "tls 1.0": "TLSv1",
  "tls 1.1": "TLSv1.1",
  "tls 1.2": "TLSv1.2",
  "tls 1.3": "TLSv1.3",
  SSLv3: "SSLv3",
  "TLSv1.0": "TLSv1",
  "TLSv1.1": "TLSv1.1",
  "TLSv1.2": "TLSv1.2",
  "TLSv1.3": "TLSv1.3",
};

export function sslscan(
  address: string,
  port: number,
  starttls?: "smtp" | "imap" | "pop3",
): Promise<SslscanView> {
  const args = [
    "--no-colour",
    "--no-heartbleed",
    "--xml=-",
    ...(starttls ? [`--starttls-${starttls}`] : []),
    `${address}:${port}`,
  ];
  return new Promise((resolve, reject) => {
    execFile("sslscan", args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      if (error && !stdout) {
        reject(error);
        return;
      }
      const versions: ProtocolVersion[] = [];
      for (const m of stdout.matchAll(/<protocol type="(ssl|tls)" version="([\d.]+)" enabled="1"/g)) {
        const v = versionOf[`${m[1]} ${m[2]}`];
        if (v) versions.push(v);
      }
      const suites: Partial<Record<ProtocolVersion, number[]>> = {};
      for (const m of stdout.matchAll(
        /<cipher status="\w+" sslversion="([^"]+)"[^>]* id="0x([0-9A-Fa-f]+)"/g,
      )) {
        const v = versionOf[m[1] ?? ""];
        if (!v) continue;
        suites[v] = [...(suites[v] ?? []), Number.parseInt(m[2] ?? "0", 16)];
      }
      const groups13 = [...stdout.matchAll(/<group sslversion="TLSv1.3"[^>]* id="0x([0-9A-Fa-f]+)"/g)].map(
        (m) => Number.parseInt(m[1] ?? "0", 16),
      );
      resolve({ versions, suites, groups13, xml: stdout });
    });
  });
}

/** Code points the local OpenSSL can offer at all: what sslscan, built on it, is able to test. */
export function opensslSuites(): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    execFile("openssl", ["ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      const codes = [...stdout.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2})/g)].map((m) =>
        Number.parseInt(`${m[1]}${m[2]}`, 16),
      );
      resolve(new Set(codes));
    });
  });
}
