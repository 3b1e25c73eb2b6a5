/** Certificates and a configuration of the outbound listener on 127.0.0.1 ephemeral ports (unit tests). */
import type { OutboundConfig } from "../../../src/outbound/config.js";
import type { VariantConfig, VariantKind } from "../../../src/outbound/variant.js";
import { daysFromNow, issue, rootCa, selfSigned } from "../../support/pki.js";

export const labels: Readonly<Record<VariantKind, string>> = {
  valid: "valid",
  "wrong-name": "wrongname",
  "self-signed": "selfsigned",
  expired: "expired",
  "no-starttls": "plain",
};

export async function unitConfig(kinds: readonly VariantKind[]): Promise<OutboundConfig> {
  const ca = await rootCa("outbound unit CA");
  const variants: VariantConfig[] = [];
  for (const kind of kinds) {
    // No "starttls" in a name: a client matching /[ -]STARTTLS/i in the EHLO reply (nodemailer does)
    // would take "mx-no-starttls" in the greeting line for the extension.
    const label = labels[kind];
    const mxHost = `mx-${label}.t.example`;
    const cert =
      kind === "no-starttls"
        ? null
        : kind === "self-signed"
          ? await selfSigned(mxHost)
          : kind === "expired"
            ? await issue(ca, mxHost, { notBefore: daysFromNow(-30), notAfter: daysFromNow(-1) })
            : await issue(ca, kind === "wrong-name" ? "other.example" : mxHost);
    variants.push({
      kind,
      domain: `${label}.t.example`,
      mxHost,
      listen: { host: "127.0.0.1", port: 0 },
      tls: cert ? { certPem: cert.pem, keyPem: cert.keyPem } : null,
    });
  }
  return { file: "(unit)", testLifetimeMs: 60_000, variants };
}
