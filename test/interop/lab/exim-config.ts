/**
 * Exim 4 configurations for the lab, as text (the paths every instance shares come from
 * `eximCommon` in exim-instance.ts). A receiver accepts mail for its domains and discards it; a
 * sender relays for loopback clients and delivers by MX through an smtp transport whose options are
 * given (the generated charter policy, or nothing: Exim's opportunistic default).
 */

export interface EximTls {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ReceiverOptions {
  readonly hostname: string;
  readonly domains: readonly string[];
  /** STARTTLS advertised on 25 (and implicit TLS on `implicitPort`) with this certificate; none when absent. */
  readonly tls?: EximTls;
  /** RFC 8314 implicit TLS port (465). */
  readonly implicitPort?: number;
  /** Exim's `smtp_accept_max`: beyond it, a plain-text 421 instead of the banner (or the TLS handshake). */
  readonly smtpAcceptMax?: number;
}

const tlsLines = (tls: EximTls | undefined, implicitPort: number | undefined) =>
  tls
    ? [
        "tls_advertise_hosts = *",
        `tls_certificate = ${tls.certFile}`,
        `tls_privatekey = ${tls.keyFile}`,
        ...(implicitPort ? [`tls_on_connect_ports = ${implicitPort}`] : []),
      ]
    : ["tls_advertise_hosts = :"];

export function receiverConfig(o: ReceiverOptions): string {
  return `primary_hostname = ${o.hostname}
smtp_banner = $smtp_active_hostname ESMTP Exim $version_number mailcharter-lab
domainlist local_domains = ${o.domains.join(" : ")}
${tlsLines(o.tls, o.implicitPort).join("\n")}
${o.smtpAcceptMax === undefined ? "" : `smtp_accept_max = ${o.smtpAcceptMax}\n`}acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted

begin routers
discard:
  driver = redirect
  domains = +local_domains
  data = :blackhole:
`;
}

export interface SenderOptions {
  readonly hostname: string;
  readonly address: string;
  /** Lines of the main section (the generated `domainlist`/`hostlist`). */
  readonly main: readonly string[];
  /** Options of the remote smtp transport (the generated policy), none for Exim's default. */
  readonly transport: readonly string[];
}

export function senderConfig(o: SenderOptions): string {
  return `primary_hostname = ${o.hostname}
${o.main.join("\n")}
tls_advertise_hosts = :
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  # The proof's client submits from loopback.
  accept hosts = 127.0.0.0/8
  deny message = relay not permitted

begin routers
dnslookup:
  driver = dnslookup
  transport = remote_smtp
  no_more

begin transports
remote_smtp:
  driver = smtp
  interface = ${o.address}
  connect_timeout = 5s
${o.transport.map((l) => `  ${l}`).join("\n")}

begin retry
# Retry a deferred message every minute for an hour (the test reads the first deferral).
* * F,1h,1m
`;
}

/**
 * The generated policy as an Exim administrator installs it: its uncommented lines go into the main
 * configuration, the commented `option = value` lines under "In the smtp transport…" into the smtp
 * transport.
 */
export function installPolicy(text: string): { main: string[]; transport: string[] } {
  const lines = text.split("\n");
  const marker = lines.findIndex((l) => /^# In the smtp transport/.test(l));
  if (marker < 0) throw new Error("policy exim: no smtp transport section");
  const main = lines.slice(0, marker).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const transport = lines
    .slice(marker + 1)
    .map((l) => /^#\s+(\w+ = .*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  return { main, transport };
}
