/** The standard ports every lab scenario serves, with how each is spoken to. */
import type { TlsMode } from "../../../src/audit/dialogue/dialogue.js";
import type { Service } from "../../../src/audit/probe/services.js";

export interface LabPort {
  readonly service: Service;
  readonly port: number;
  readonly tlsMode: TlsMode;
  /** openssl s_client / sslscan STARTTLS dialect. */
  readonly starttls?: "smtp" | "imap" | "pop3";
  /** Served by Dovecot (absent from scenarios without it). */
  readonly dovecot?: boolean;
}

export const labPorts: readonly LabPort[] = [
  { service: "smtp", port: 25, tlsMode: "starttls", starttls: "smtp" },
  { service: "submission", port: 587, tlsMode: "starttls", starttls: "smtp" },
  { service: "submission", port: 465, tlsMode: "implicit" },
  { service: "imap", port: 143, tlsMode: "starttls", starttls: "imap", dovecot: true },
  { service: "imap", port: 993, tlsMode: "implicit", dovecot: true },
  { service: "pop3", port: 110, tlsMode: "starttls", starttls: "pop3", dovecot: true },
  { service: "pop3", port: 995, tlsMode: "implicit", dovecot: true },
  { service: "https", port: 443, tlsMode: "implicit" },
];

export const labPort = (port: number): LabPort => {
  const found = labPorts.find((p) => p.port === port);
  if (!found) throw new Error(`no lab port ${port}`);
  return found;
};

/** `mailcharter serve` in the dogfooding tests (HTTPS on 443, the redirect on 80), one per engine. */
export const serveAddresses = { sqlite: "127.0.10.100", postgres: "127.0.10.101" } as const;

/** `mailcharter serve` driven by Chromium in the browser tests (test/interop/browser.test.ts). */
export const browserServeAddress = { address: "127.0.10.102", port: 443 } as const;

/** `mailcharter serve` of the MTA log upload page in Chromium (test/interop/log-upload-browser.test.ts). */
export const logUploadBrowserAddress = { address: "127.0.23.2", port: 443 } as const;

/**
 * `mailcharter serve` receiving MTA logs over the API, killed and restarted
 * (test/interop/log-upload-api.test.ts).
 */
export const logUploadApiAddress = { address: "127.0.28.30", port: 443 } as const;

/** `mailcharter serve` of the received TLS-RPT pages in Chromium (test/interop/tlsrpt-browser.test.ts). */
export const tlsRptBrowserAddress = { address: "127.0.28.40", port: 443 } as const;

/**
 * Exim (Debian's exim4-daemon-light, GnuTLS) on its own addresses: the MX of exim.lab.test, one that
 * accepts few concurrent connections (the 421 seen on real Exim), their twin without any limit (the
 * reference peers' target), and the delivery proof's sender and receiver
 * (test/interop/exim-delivery.test.ts).
 */
export const eximAddresses = {
  mx: "127.0.10.90",
  busy: "127.0.10.91",
  unlimited: "127.0.10.94",
  sender: "127.0.10.92",
  receiver: "127.0.10.93",
  /** The receiver again, under an MX name the registry does not list. */
  receiverUnlisted: "127.0.10.95",
} as const;

/**
 * TLS-RPT doors (test/interop/tlsrpt-*.test.ts): a Dovecot mailbox (IMAPS 993, LMTP 24) fed by a
 * Postfix on its own address, `mailcharter serve` receiving POST /tlsrpt, and the client addresses of
 * the POST burst (one per sender, each under the per-address rate limit).
 */
export const tlsrptAddresses = {
  dovecot: "127.0.12.10",
  postfix: "127.0.12.11",
  serve: "127.0.12.20",
  /** TLS-RPT out: a sending Postfix, a receiver with STARTTLS, a receiver without. */
  sender: "127.0.12.12",
  receiverTls: "127.0.12.13",
  receiverClear: "127.0.12.14",
  /** The other side's `serve` receiving the generated reports. */
  otherServe: "127.0.12.21",
  /** POST burst clients: 127.0.12.100 … 127.0.12.(100 + n - 1). */
  clientBase: "127.0.12.100",
} as const;

/**
 * The monitoring proof (test/interop/incidents.test.ts): Postfix MX hosts whose STARTTLS is turned
 * off and on, whose certificate is within 14 days of expiry, and that throttles (421 after two
 * connections a minute). Their names are in the lab zone (mx.watch, mx.expiring, mx.throttle).
 */
