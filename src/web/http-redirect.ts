/**
 * The plain-HTTP listener: it only redirects to HTTPS (301, no content), never serves a page or sets
 * a cookie (docs/service.md: HTTPS only). The Host header's name is kept when it is a well-formed name
 * or address; otherwise the configured public name is used.
 */
import { createServer, type Server } from "node:http";

const hostName =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])$/i;

/** Where `http://HOST/PATH` goes: `https://HOST[:httpsPort]/PATH` (pure). */
export function redirectLocation(
  hostHeader: string | undefined,
  url: string | undefined,
  httpsPort: number,
  fallbackHost: string,
): string {
  const raw = (hostHeader ?? "").trim();
  const name = raw.startsWith("[") ? raw.slice(0, raw.indexOf("]") + 1) : (raw.split(":")[0] ?? "");
  const host = hostName.test(name) ? name.toLowerCase() : fallbackHost;
  const path = url?.startsWith("/") && !url.startsWith("//") ? url : "/";
  return `https://${host}${httpsPort === 443 ? "" : `:${httpsPort}`}${path}`;
}

export function startRedirectServer(
  listen: { host: string; port: number },
  httpsPort: number,
  fallbackHost: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    response.writeHead(301, {
      location: redirectLocation(request.headers.host, request.url, httpsPort, fallbackHost),
      "content-length": "0",
      connection: "close",
    });
    response.end();
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
