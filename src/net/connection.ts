/**
 * The only code that opens sockets. A `Connection` reads protocol units through pure framers with a
 * timeout and a byte cap on every read, writes commands, and upgrades itself to TLS; every outcome is
 * a `NetResult`, never an exception.
 */
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import {
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import { limits } from "../core/limits.js";
import type { Framer } from "./framer.js";
import { fail, type NetResult, ok, reasonOfSocketError } from "./outcome.js";
import { Transcript } from "./transcript.js";

/** Raw facts of a completed handshake; analysed above the seam (audit/tls). */
export interface TlsPeerInfo {
  readonly protocol: string | null;
  readonly cipher: { readonly name: string; readonly standardName: string | null; readonly version: string };
  readonly ephemeralKey: { readonly type?: string; readonly name?: string; readonly size?: number };
  /** DER certificates in the order the server's chain links them, leaf first. */
  readonly peerChain: readonly Buffer[];
  readonly ocspStaple: Buffer | null;
  readonly alpnProtocol: string | null;
}

export interface TlsStartOptions {
  /** SNI; omitted when the host is an IP literal (RFC 6066 §3 forbids literal addresses in SNI). */
  readonly serverName?: string;
  readonly minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  readonly maxVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  /** OpenSSL cipher string for TLS ≤ 1.2; the default offers everything OpenSSL still has. */
  readonly ciphers?: string;
  readonly alpn?: readonly string[];
}

/** Everything, at any security level: a scanner must be able to talk to a weak server to judge it. */
const probeCiphers = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

function chainOf(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true) as PeerCertificate | undefined;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
    const next = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
    cert = next && next !== cert ? next : undefined;
  }
  return chain;
}

export class Connection {
  readonly address: string;
  readonly port: number;
  readonly transcript = new Transcript();
  private socket: Socket | TLSSocket;
  private buffer: Buffer = Buffer.alloc(0);
  private eof = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;
  private tls: TLSSocket | null = null;
  /** Bytes buffered before the socket is paused: a flood cannot grow memory past this. */
  private readonly highWater: number;
  /** Gives the per-host slot back, once, when the socket closes (whichever side closes it). */
  private readonly onClosed: () => void;

  private constructor(
    socket: Socket,
    address: string,
    port: number,
    highWater: number,
    onClosed: () => void,
  ) {
    this.socket = socket;
    this.address = address;
    this.port = port;
    this.highWater = highWater;
    let closed = false;
    this.onClosed = () => {
      if (closed) return;
      closed = true;
      onClosed();
    };
    socket.once("close", this.onClosed);
    this.attach(socket);
  }

