/**
 * The TLS-RPT mail loop's names in the lab zone: A's domain and MX, B's domain and MX, and B's TLSRPT
 * record (RFC 8460 §3) whose rua is a mailbox of B's own domain — what B publishes for A to find.
 */
import { mailLoopAddresses } from "./ports.js";
import { zone } from "./scenarios.js";

export const mailLoop = {
  alphaDomain: `alpha.loop.${zone}`,
  alphaMx: `mx.alpha.loop.${zone}`,
  betaDomain: `beta.loop.${zone}`,
  betaMx: `mx.beta.loop.${zone}`,
  rua: `tlsrpt@beta.loop.${zone}`,
} as const;

export function mailLoopZoneLines(): string[] {
  return [
    `alpha.loop MX 10 ${mailLoop.alphaMx}.`,
    `mx.alpha.loop A ${mailLoopAddresses.alphaMta}`,
    `beta.loop MX 10 ${mailLoop.betaMx}.`,
    `mx.beta.loop A ${mailLoopAddresses.betaMx}`,
    `_smtp._tls.beta.loop TXT "v=TLSRPTv1; rua=mailto:${mailLoop.rua}"`,
  ];
}
