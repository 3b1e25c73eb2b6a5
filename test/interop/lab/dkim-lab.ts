/**
 * DKIM keys of the interop lab (test/interop/dkim-verify.test.ts): made when the lab starts, their
 * private halves written to `<lab dir>/dkim/`, their key records published in the lab zone under
 * `dkim.lab.test` — served by the lab's Knot, so both OpenDKIM and our verifier fetch them over DNS.
 *
 *   od   — rsa, the key the OpenDKIM milter signs with;    oded — ed25519, the same for ed25519-sha256;
 *   mc1  — rsa, nodemailer's and the test signer's key;   ed   — ed25519, the test signer's;
 *   gone — a revoked key (empty p=).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zone } from "./scenarios.js";

export const dkimDomain = `dkim.${zone}`;
export const dkimSelectors = ["od", "oded", "mc1", "ed"] as const;
export type DkimSelector = (typeof dkimSelectors)[number];

/** A TXT value in strings of at most 255 characters (RFC 1035 §3.3.14; RFC 6376 §3.6.2.2 joins them). */
const txt = (value: string) => (value.match(/.{1,200}/g) ?? []).map((s) => `"${s}"`).join(" ");

/** Makes the keys in `dir` and returns the zone lines publishing them. */
export function writeDkimKeys(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  for (const selector of dkimSelectors) {
    const ed = selector === "oded" || selector === "ed";
    const { privateKey, publicKey } = ed
      ? generateKeyPairSync("ed25519")
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, `${selector}.pem`), privateKey.export({ format: "pem", type: "pkcs8" }), {
      mode: 0o644, // read by the OpenDKIM milter, which the test runs as root; test keys only
    });
    const spki = publicKey.export({ format: "der", type: "spki" });
    const p = (ed ? spki.subarray(-32) : spki).toString("base64");
    const record = `v=DKIM1; k=${ed ? "ed25519" : "rsa"}; p=${p}`;
    writeFileSync(join(dir, `${selector}.txt`), record);
    lines.push(`${selector}._domainkey.dkim TXT ${txt(record)}`);
  }
  lines.push(`gone._domainkey.dkim TXT "v=DKIM1; k=rsa; p="`);
  return lines;
}
