/**
 * Our ClientHello sent to a real OpenSSL (Node's TLS server on loopback port 0) and its first flight
 * read by our parser: the bytes are OpenSSL's, not ours. A TLS 1.3 hello that lost an extension is
 * answered as TLS 1.2 or refused; the ServerKeyExchange gives the DH prime size and the curve.
 */
import { connect } from "node:net";
import { createServer, type Server, type TlsOptions } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildClientHello } from "../../../src/audit/tls/wire/client-hello.js";
import { type FirstFlight, frameFirstFlight } from "../../../src/audit/tls/wire/server-flight.js";
import { type Issued, issue, rootCa } from "../../support/pki.js";

let leaf: Issued;
const servers: Server[] = [];

beforeAll(async () => {
  leaf = await issue(await rootCa("Flight Root"), "mx.example.test");
});

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function openssl(options: TlsOptions): Promise<number> {
  const server = createServer({ key: leaf.keyPem, cert: leaf.pem, ...options });
  server.on("tlsClientError", () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Sends one hello, frames the answer with our parser. */
function firstFlight(port: number, hello: Buffer, wantKeyExchange = true): Promise<FirstFlight | string> {
  const frame = frameFirstFlight({ wantKeyExchange });
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(hello));
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no first flight within 5 s"));
    }, 5000);
    const settle = (eof: boolean) => {
      const result = frame(buffer, eof);
      if (result.kind === "incomplete" && !eof) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(result.kind === "frame" ? result.value : `${result.kind}`);
    };
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      settle(false);
    });
    socket.on("end", () => settle(true));
    socket.on("error", () => settle(true));
  });
}

const groups = [0x001d, 0x0017, 0x0018, 0x0100];

describe("first flights of a real OpenSSL", () => {
  it("DHE: the ServerKeyExchange gives the prime size (2048 bits)", async () => {
    const port = await openssl({
      ciphers: "DHE-RSA-AES128-GCM-SHA256",
      dhparam: "auto",
      maxVersion: "TLSv1.2",
    });
    const flight = await firstFlight(
      port,
      buildClientHello({ version: "TLSv1.2", cipherSuites: [0x009e], groups, serverName: "mx.example.test" }),
    );
    expect(flight).toMatchObject({
      kind: "server-hello",
      version: "TLSv1.2",
      cipherSuite: 0x009e,
      dhBits: 2048,
      group: null,
      helloRetry: false,
      secureRenegotiation: true,
      extendedMasterSecret: true,
      compression: 0,
    });
  });

  it("ECDHE: the ServerKeyExchange names the curve the server chose (secp384r1)", async () => {
    const port = await openssl({
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      ecdhCurve: "secp384r1",
      maxVersion: "TLSv1.2",
    });
    const hello = buildClientHello({ version: "TLSv1.2", cipherSuites: [0xc02f], groups });
    expect(await firstFlight(port, hello)).toMatchObject({
      kind: "server-hello",
      version: "TLSv1.2",
      cipherSuite: 0xc02f,
      group: 0x0018,
      dhBits: null,
    });
    expect(await firstFlight(port, hello, false)).toMatchObject({ cipherSuite: 0xc02f, group: null });
  });

  it("a CBC suite: the server confirms encrypt_then_mac, which our hello offered", async () => {
    const port = await openssl({ ciphers: "ECDHE-RSA-AES128-SHA256", maxVersion: "TLSv1.2" });
    const flight = await firstFlight(
      port,
      buildClientHello({ version: "TLSv1.2", cipherSuites: [0xc027], groups }),
    );
    expect(flight).toMatchObject({ kind: "server-hello", cipherSuite: 0xc027, encryptThenMac: true });
  });

  it("TLS 1.3: the empty key_share draws a HelloRetryRequest naming suite and group", async () => {
    const port = await openssl({ minVersion: "TLSv1.3", ecdhCurve: "P-256:X25519" });
    const flight = await firstFlight(
      port,
      buildClientHello({
        version: "TLSv1.3",
        cipherSuites: [0x1302, 0x1301],
        groups,
        serverName: "mx.example.test",
      }),
    );
    expect(flight).toMatchObject({
      kind: "server-hello",
      version: "TLSv1.3",
      versionCode: 0x0304,
      helloRetry: true,
      group: 0x0017,
    });
    expect([0x1301, 0x1302]).toContain((flight as { cipherSuite: number }).cipherSuite);
  });

  it("a TLS 1.3-only server refuses a TLS 1.2 hello with protocol_version", async () => {
    const port = await openssl({ minVersion: "TLSv1.3" });
    const flight = await firstFlight(
      port,
      buildClientHello({ version: "TLSv1.2", cipherSuites: [0xc02f], groups }),
    );
    expect(flight).toMatchObject({ kind: "alert", level: 2, description: 70, name: "protocol_version" });
  });

  it("no shared suite: handshake_failure", async () => {
    const port = await openssl({ ciphers: "ECDHE-RSA-AES256-GCM-SHA384", maxVersion: "TLSv1.2" });
    const flight = await firstFlight(
      port,
      buildClientHello({ version: "TLSv1.2", cipherSuites: [0x009c], groups }),
    );
    expect(flight).toMatchObject({ kind: "alert", description: 40, name: "handshake_failure" });
  });
});
