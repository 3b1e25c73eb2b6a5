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
  /** Body of the last hop (truncated to limits.maxHttpBodyBytes), for the login-form checks. */
  readonly body: string | null;
  readonly finalUrl: string;
  /** Why the chain stopped before a final response, if it did. */
  readonly stopped: "too_many_redirects" | "bad_location" | "error" | null;
}

export interface FetchOptions {
  readonly stepTimeoutMs: number;
  /** When given, each HTTPS hop's certificate is judged against it. */
  readonly trustStore?: TrustStore;
}

const isRedirect = (status: number | null) => status !== null && [301, 302, 303, 307, 308].includes(status);

async function fetchOne(
  url: URL,
  network: Network,
  options: FetchOptions,
): Promise<{ hop: HttpHop; body: Buffer | null }> {
  const deadline = new Deadline(network.clock, limits.endpointDeadlineMs, options.stepTimeoutMs);
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
      };
    }
    address = answer.value[0] ?? host;
  }
  const connected = await network.connect(address, port, deadline.forStep());
  if (!connected.ok)
    return { hop: { ...empty, address, error: { step: "connect", ...connected.failure } }, body: null };
  const connection = connected.value;
  const dialogue = httpDialogue({
    host,
    port,
    defaultPort: https ? 443 : 80,
    target: `${url.pathname}${url.search}`,
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
        return { hop: { ...empty, address, error: { step: "handshake", ...handshake.failure } }, body: null };
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
    };
  } finally {
    connection.close();
  }
}

export async function httpFetch(
  start: string,
  network: Network,
  options: FetchOptions,
): Promise<HttpFetchResult> {
  const hops: HttpHop[] = [];
  let url = new URL(start);
  for (let hop = 0; hop <= limits.maxRedirects; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { hops, body: null, finalUrl: url.href, stopped: "bad_location" };
    }
    const { hop: result, body } = await fetchOne(url, network, options);
    hops.push(result);
    if (result.error) return { hops, body: null, finalUrl: url.href, stopped: "error" };
    if (!isRedirect(result.status))
      return { hops, body: body?.toString("utf8") ?? null, finalUrl: url.href, stopped: null };
    try {
      // RFC 9110 §10.2.2: Location may be relative to the request URL.
      url = new URL(result.location ?? "", url);
    } catch {
      return { hops, body: null, finalUrl: url.href, stopped: "bad_location" };
    }
    if (!result.location) return { hops, body: null, finalUrl: url.href, stopped: "bad_location" };
  }
  return { hops, body: null, finalUrl: url.href, stopped: "too_many_redirects" };
}
