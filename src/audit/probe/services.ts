/** Mail access and transfer services, their standard ports and TLS modes (RFC 8314 §7, RFC 6186). */
import type { TlsMode } from "../dialogue/dialogue.js";

export type Service = "smtp" | "submission" | "imap" | "pop3" | "https";

export const services: readonly Service[] = ["smtp", "submission", "imap", "pop3", "https"];

/** Port → the service and TLS mode it conventionally carries. */
const byPort: Readonly<Record<number, { service: Service; tlsMode: TlsMode }>> = {
  25: { service: "smtp", tlsMode: "starttls" },
  587: { service: "submission", tlsMode: "starttls" },
  465: { service: "submission", tlsMode: "implicit" }, // RFC 8314 §3.3 "submissions"
  143: { service: "imap", tlsMode: "starttls" },
  993: { service: "imap", tlsMode: "implicit" },
  110: { service: "pop3", tlsMode: "starttls" },
  995: { service: "pop3", tlsMode: "implicit" },
  443: { service: "https", tlsMode: "implicit" },
  80: { service: "https", tlsMode: "none" },
};

const defaults: Readonly<Record<Service, { port: number; tlsMode: TlsMode }>> = {
  smtp: { port: 25, tlsMode: "starttls" },
  submission: { port: 587, tlsMode: "starttls" },
  imap: { port: 993, tlsMode: "implicit" },
  pop3: { port: 995, tlsMode: "implicit" },
  https: { port: 443, tlsMode: "implicit" },
};

/** Fills in what was not given: port from service, service from port, TLS mode from both. */
export function resolveServiceDefaults(given: {
  readonly service?: Service;
  readonly port?: number;
  readonly tlsMode?: TlsMode;
}): { service: Service; port: number; tlsMode: TlsMode } {
  const fromPort = given.port === undefined ? undefined : byPort[given.port];
  const service = given.service ?? fromPort?.service ?? "smtp";
  const port = given.port ?? defaults[service].port;
  const conventional =
    fromPort && fromPort.service === service ? fromPort.tlsMode : defaults[service].tlsMode;
  return { service, port, tlsMode: given.tlsMode ?? conventional };
}
