/**
 * Fetches a URL the way the webmail checks need it: every hop of the redirect chain is recorded
 * (status, headers, cookies, TLS), each hop goes through the network seam — so the target guard
 * judges every address, and a redirect to a refused address is reported, never followed.
 */
import { isIP } from "node:net";
import { limits } from "../../core/limits.js";
import { Deadline } from "../../net/deadline.js";
import type { Network } from "../../net/network.js";
import { httpDialogue } from "../dialogue/http.js";
import {
  type HttpHeader,
  headerValue,
  headerValues,
  parseSetCookie,
  type SetCookie,
} from "../dialogue/http-response.js";
import { runDialogue } from "../dialogue/run-dialogue.js";
import { analyzeChain, type CertificateStatus } from "../tls/certificate.js";
import { type Negotiated, negotiatedOf } from "../tls/negotiated.js";
import type { TrustStore } from "../tls/trust-store.js";
import type { EndpointError } from "./endpoint.js";

export interface HttpHop {
  readonly url: string;
  readonly address: string | null;
  readonly status: number | null;
  readonly headers: readonly HttpHeader[];
  readonly cookies: readonly SetCookie[];
  readonly location: string | null;
  readonly tls: Negotiated | null;
  /** Certificate verdict for the hop's host (RFC 6125 name, chain to the trust store, dates). */
  readonly certificate: CertificateStatus | null;
  readonly error: EndpointError | null;
}

export interface HttpFetchResult {
  readonly hops: readonly HttpHop[];
  /** Body of the last hop (truncated to the body cap), for the login-form checks. */
  readonly body: string | null;
  /** The last hop's body was longer than the cap and was cut. */
  readonly truncated: boolean;
  readonly finalUrl: string;
  /** Why the chain stopped before a final response, if it did. */
  readonly stopped: "too_many_redirects" | "bad_location" | "error" | null;
}

export interface FetchOptions {
  readonly stepTimeoutMs: number;
  /** When given, each HTTPS hop's certificate is judged against it. */
  readonly trustStore?: TrustStore;
  /** false: a redirect is recorded, its location refused before any connection (RFC 8461 §3.3). */
  readonly followRedirects?: boolean;
  /** false: a redirect from https to http is refused before any connection (autoconfig). */
  readonly allowDowngrade?: boolean;
  /** Body bytes kept (default limits.maxHttpBodyBytes). */
  readonly maxBodyBytes?: number;
  /** The deadline every hop shares (an audit's or an endpoint's); default: a fresh endpoint deadline. */
  readonly deadline?: Deadline;
}

const isRedirect = (status: number | null) => status !== null && [301, 302, 303, 307, 308].includes(status);

async function fetchOne(
  url: URL,
  network: Network,
  options: FetchOptions,
): Promise<{ hop: HttpHop; body: Buffer | null; truncated: boolean }> {
  const deadline =
    options.deadline ?? new Deadline(network.clock, limits.endpointDeadlineMs, options.stepTimeoutMs);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const https = url.protocol === "https:";
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const empty = {
    url: url.href,
    status: null,
    headers: [],
    cookies: [],
    location: null,
    tls: null,
    certificate: null,
  };
  let address = host;
  if (isIP(host) === 0) {
    const answer = await network.resolver.addresses(host, deadline.forStep());
    if (!answer.ok) {
      return {
        hop: {
          ...empty,
          address: null,
          error: { step: "dns", reason: "error", message: `${host}: ${answer.message}` },
        },
        body: null,
        truncated: false,
      };
    }
    address = answer.value[0] ?? host;
  }
  const connected = await network.connect(address, port, deadline.forStep(), deadline);
  if (!connected.ok)
    return {
      hop: { ...empty, address, error: { step: "connect", ...connected.failure } },
      body: null,
      truncated: false,
    };
  const connection = connected.value;
  const dialogue = httpDialogue({
    host,
    port,
    defaultPort: https ? 443 : 80,
    target: `${url.pathname}${url.search}`,
    ...(options.maxBodyBytes !== undefined ? { maxBody: options.maxBodyBytes } : {}),
  });
  const startTls = () =>
    connection.startTls(
      isIP(host) === 0 ? { serverName: host, alpn: ["http/1.1"] } : { alpn: ["http/1.1"] },
      deadline.forStep(),
    );
  try {
    let tls = null;
    if (https) {
      const handshake = await startTls();
      if (!handshake.ok)
        return {
          hop: { ...empty, address, error: { step: "handshake", ...handshake.failure } },
          body: null,
          truncated: false,
        };
      tls = handshake.value;
    }
    const run = await runDialogue(dialogue, connection, deadline, startTls, https);
    const response = run.facts.response;
    return {
      hop: {
        url: url.href,
        address,
        status: response?.status ?? null,
        headers: response?.headers ?? [],
        cookies: response ? headerValues(response, "set-cookie").flatMap((h) => parseSetCookie(h) ?? []) : [],
        location: response ? (headerValue(response, "location") ?? null) : null,
        tls: tls ? negotiatedOf(tls) : null,
        certificate:
          tls && options.trustStore
            ? (analyzeChain(tls.peerChain, {
                host: isIP(host) === 0 ? host : null,
                store: options.trustStore,
                now: new Date(network.clock.now()),
                ocspStapled: tls.ocspStaple !== null,
              })?.status ?? null)
            : null,
        error: run.failure,
      },
      body: run.facts.body,
      truncated: response?.truncated ?? false,
    };
  } finally {
    connection.close();
  }
}

/** Why a redirect from `from` to `to` is not followed, or null when it may be. */
function refusal(from: URL, to: URL, options: FetchOptions): string | null {
  if (options.followRedirects === false)
    return `redirect to ${to.href} not followed: this fetch follows no redirect (RFC 8461 §3.3)`;
  if (options.allowDowngrade === false && from.protocol === "https:" && to.protocol !== "https:")
    return `redirect from HTTPS to ${to.href} not followed: a downgrade to plain HTTP is refused`;
  return null;
}

export async function httpFetch(
  start: string,
  network: Network,
  options: FetchOptions,
): Promise<HttpFetchResult> {
  const hops: HttpHop[] = [];
  // One deadline for the whole redirect chain: hops cannot stretch a fetch past it.
  const shared: FetchOptions = {
    ...options,
    deadline:
      options.deadline ?? new Deadline(network.clock, limits.endpointDeadlineMs, options.stepTimeoutMs),
  };
  let url = new URL(start);
  const end = (stopped: HttpFetchResult["stopped"]): HttpFetchResult => ({
    hops,
    body: null,
    truncated: false,
    finalUrl: url.href,
    stopped,
  });
  for (let hop = 0; hop <= limits.maxRedirects; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") return end("bad_location");
    const { hop: result, body, truncated } = await fetchOne(url, network, shared);
    hops.push(result);
    if (result.error) return end("error");
    if (!isRedirect(result.status))
      return { hops, body: body?.toString("utf8") ?? null, truncated, finalUrl: url.href, stopped: null };
    if (!result.location) return end("bad_location");
    let next: URL;
    try {
      // RFC 9110 §10.2.2: Location may be relative to the request URL.
      next = new URL(result.location, url);
    } catch {
      return end("bad_location");
    }
    const refused = refusal(url, next, options);
    url = next;
    if (refused) {
      // Recorded like a guard refusal: a hop that never connected, with the reason.
      hops.push({
        url: next.href,
        address: null,
        status: null,
        headers: [],
        cookies: [],
        location: null,
        tls: null,
        certificate: null,
        error: { step: "connect", reason: "not_allowed", message: refused },
      });
      return end("error");
    }
  }
  return end("too_many_redirects");
}
