/**
 * TLS profiles as data (docs/standards.md §1, §5): a profile is a table of rules over the facts observed on an
 * endpoint (versions, suites, order, DH size, certificate), evaluated by one small interpreter. The
 * charter-2015 profile decides the verdict through the measures; the others are reported beside it
 * (docs/standards.md §7: on port 25 they are advisory).
 */
import type { ReportedVersion } from "../tls/cipher-suites.js";

/** Which suites a rule is about, by their properties in the cipher-suite table. */
export interface SuiteSelector {
  readonly ciphers?: readonly string[];
  readonly keyExchanges?: readonly string[];
  readonly macs?: readonly string[];
  readonly export?: true;
  readonly anonymous?: true;
  readonly nullCipher?: true;
  /** Exact IANA names. */
  readonly names?: readonly string[];
  /** Every AEAD suite (GCM, CCM, ChaCha20-Poly1305, all of TLS 1.3). */
  readonly aead?: true;
  /** Every CBC suite: a block cipher (AES, Camellia, ARIA, SEED, IDEA, DES, 3DES, RC2) without AEAD. */
  readonly cbc?: true;
  /** Every suite the inner selector does not match ("not ECDHE"): `{ "not": { "keyExchanges": ["ECDHE"] } }`. */
  readonly not?: SuiteSelector;
  /** Leave out anonymous suites even when another criterion matches them. */
  readonly excludeAnonymous?: true;
}

export type Rule =
  | {
      readonly kind: "forbid-versions";
      readonly versions: readonly ReportedVersion[];
      readonly level: "fail" | "warn";
    }
  | { readonly kind: "require-one-version"; readonly versions: readonly ReportedVersion[] }
  | { readonly kind: "forbid-suites"; readonly select: SuiteSelector; readonly level: "fail" | "warn" }
  /** `what` names the class of suites in the evidence ("forward-secret"), translated by the report. */
  | { readonly kind: "require-suites"; readonly select: SuiteSelector; readonly what: string }
  /** Where the server accepts both, the good suites must be chosen first (charter annex §2.2). */
  | {
      readonly kind: "prefer";
      readonly good: SuiteSelector;
      readonly bad: SuiteSelector;
      readonly names: { readonly good: string; readonly bad: string };
      /** Versions judged (default all): SHA-2 suites only exist from TLS 1.2. */
      readonly versions?: readonly ReportedVersion[];
    }
  | { readonly kind: "only-suites"; readonly names: readonly string[]; readonly level: "fail" | "warn" }
  | { readonly kind: "server-order"; readonly level: "fail" | "warn" }
  | { readonly kind: "client-order"; readonly level: "warn" }
  | { readonly kind: "min-dh-bits"; readonly bits: number; readonly level: "fail" | "warn" }
  | { readonly kind: "certificate-key"; readonly rsaBits: number; readonly ecBits: number }
  | { readonly kind: "certificate-signature"; readonly forbidden: readonly string[] }
  | { readonly kind: "max-certificate-days"; readonly days: number; readonly level: "fail" | "warn" }
  | { readonly kind: "no-compression" }
  | { readonly kind: "secure-renegotiation"; readonly level: "fail" | "warn" };

export interface ProfileRule {
  readonly id: string;
  /** Where the rule comes from: "ANSSI R4", "Mozilla intermediate", "charte §2.2". */
  readonly source: string;
  readonly rule: Rule;
  /** What to change when the rule does not pass, beside the measure's advice (report/advice.ts). */
  readonly advice?: { readonly fr: string; readonly en: string };
}

export interface Profile {
  readonly id: string;
  readonly title: string;
  readonly reference: string;
  readonly rules: readonly ProfileRule[];
  /**
   * When the profile is the annex of a charter version: the rules (by id, in order) each rule-judged
   * charter measure applies (measures/annex-measures.ts) — `mx.*` on port 25, `access.*` on the access
   * services. A measure the profile does not list has no rule to apply (`not_applicable`).
   */
  readonly measures?: Readonly<Partial<Record<string, readonly string[]>>>;
}
