/**
 * Fetching an MTA-STS policy (RFC 8461 §3.3): `https://mta-sts.<domain>/.well-known/mta-sts.txt`,
 * HTTP 200 only, and "HTTP 3xx redirects MUST NOT be followed": a redirect is recorded and its
 * location refused before any connection is made to it. The body is capped at the 64 KiB the RFC
 * suggests; a longer one is a failed fetch (`too_large`), never a policy read from its first part.
 * The certificate is judged on the hop (WebPKI-valid for the policy host) by the measure.
 */
import { limits } from "../../core/limits.js";
import type { Network } from "../../net/network.js";
import { type FetchOptions, type HttpFetchResult, httpFetch } from "../probe/http-fetch.js";

export const stsPolicyUrl = (domain: string) => `https://mta-sts.${domain}/.well-known/mta-sts.txt`;

export async function fetchStsPolicy(
  domain: string,
  network: Network,
  options: FetchOptions,
): Promise<HttpFetchResult> {
  const result = await httpFetch(stsPolicyUrl(domain), network, {
    ...options,
    followRedirects: false,
    maxBodyBytes: limits.maxMtaStsPolicyBytes,
  });
  const last = result.hops.at(-1);
  if (!result.truncated || !last) return result;
  return {
    ...result,
    hops: [
      ...result.hops.slice(0, -1),
      {
        ...last,
        error: {
          step: last.tls ? "post-tls" : "greeting",
          reason: "too_large",
          message: `policy body larger than ${limits.maxMtaStsPolicyBytes} bytes (RFC 8461 §3.3 suggests 64 KiB at most)`,
        },
      },
    ],
    body: null,
    truncated: false,
    stopped: "error",
  };
}
