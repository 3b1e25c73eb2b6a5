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
import { type AutoconfigServer, readAutoconfig } from "./autoconfig-xml.js";

export type { AutoconfigServer };

export interface Autoconfig {
  readonly url: string;
  readonly fetch: HttpFetchResult;
  readonly servers: readonly AutoconfigServer[];
  /** Server entries left out past limits.maxAutoconfigServers (said in the report's notes). */
  readonly omitted: number;
}

/** The servers of an autoconfig document; none when it is not one. */
export function parseAutoconfig(xml: string, domain: string): AutoconfigServer[] {
  const document = readAutoconfig(xml, domain);
  return document.ok ? [...document.servers] : [];
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
    // Only HTTPS, and never a redirect down to plain HTTP: the document says which servers to trust.
    const fetch = await httpFetch(url, network, { ...options, allowDowngrade: false });
    const last = fetch.hops.at(-1);
    if (!fetch.body || last?.status !== 200) continue;
    const document = readAutoconfig(fetch.body, domain);
    if (document.ok) return { url, fetch, servers: document.servers, omitted: document.omitted };
  }
  return null;
}
