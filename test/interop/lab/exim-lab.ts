/**
 * Exim in the interop lab: a second MTA with another TLS stack (GnuTLS) beside Postfix (OpenSSL).
 * - `exim.lab.test`: MX mail.exim.lab.test on 127.0.10.90, STARTTLS on 25 and implicit TLS on 465,
 *   certificate from the lab's CA, Exim's defaults otherwise (GnuTLS priorities, 20 connections);
 * - `eximbusy.lab.test`: the same on 127.0.10.91 with `smtp_accept_max = 2`, so that a third
 *   simultaneous connection gets Exim's plain-text "421 Too many concurrent SMTP connections" — also
 *   on 465, where a TLS ServerHello was expected;
 * - `eximunlimited.lab.test`: the same on 127.0.10.94 without any limit (`smtp_accept_max = 0`): where
 *   the reference peers measure the TLS the two others serve. Exim counts a connection until the
 *   child serving it has ended, so even sslscan's one-at-a-time connections can meet the limit of 20.
 */
import { chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Issued, issue } from "../../support/pki.js";
import { receiverConfig } from "./exim-config.js";
import { type EximInstance, eximId, startExim } from "./exim-instance.js";
import { eximAddresses } from "./ports.js";
import { zone } from "./scenarios.js";

export interface EximLabHost {
  readonly name: "exim" | "eximbusy" | "eximunlimited";
  readonly domain: string;
  readonly host: string;
  readonly address: string;
  readonly smtpAcceptMax?: number;
}

export const eximBusyMax = 2;

export const eximHosts: readonly EximLabHost[] = [
  { name: "exim", domain: `exim.${zone}`, host: `mail.exim.${zone}`, address: eximAddresses.mx },
  {
    name: "eximbusy",
    domain: `eximbusy.${zone}`,
    host: `mail.eximbusy.${zone}`,
    address: eximAddresses.busy,
    smtpAcceptMax: eximBusyMax,
  },
  {
    name: "eximunlimited",
    domain: `eximunlimited.${zone}`,
    host: `mail.eximunlimited.${zone}`,
    address: eximAddresses.unlimited,
    smtpAcceptMax: 0,
  },
];

/** Zone lines (relative to lab.test) for the Exim domains and the Exim delivery proof's receiver. */
export function eximZoneLines(): string[] {
  return [
    ...eximHosts.flatMap((h) => [`${h.name} MX 10 ${h.host}.`, `mail.${h.name} A ${h.address}`]),
    `eximpeer MX 10 mx.eximpeer.${zone}.`,
    `mx.eximpeer A ${eximAddresses.receiver}`,
    // A peer domain whose MX in DNS is not the one the registry lists (moved, or a forged answer).
    `eximmoved MX 10 mx.eximmoved.${zone}.`,
    `mx.eximmoved A ${eximAddresses.receiverUnlisted}`,
  ];
}

/** Starts the lab's Exim daemons; returns their stops. */
export async function startEximLab(dir: string, intermediate: Issued): Promise<Array<() => Promise<void>>> {
  const instances: EximInstance[] = [];
  try {
    for (const h of eximHosts) {
      const leaf = await issue(intermediate, h.host, { dnsNames: [h.host] });
      const certFile = join(dir, `${h.name}.crt`);
      const keyFile = join(dir, `${h.name}.key`);
      writeFileSync(certFile, `${leaf.pem}\n${intermediate.pem}`);
      // Exim reads its key after dropping to the Exim user.
      writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });
      chownSync(keyFile, eximId, eximId);
      instances.push(
        await startExim({
          name: h.name,
          address: h.address,
          ports: [25, 465],
          config: () =>
            receiverConfig({
              hostname: h.host,
              domains: [h.domain],
              tls: { certFile, keyFile },
              implicitPort: 465,
              ...(h.smtpAcceptMax === undefined ? {} : { smtpAcceptMax: h.smtpAcceptMax }),
            }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(instances.map((i) => i.stop()));
    throw error;
  }
  return instances.map((i) => () => i.stop());
}
