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

/** One place autoconfig was asked for, and whether its answer proves there is none there. */
export interface AutoconfigAttempt {
  readonly url: string;
  /** An HTTP answer (not 200, or no clientConfig), or a name that does not exist: absence proven. */
  readonly proven: boolean;
  readonly message: string;
}

export interface AutoconfigLookup {
  readonly found: Autoconfig | null;
  readonly tried: readonly AutoconfigAttempt[];
}

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

/** How the system resolver (ENOTFOUND, ENODATA) and the fake one say a name has no address. */
const nameAbsent = /ENOTFOUND|ENODATA|does not exist|has no address|no such record/i;

export async function fetchAutoconfig(
  domain: string,
  network: Network,
  options: FetchOptions,
): Promise<AutoconfigLookup> {
  const tried: AutoconfigAttempt[] = [];
  const query = `?emailaddress=${encodeURIComponent(`postmaster@${domain}`)}`;
  for (const url of [
    `https://autoconfig.${domain}/mail/config-v1.1.xml${query}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml${query}`,
  ]) {
    // Only HTTPS, and never a redirect down to plain HTTP: the document says which servers to trust.
    const fetch = await httpFetch(url, network, { ...options, allowDowngrade: false });
    const last = fetch.hops.at(-1);
    if (fetch.body && last?.status === 200) {
      const document = readAutoconfig(fetch.body, domain);
      if (document.ok)
        return { found: { url, fetch, servers: document.servers, omitted: document.omitted }, tried };
    }
    // An HTTP answer (even a redirect we do not follow), a refused connection or a name that does
    // not exist says "none here"; a timeout, a reset or a failed lookup says nothing.
    const error = last?.error;
    const proven =
      fetch.hops.some((h) => h.status !== null) ||
      error?.reason === "refused" ||
      (error?.step === "dns" && nameAbsent.test(error.message));
    tried.push({
      url,
      proven,
      message: error ? `${error.step}: ${error.message}` : `HTTP ${last?.status ?? "?"}`,
    });
  }
  return { found: null, tried };
}
