/**
 * Scripted HTTP and HTTPS servers on 127.0.0.1 for unit tests, and a network whose well-known
 * ports (80, 443) lead to them: code that builds `https://host/` URLs is tested without root.
 */
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { liveNetwork, type Network } from "../../src/net/network.js";
import { fakeResolver } from "../../src/net/resolver.js";
import { type FakeServer, fakeServer, nextLine, tlsServerSide } from "./fake-server.js";
import type { Issued } from "./pki.js";

export interface WebServer extends FakeServer {
  /** Request lines received ("GET /path HTTP/1.1"). */
  readonly requests: readonly string[];
}

/** Answers each request with `respond(requestLine)`, over TLS when `cert` is given. */
export async function webServer(
  respond: (requestLine: string) => string | Buffer,
  cert?: Issued,
): Promise<WebServer> {
  const requests: string[] = [];
  const server = await fakeServer(async (socket: Socket) => {
    const stream: Socket | TLSSocket = cert ? await tlsServerSide(socket, cert.keyPem, cert.pem) : socket;
    const line = await nextLine(stream);
    requests.push(line);
    stream.end(respond(line));
  });
  return {
    requests,
    address: server.address,
    port: server.port,
    get connections() {
      return server.connections;
    },
    close: () => server.close(),
  };
}

/**
 * A live network (loopback allowed) whose resolver answers `hosts` (name → 127.0.0.1) and whose
 * connections to `ports[name-port]` go to a test server's port instead.
 */
export function webNetwork(
  routes: Readonly<Record<string, { readonly https?: number; readonly http?: number }>>,
): Network {
  const addressOf = new Map<string, string>();
  const A: Record<string, string[]> = {};
  Object.keys(routes).forEach((name, i) => {
    // One loopback address per name, so that the port map can tell the names apart.
    const address = `127.0.0.${10 + i}`;
    addressOf.set(address, name);
    A[name] = [address];
  });
  const live = liveNetwork({ resolver: fakeResolver({ A }), allowPrivate: true });
  return {
    ...live,
    connect(address, port, timeoutMs) {
      const name = addressOf.get(address);
      const route = name ? routes[name] : undefined;
      const target = port === 443 ? route?.https : port === 80 ? route?.http : undefined;
      return live.connect("127.0.0.1", target ?? port, timeoutMs);
    },
  };
}
