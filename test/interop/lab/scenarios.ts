/**
 * The interop lab's scenarios: one loopback address each, real servers on the standard ports, and
 * what a correct probe must find there. Host names live in the lab's DNS zone (lab.test).
 */
import type { CertificateStatus } from "../../../src/audit/tls/certificate.js";

export type ScenarioName =
  | "good"
  | "nostarttls"
  | "expired"
  | "wronghost"
  | "nochain"
  | "selfsigned"
  | "legacy"
  | "plainlogin";

export interface Scenario {
  readonly name: ScenarioName;
  readonly address: string;
  readonly host: string;
  readonly description: string;
  /** Certificate status every TLS endpoint of the scenario must report. */
  readonly certificate: CertificateStatus;
  /** Whether port 25/587/143/110 advertise STARTTLS/STLS. */
  readonly starttls: boolean;
  /** Dovecot serves IMAP/POP3 for this scenario. */
  readonly dovecot: boolean;
  /** Dovecot accepts a cleartext password before STARTTLS (disable_plaintext_auth = no). */
  readonly plainLogin: boolean;
  /** Highest TLS version the servers accept. */
  readonly maxVersion: "TLSv1" | "TLSv1.3";
}

export const zone = "lab.test";
export const dnsAddress = "127.0.10.53";

const scenario = (
  index: number,
  name: ScenarioName,
  description: string,
  rest: Partial<Pick<Scenario, "certificate" | "starttls" | "dovecot" | "maxVersion" | "plainLogin">> = {},
): Scenario => ({
  name,
  address: `127.0.10.${index}`,
  host: `mail.${name}.${zone}`,
  description,
  certificate: rest.certificate ?? "valid",
  starttls: rest.starttls ?? true,
  dovecot: rest.dovecot ?? true,
  maxVersion: rest.maxVersion ?? "TLSv1.3",
  plainLogin: rest.plainLogin ?? false,
});

export const scenarios: readonly Scenario[] = [
  scenario(1, "good", "TLS-correct: STARTTLS everywhere, valid chain served whole, TLS 1.2+1.3 with PFS"),
  scenario(2, "nostarttls", "no STARTTLS on 25/587/143/110 (implicit TLS ports still answer)", {
    starttls: false,
  }),
  scenario(3, "expired", "certificate expired 10 days ago", { certificate: "expired" }),
  scenario(4, "wronghost", "certificate names another host", { certificate: "wrong_host" }),
  scenario(5, "nochain", "intermediate CA not sent by the server", { certificate: "incomplete_chain" }),
  scenario(6, "selfsigned", "self-signed certificate", { certificate: "self_signed" }),
  scenario(
    7,
    "legacy",
    "TLS 1.0 only, static RSA key exchange only (3DES: not servable by Debian's OpenSSL 3)",
    {
      dovecot: false,
      maxVersion: "TLSv1",
    },
  ),
  scenario(8, "plainlogin", "IMAP and POP3 offer STARTTLS but accept a password before it", {
    plainLogin: true,
  }),
];

export const scenarioByName = (name: ScenarioName): Scenario => {
  const found = scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no lab scenario ${name}`);
  return found;
};
