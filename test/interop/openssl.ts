/**
 * The reference peer: `openssl s_client` (Debian's OpenSSL 3) on the same endpoint, its findings in the
 * probe's vocabulary. Interop tests check that mailcharter agrees with it.
 */
import { execFile } from "node:child_process";
import type { CertificateStatus } from "../../src/audit/tls/certificate.js";

export interface OpensslView {
  readonly connected: boolean;
  readonly version: string | null;
  readonly cipher: string | null;
  readonly verification: string | null;
  readonly status: CertificateStatus | null;
  readonly output: string;
}

const verifyStatus: ReadonlyArray<[RegExp, CertificateStatus]> = [
  [/^OK$/, "valid"],
  [/certificate has expired/, "expired"],
  [/certificate is not yet valid/, "not_yet_valid"],
  [/^self[- ]signed certificate$/, "self_signed"],
  [/self[- ]signed certificate in certificate chain/, "untrusted"],
  [/unable to get local issuer certificate|unable to verify the first certificate/, "incomplete_chain"],
  [/hostname mismatch/, "wrong_host"],
];

export function sClient(options: {
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly caFile: string;
  readonly starttls?: "smtp" | "imap" | "pop3";
}): Promise<OpensslView> {
  const args = [
    "s_client",
    "-connect",
    `${options.address}:${options.port}`,
    "-servername",
    options.host,
    "-verify_hostname",
    options.host,
    "-CAfile",
    options.caFile,
    "-cipher",
    "ALL:@SECLEVEL=0",
    "-brief",
    ...(options.starttls ? ["-starttls", options.starttls, "-name", "probe.lab.test"] : []),
  ];
  return new Promise((resolve) => {
    const child = execFile("openssl", args, { timeout: 20_000 }, (_error, stdout, stderr) => {
      const output = `${stdout}\n${stderr}`;
      const pick = (re: RegExp) => re.exec(output)?.[1]?.trim() ?? null;
      const verification = pick(/^Verification: (.*)$/m) ?? pick(/^Verification error: (.*)$/m);
      const status = verification ? (verifyStatus.find(([re]) => re.test(verification))?.[1] ?? null) : null;
      resolve({
        connected: /CONNECTION ESTABLISHED/.test(output),
        version: pick(/^Protocol version: (.*)$/m),
        cipher: pick(/^Ciphersuite: (.*)$/m),
        verification,
        status,
        output,
      });
    });
    child.stdin?.end();
  });
}
