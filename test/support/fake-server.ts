/**
 * Scripted servers on 127.0.0.1, port 0, for unit tests of hostile and broken peers. Each script
 * receives the raw socket; helpers read client lines and upgrade to TLS server-side.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";

export interface FakeServer {
  readonly address: string;
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function fakeServer(script: (socket: Socket) => void | Promise<void>): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    void Promise.resolve(script(socket)).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return {
    address: "127.0.0.1",
    port: address.port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves with the next CRLF-terminated line the client sends (without the CRLF). */
export function nextLine(socket: Socket | TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      const end = buffer.indexOf("\r\n");
      if (end !== -1) {
        socket.off("data", onData);
        const rest = buffer.slice(end + 2);
        if (rest) socket.unshift(Buffer.from(rest, "latin1"));
        resolve(buffer.slice(0, end));
      }
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error("closed")));
  });
}

/** Resolves with the first chunk the client sends (a ClientHello, after STARTTLS). */
export function nextChunk(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once("data", resolve));
}

export function tlsServerSide(socket: Socket, key: string, cert: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: createSecureContext({ key, cert }),
    });
    secure.once("secure", () => resolve(secure));
    secure.once("error", reject);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
