/**
 * Thunderbird autoconfig (docs/standards.md §4): https://autoconfig.<domain>/mail/config-v1.1.xml, then
 * https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml. The servers it names are access
 * endpoints (discovery), and whether it turns TLS on by default is charter art. 5 (access.autoconfig).
 * Only HTTPS is asked: a configuration fetched in plaintext could be rewritten on the way.
 */
import type { Network } from "../../net/network.js";
import type { TlsMode } from "../dialogue/dialogue.js";
import { type FetchOptions, type HttpFetchResult, httpFetch } from "../probe/http-fetch.js";
import type { Service } from "../probe/services.js";

export interface AutoconfigServer {
  readonly direction: "incoming" | "outgoing";
  readonly type: string;
  readonly hostname: string;
  readonly port: number;
  /** "SSL" (implicit TLS), "STARTTLS" or "plain". */
  readonly socketType: string;
}

export interface Autoconfig {
  readonly url: string;
  readonly fetch: HttpFetchResult;
  readonly servers: readonly AutoconfigServer[];
}

const tag = (xml: string, name: string) =>
  new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`, "i").exec(xml)?.[1] ?? "";

export function parseAutoconfig(xml: string, domain: string): AutoconfigServer[] {
  const servers: AutoconfigServer[] = [];
  for (const m of xml.matchAll(
    /<(incomingServer|outgoingServer)\b[^>]*\btype\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/\1>/gi,
  )) {
    const body = m[3] ?? "";
    const port = Number(tag(body, "port"));
    const hostname = tag(body, "hostname")
      .replace(/%EMAILDOMAIN%/gi, domain)
      .toLowerCase();
    if (!hostname || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    servers.push({
      direction: (m[1] ?? "").toLowerCase().startsWith("incoming") ? "incoming" : "outgoing",
      type: (m[2] ?? "").toLowerCase(),
      hostname,
      port,
      socketType: tag(body, "socketType") || "plain",
    });
  }
  return servers;
}

/** The access endpoint an autoconfig server entry describes. */
export function endpointOfServer(
  server: AutoconfigServer,
): { host: string; port: number; service: Service; tlsMode: TlsMode } | null {
  const service: Service | null =
    server.type === "imap"
      ? "imap"
      : server.type === "pop3"
        ? "pop3"
        : server.type === "smtp"
          ? "submission"
          : null;
  if (!service) return null;
  const tlsMode: TlsMode = /^ssl$|^tls$/i.test(server.socketType)
    ? "implicit"
    : /starttls/i.test(server.socketType)
      ? "starttls"
      : "none";
  return { host: server.hostname, port: server.port, service, tlsMode };
}

export async function fetchAutoconfig(
  domain: string,
  network: Network,
  options: FetchOptions,
): Promise<Autoconfig | null> {
  const query = `?emailaddress=${encodeURIComponent(`postmaster@${domain}`)}`;
  for (const url of [
    `https://autoconfig.${domain}/mail/config-v1.1.xml${query}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml${query}`,
  ]) {
    const fetch = await httpFetch(url, network, options);
    const last = fetch.hops.at(-1);
    if (fetch.body && last?.status === 200 && /<clientConfig\b/i.test(fetch.body)) {
      return { url, fetch, servers: parseAutoconfig(fetch.body, domain) };
    }
  }
  return null;
}
