/**
 * The outbound test in the lab: one test domain per certificate variant under outbound.lab.test, each
 * with its MX record pointing at the variant's own address (ports.ts), as an operator publishes them
 * (README "Deploying the outbound test"). No label contains "starttls" (see the unit fixture).
 */
import type { OutboundConfig } from "../../../src/outbound/config.js";
import type { VariantConfig, VariantKind } from "../../../src/outbound/variant.js";
import { daysFromNow, type Issued, issue, selfSigned } from "../../support/pki.js";
import { outboundAddresses } from "./ports.js";
import { zone } from "./scenarios.js";

export const outboundLabels: Readonly<Record<VariantKind, string>> = {
  valid: "valid",
  "wrong-name": "wrongname",
  "self-signed": "selfsigned",
  expired: "expired",
  "no-starttls": "plain",
};

export const outboundKinds = Object.keys(outboundLabels) as VariantKind[];

/** `valid.outbound.lab.test`: the test domain of a variant. */
export const outboundDomain = (kind: VariantKind) => `${outboundLabels[kind]}.outbound.${zone}`;
/** `mx.valid.outbound.lab.test`: its MX host. */
export const outboundMx = (kind: VariantKind) => `mx.${outboundDomain(kind)}`;

export function outboundZoneLines(): string[] {
  return outboundKinds.flatMap((kind) => {
    const label = `${outboundLabels[kind]}.outbound`;
    return [`${label} MX 10 mx.${label}.${zone}.`, `mx.${label} A ${outboundAddresses[kind]}`];
  });
}

/** The variants' certificates from `ca` (the CA the sender trusts), and the listener's configuration. */
export async function outboundLabConfig(ca: Issued, testLifetimeMs: number): Promise<OutboundConfig> {
  const variants: VariantConfig[] = [];
  for (const kind of outboundKinds) {
    const mx = outboundMx(kind);
    const cert =
      kind === "no-starttls"
        ? null
        : kind === "self-signed"
          ? await selfSigned(mx)
          : kind === "expired"
            ? await issue(ca, mx, { notBefore: daysFromNow(-40), notAfter: daysFromNow(-10) })
            : kind === "wrong-name"
              ? await issue(ca, `other.${zone}`)
              : await issue(ca, mx);
    variants.push({
      kind,
      domain: outboundDomain(kind),
      mxHost: mx,
      listen: { host: outboundAddresses[kind], port: 25 },
      tls: cert ? { certPem: cert.pem, keyPem: cert.keyPem } : null,
    });
  }
  return { file: "(lab)", testLifetimeMs, variants };
}
