/**
 * The certificate variants of the outbound test (Charte annexe §2.2: "employée en émission lorsque le
 * destinataire indique la supporter", and servers authenticated by certificates of a CA). The test
 * endpoint answers under several names, each the MX of its own test domain, each with one kind of
 * certificate — or none at all: what a sender does with each tells whether it uses STARTTLS, whether it
 * verifies the receiver's certificate, and whether it falls back to clear text.
 */

/** Wire-stable names of the variants (public contract: never renamed). */
export type VariantKind = "valid" | "wrong-name" | "self-signed" | "expired" | "no-starttls";

export const variantKinds: readonly VariantKind[] = [
  "valid",
  "wrong-name",
  "self-signed",
  "expired",
  "no-starttls",
];

/** The variants that offer STARTTLS with a certificate a verifying sender must refuse. */
export const invalidCertificateKinds: readonly VariantKind[] = ["wrong-name", "self-signed", "expired"];

export const offersStarttls = (kind: VariantKind): boolean => kind !== "no-starttls";

/** One variant as configured: its test domain (addresses are `<local>@domain`) and its MX name. */
export interface VariantConfig {
  readonly kind: VariantKind;
  /** The test domain whose MX record points at this listener (`valid.outbound.example`). */
  readonly domain: string;
  /** The listener's name: the MX target, the banner and EHLO greeting name. */
  readonly mxHost: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** PEM certificate chain and key; absent only for `no-starttls`. */
  readonly tls: { readonly certPem: string; readonly keyPem: string } | null;
}

/** One test address of a test, as stored and shown. */
export interface TestAddress {
  readonly kind: VariantKind;
  readonly address: string;
}
