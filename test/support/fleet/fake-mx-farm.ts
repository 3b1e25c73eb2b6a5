/**
 * A fast fake MX farm for the fleet tests and benchmark: one SMTP server on port 25 of each address
 * given (loopback: Linux answers on all of 127/8), each a small ESMTP dialogue — banner, EHLO with
 * STARTTLS, STARTTLS (RFC 3207 §4), then a real TLS server of node:tls on the same socket, so the
 * prober's own raw ClientHellos get real first flights (ServerHello, Certificate… or an alert) — and
 * a configurable latency before every reply. It counts at the farm side what the politeness rule is
 * about: connections accepted per address, and the most open at once per address.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";

export interface FarmOptions {
  readonly addresses: readonly string[];
  readonly port?: number;
  /** Delay before each reply line group (banner, EHLO, STARTTLS, QUIT). */
  readonly latencyMs: number;
  readonly cert: string;
  readonly key: string;
  /** The name in the banner of an address. */
  readonly nameOf?: (address: string) => string;
}

export interface HostCount {
  connections: number;
  open: number;
  peak: number;
  handshakes: number;
}

export interface Farm {
  readonly hosts: ReadonlyMap<string, HostCount>;
  /** Most connections open at once to one address, over all addresses. */
  peak(): number;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

const CRLF = "\r\n";

function session(
  socket: Socket,
  name: string,
  latencyMs: number,
  count: HostCount,
  secure: ReturnType<typeof createSecureContext>,
  ended: () => void,
): void {
  let buffer = "";
  let closed = false;
  let upgraded = false;
  const later = (fn: () => void) => (latencyMs > 0 ? setTimeout(fn, latencyMs) : setImmediate(fn));
  const write = (s: Socket | TLSSocket, text: string) =>
    later(() => {
      if (!closed && !s.destroyed) s.write(text);
    });
  const onLine = (s: Socket | TLSSocket, line: string) => {
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === "EHLO")
      write(
        s,
        `250-${name} Hello${CRLF}250-PIPELINING${CRLF}250-SIZE 10240000${CRLF}${upgraded ? "" : `250-STARTTLS${CRLF}`}250 8BITMIME${CRLF}`,
      );
    else if (verb === "HELO") write(s, `250 ${name}${CRLF}`);
    else if (verb === "QUIT") {
      later(() => {
        if (!s.destroyed) s.end(`221 2.0.0 Bye${CRLF}`);
      });
    } else if (verb === "STAR" && !upgraded) {
      s.removeListener("data", onData);
      later(() => {
        if (closed || s.destroyed) return;
        s.write(`220 2.0.0 Ready to start TLS${CRLF}`, () => {
          upgraded = true;
          const tls = new TLSSocket(s as Socket, { isServer: true, secureContext: secure });
          tls.on("secure", () => count.handshakes++);
          tls.on("error", () => {
            ended();
            tls.destroy();
          });
          tls.on("end", ended);
          tls.on("close", ended);
          let tlsBuffer = "";
          tls.on("data", (chunk: Buffer) => {
            tlsBuffer += chunk.toString("latin1");
            let i = tlsBuffer.indexOf("\n");
            while (i !== -1) {
              const l = tlsBuffer.slice(0, i).replace(/\r$/, "");
              tlsBuffer = tlsBuffer.slice(i + 1);
              onLine(tls, l);
              i = tlsBuffer.indexOf("\n");
            }
          });
        });
      });
    } else if (verb === "NOOP" || verb === "RSET") write(s, `250 2.0.0 OK${CRLF}`);
    else write(s, `502 5.5.2 Command not implemented${CRLF}`);
  };
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("latin1");
    if (buffer.length > 4096) socket.destroy();
    let i = buffer.indexOf("\n");
    while (i !== -1) {
      const line = buffer.slice(0, i).replace(/\r$/, "");
      buffer = buffer.slice(i + 1);
      onLine(socket, line);
      if (upgraded || socket.listenerCount("data") === 0) return;
      i = buffer.indexOf("\n");
    }
  };
  socket.on("data", onData);
  socket.on("close", () => {
    closed = true;
  });
  write(socket, `220 ${name} ESMTP farm${CRLF}`);
}

export async function startFarm(options: FarmOptions): Promise<Farm> {
  const hosts = new Map<string, HostCount>();
  const secure = createSecureContext({ cert: options.cert, key: options.key, minVersion: "TLSv1.2" });
  const servers: Server[] = [];
  const port = options.port ?? 25;
  for (const address of options.addresses) {
    const count: HostCount = { connections: 0, open: 0, peak: 0, handshakes: 0 };
    hosts.set(address, count);
    const name = options.nameOf?.(address) ?? address;
    const server = createServer((socket) => {
      count.connections++;
      // A connection is open from its accept to the first sign of its end (FIN, reset or close). The
      // count waits for the end of this loop turn: a client that closed one connection before opening
      // the next has its FIN in the kernel before the new SYN, and this turn may deliver both.
      let counted = false;
      let ended = false;
      setImmediate(() => {
        if (ended) return;
        counted = true;
        count.open++;
        count.peak = Math.max(count.peak, count.open);
      });
      const end = () => {
        if (ended) return;
        ended = true;
        if (counted) count.open--;
      };
      socket.on("error", () => {
        end();
        socket.destroy();
      });
      socket.on("end", end);
      socket.on("close", end);
      session(socket, name, options.latencyMs, count, secure, end);
    });
    server.maxConnections = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: address, port, backlog: 1024 }, () => resolve());
    });
    servers.push(server);
  }
  return {
    hosts,
    peak: () => Math.max(0, ...[...hosts.values()].map((h) => h.peak)),
    total: () => [...hosts.values()].reduce((sum, h) => sum + h.connections, 0),
    reset() {
      for (const h of hosts.values()) Object.assign(h, { connections: 0, peak: h.open, handshakes: 0 });
    },
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              // Connections left by a killed worker: cut them, so close() ends.
              (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        ),
      );
    },
  };
}