export const incidentAddresses = {
  watch: "127.0.14.10",
  expiring: "127.0.14.11",
  throttle: "127.0.14.12",
} as const;

/**
 * The notification proof (test/interop/notify.test.ts): the Postfix relay that offers STARTTLS, the
 * Dovecot mailbox it delivers to, a relay that does not offer STARTTLS, and the webhook receiver.
 */
export const notifyAddresses = {
  relay: "127.0.15.1",
  dovecot: "127.0.15.2",
  plainRelay: "127.0.15.3",
  webhook: "127.0.15.4",
} as const;

/**
 * The outbound STARTTLS test (test/interop/outbound.test.ts): the receiving endpoint's variants, each
 * the MX of its own test domain under outbound.lab.test, and the Postfix that sends to them.
 */
export const outboundAddresses = {
  valid: "127.0.17.1",
  "wrong-name": "127.0.17.2",
  "self-signed": "127.0.17.3",
  expired: "127.0.17.4",
  "no-starttls": "127.0.17.5",
  sender: "127.0.17.10",
} as const;

/**
 * The fleet of workers (test/interop/fleet*.test.ts): its own PostgreSQL (restarted during a cycle),
 * the fake MX farm of its crash loop, and its DNS server. The fleet benchmark's farm uses 127.1.0.0/16.
 */
export const fleetAddresses = {
  postgres: "127.0.16.1",
  dns: "127.0.16.2",
  /** `serve --db postgres://…` with its scheduler, the workers auditing. */
  serve: "127.0.16.3",
  /** MX hosts of the crash loop: 127.0.16.10 … 127.0.16.(10 + n − 1). */
  mxBase: 10,
} as const;

/**
 * s4-agency's addresses: the packed package's `serve` (test/interop/packaged-static.test.ts) and the
 * agency's browser test (test/interop/agency-browser.test.ts).
 */
export const agencyAddresses = { packaged: "127.0.11.1", browser: "127.0.11.2" } as const;

/**
 * The MTA-log proof (test/interop/log-proof.test.ts): Postfix "Alpha" sending to Postfix "Peer",
 * both logs ingested (127.0.13.0/24 is the indicators' range).
 */
export const logProofAddresses = { sender: "127.0.13.1", receiver: "127.0.13.2" } as const;

/**
 * The incident notice end to end (test/interop/incident-e2e.test.ts): the MX `serve` watches
 * (mx.e2e in the lab zone), the Postfix relay that requires TLS, the Dovecot mailbox behind it, the
 * HTTPS webhook receiver and `serve` itself.
 */
export const incidentE2eAddresses = {
  relay: "127.0.19.1",
  dovecot: "127.0.19.2",
  webhook: "127.0.19.3",
  mx: "127.0.19.10",
  serve: "127.0.19.20",
} as const;

/**
 * The TLS-RPT mail loop (test/interop/tlsrpt-mail-loop.test.ts): organisation A's Postfix (its MTA,
 * whose log is ingested, and the relay its service sends through), B's Postfix MX delivering into B's
 * Dovecot, and the two services (127.0.21.0/24).
 */
export const mailLoopAddresses = {
  alphaMta: "127.0.21.1",
  betaMx: "127.0.21.2",
  betaImap: "127.0.21.3",
  alphaServe: "127.0.21.10",
  betaServe: "127.0.21.11",
} as const;

/**
 * The Exim log proof (test/interop/exim-log-proof.test.ts): a real Exim sending to three real
 * Postfix receivers — verified TLS, no STARTTLS, one that defers and bounces recipients.
 */
export const eximLogProofAddresses = {
  sender: "127.0.22.1",
  tls: "127.0.22.2",
  clear: "127.0.22.3",
  failing: "127.0.22.4",
  /** The client submitting to Exim (not 127.0.0.1: that is the host's own content filters). */
  client: "127.0.22.10",
} as const;

/** Detection from the indicators (test/interop/link-detect.test.ts): a sending and a receiving Postfix. */
export const linkDetectAddresses = { sender: "127.0.20.1", receiver: "127.0.20.2" } as const;

/**
 * DKIM interop (test/interop/dkim-verify.test.ts): the OpenDKIM milters that sign, one per
 * canonicalization and algorithm, on ports 8891…; the keys are in the lab zone (lab/dkim-lab.ts).
 */
export const dkimAddresses = { milter: "127.0.25.1", firstMilterPort: 8891 } as const;