  /**
   * Opens a TCP connection to an IP literal (resolution, the target guard and the per-host cap
   * happen in the network seam). `onClosed` runs once when the socket is gone.
   */
  static open(
    address: string,
    port: number,
    timeoutMs: number,
    options: { readonly highWater?: number; readonly onClosed?: () => void } = {},
  ): Promise<NetResult<Connection>> {
    const highWater = options.highWater ?? limits.socketHighWaterBytes;
    const onClosed = options.onClosed ?? (() => {});
    return new Promise((resolve) => {
      if (isIP(address) === 0) {
        resolve(fail("error", `internal: Connection.open needs an IP address, got "${address}"`));
        return;
      }
      const socket = tcpConnect({ host: address, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(fail("timeout", `connect to ${where(address, port)}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(ok(new Connection(socket, address, port, highWater, onClosed)));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(fail(reasonOfSocketError(error), `connect to ${where(address, port)}: ${error.message}`));
      });
    });
  }

  get tlsActive(): boolean {
    return this.tls !== null;
  }

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > this.highWater) this.socket.pause();
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.eof = true;
    this.wake?.();
  };
  private readonly onError = (error: unknown) => {
    this.error = error;
    this.eof = true;
    this.wake?.();
  };

  private attach(socket: Socket | TLSSocket): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
  }

  private detach(socket: Socket | TLSSocket): void {
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("close", this.onEnd);
    socket.off("error", this.onError);
  }

  /**
   * Reads one protocol unit. Fails with `too_large` once `maxBytes` are buffered without a complete
   * unit, `timeout` after `timeoutMs`, `closed`/`reset` when the peer goes away first.
   */
  read<T>(framer: Framer<T>, timeoutMs: number, maxBytes: number, what: string): Promise<NetResult<T>> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: NetResult<T>) => {
        clearTimeout(timer);
        this.wake = null;
        if (!result.ok && this.buffer.length > 0) this.transcript.add("S", this.buffer.toString("latin1"));
        resolve(result);
      };
      const attempt = (): boolean => {
        let frame: ReturnType<Framer<T>>;
        try {
          frame = framer(this.buffer, this.eof);
        } catch (error) {
          // A framer runs inside the socket's "data" handler: an exception there would escape to the
          // event loop and end the process. It is our bug, reported as this endpoint's error.
          this.destroy();
          finish(fail("error", `internal: ${what} from ${this.where()}: framer threw ${describe(error)}`));
          return true;
        }
        if (frame.kind === "frame") {
          this.transcript.add("S", this.buffer.toString("latin1", 0, frame.consumed));
          this.buffer = this.buffer.subarray(frame.consumed);
          if (this.buffer.length <= this.highWater) this.socket.resume();
          finish(ok(frame.value));
          return true;
        }
        if (frame.kind === "invalid") {
          finish(fail("protocol_error", `${what} from ${this.where()}: ${frame.message}`));
          return true;
        }
        if (this.buffer.length > maxBytes) {
          const size = this.buffer.length;
          this.buffer = this.buffer.subarray(0, limits.oversizeKeptBytes);
          this.destroy();
          finish(
            fail("too_large", `${what} from ${this.where()}: more than ${maxBytes} bytes (${size} received)`),
          );
          return true;
        }
        if (this.eof) {
          const reason = this.error ? reasonOfSocketError(this.error) : "closed";
          const detail = this.error instanceof Error ? `: ${this.error.message}` : "";
          finish(
            fail(
              reason,
              `${what} from ${this.where()}: connection ${reason === "reset" ? "reset" : "closed"} by peer${detail}`,
            ),
          );
          return true;
        }
        this.socket.resume();
        return false;
      };
      if (attempt()) return;
      this.wake = () => void attempt();
      timer = setTimeout(() => {
        finish(fail("timeout", `${what} from ${this.where()}: nothing complete within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Writes raw bytes (a ClientHello of the prober); the transcript shows a summary. */
  writeBytes(data: Buffer, shown: string): void {
    this.transcript.add("C", shown);
    if (!this.socket.destroyed) this.socket.write(data);
  }

  write(text: string, shown = text): void {
    this.transcript.add("C", shown);
    if (!this.socket.destroyed) this.socket.write(text, "latin1");
  }

  /** Drops bytes received but not consumed (plaintext injected before a handshake). */
  discardPending(): void {
    this.buffer = Buffer.alloc(0);
  }

  /** Bytes received but not consumed by any framer. */
  pending(): Buffer {
    return this.buffer;
  }

  /**
   * Hands the socket to TLS. Bytes already received in plaintext are discarded, never read as if they
   * had come over TLS (the caller inspects `pending()` first to report injected plaintext).
   */
  startTls(options: TlsStartOptions, timeoutMs: number): Promise<NetResult<TlsPeerInfo>> {
    const plain = this.socket;
    this.detach(plain);
    this.buffer = Buffer.alloc(0);
    this.eof = false;
    this.error = null;
    return new Promise((resolve) => {
      let staple: Buffer | null = null;
      // tls.connect forwards requestOCSP to the TLSSocket it creates; the typings only list it there.
      const tlsOptions: ConnectionOptions & { requestOCSP: boolean } = {
        socket: plain as Socket,
        ...(options.serverName ? { servername: options.serverName } : {}),
        rejectUnauthorized: false,
        // An empty CA list keeps Node from appending trusted roots to the peer chain, so the chain we
        // report is the one the server sent. Trust is judged above the seam, on our own store.
        ca: [],
        minVersion: options.minVersion ?? "TLSv1",
        maxVersion: options.maxVersion ?? "TLSv1.3",
        ciphers: options.ciphers ?? probeCiphers,
        requestOCSP: true,
      };
      if (options.alpn) tlsOptions.ALPNProtocols = [...options.alpn];
      const socket = tlsConnect(tlsOptions);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(fail("timeout", `TLS handshake with ${this.where()}: not finished within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on("OCSPResponse", (response: Buffer) => {
        staple = response;
      });
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        this.tls = socket;
        this.socket = socket;
        this.attach(socket);
        try {
          const cipher = socket.getCipher();
          resolve(
            ok({
              protocol: socket.getProtocol(),
              cipher: {
                name: cipher.name,
                standardName: cipher.standardName ?? null,
                version: cipher.version,
              },
              ephemeralKey: socket.getEphemeralKeyInfo() ?? {},
              peerChain: chainOf(socket),
              ocspStaple: staple,
              alpnProtocol: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
            }),
          );
        } catch (error) {
          // Same rule as in read(): an exception in a socket handler is this endpoint's error.
          socket.destroy();
          resolve(fail("error", `internal: TLS handshake with ${this.where()}: ${describe(error)}`));
        }
      });
      socket.once("error", (error: Error) => {
        clearTimeout(timer);
        // A handshake that aborts after the server's Certificate message still shows what was sent.
        let chain: Buffer[] = [];
        try {
          chain = chainOf(socket);
        } catch {
          chain = [];
        }
        socket.destroy();
        const failure = fail(
          reasonOfSocketError(error),
          `TLS handshake with ${this.where()}: ${error.message}`,
        );
        resolve(
          chain.length > 0 && !failure.ok
            ? { ok: false, failure: { ...failure.failure, peerChain: chain } }
            : failure,
        );
      });
    });
  }

  private where(): string {
    return where(this.address, this.port);
  }

  destroy(): void {
    this.socket.destroy();
    this.onClosed();
  }

  /**
   * Closes politely when possible (our FIN first); a peer that has not closed its side within
   * limits.closeGraceMs is cut, so it cannot keep the per-host slot. Never throws.
   */
  close(): void {
    const socket = this.socket;
    this.detach(socket);
    socket.on("error", () => {});
    socket.once("close", this.onClosed);
    if (socket.destroyed) {
      this.onClosed();
      return;
    }
    socket.end();
    socket.destroySoon?.();
    setTimeout(() => {
      socket.destroy();
      this.onClosed();
    }, limits.closeGraceMs).unref();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function where(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
