/**
 * Never a wrong result marked complete, against scripted servers on loopback: an Exim-like server
 * that answers extra connections with a plain-text 421 line on its implicit-TLS port; a DHE-only
 * server (the DH size is reported); a server that aborts the handshake after its Certificate
 * message (the certificate it sent is reported); a server that closes instead of alerting.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { type ProbeTarget, probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import { suiteByName } from "../../../src/audit/tls/cipher-suites.js";
import { defaultPoliteness } from "../../../src/audit/tls/prober/politeness.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type Issued, selfSigned } from "../../support/pki.js";

const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
const store = trustStore({ includeSystemRoots: false });
const dhparam = readFileSync(new URL("../../fixtures/ffdhe2048.pem", import.meta.url));
let cert: Issued;
let servers: Server[] = [];
const sockets = new Set<Socket>();
beforeAll(async () => {
  cert = await selfSigned("fake.test");
});
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

interface TlsServerOptions {
  readonly ciphers?: string;
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
  readonly requestCert?: boolean;
  /** Sessions served at once; the extra ones get this line, as Exim does (smtp_accept_max). */
  readonly concurrency?: number;
  readonly refusalLine?: string;
}

/** A raw TCP server handing each connection to Node's TLS, server side, with a concurrency limit. */
async function tlsServer(options: TlsServerOptions): Promise<{ port: number; connections: () => number }> {
  let open = 0;
  let connections = 0;
  const context = createSecureContext({
    key: cert.keyPem,
    cert: cert.pem,
    dhparam,
    ...(options.ciphers ? { ciphers: `${options.ciphers}:@SECLEVEL=0` } : {}),
    minVersion: "TLSv1",
    maxVersion: options.maxVersion ?? "TLSv1.3",
  });
  const server = createServer((socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (options.concurrency !== undefined && open >= options.concurrency) {
      socket.end(
        options.refusalLine ?? "421 Too many concurrent SMTP connections; please try again later.\r\n",
      );
      return;
    }
    open++;
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      requestCert: options.requestCert === true,
      rejectUnauthorized: options.requestCert === true,
    });
    let counted = true;
    const done = () => {
      if (counted) open--;
      counted = false;
    };
    secure.once("close", done);
    secure.once("end", done);
    socket.once("close", done);
    secure.on("error", () => socket.destroy());
    secure.on("secure", () => secure.end("220 fake.test ESMTP\r\n"));
    secure.resume(); // read what the client sends, so that its close is seen
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return { port: address.port, connections: () => connections };
}

async function probe(
  port: number,
  target: Pick<ProbeTarget, "service" | "tlsMode">,
): Promise<EndpointReport> {
  // Backoff scaled down from 1 s, yet longer than a handshake on a busy machine.
  const politeness = { ...defaultPoliteness, backoffMs: 150 };
  const [report] = await probeEndpoint(
    { host: "127.0.0.1", port, ...target },
    {
      ehloName: "probe.test",
      stepTimeoutMs: 2000,
      endpointDeadlineMs: 20_000,
      trustStore: store,
      enumeration: { quick: false, politeness },
    },
    network,
  );
  if (!report) throw new Error("no report");
  return report;
}

const accepted12 = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "AES128-SHA"];
const accepted12Iana = [
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
];

describe("refusal lines instead of a ServerHello (Exim's 421 on port 465)", () => {
  it("are throttling: retried, and never counted as suites refused", async () => {
    const server = await tlsServer({ ciphers: accepted12.join(":"), maxVersion: "TLSv1.2", concurrency: 1 });
    const report = await probe(server.port, { service: "submission", tlsMode: "implicit" });
    const e = report.tls?.enumeration;
    const reported = report.tls?.cipherSuites?.["TLSv1.2"] ?? [];
    // Whatever it could see is right: no suite it does not accept, and nothing is called refused
    // because of a 421 line.
    for (const name of reported) expect(accepted12Iana).toContain(name);
    if (e?.complete) {
      expect(new Set(reported)).toEqual(new Set(accepted12Iana));
    } else {
      expect(e?.throttled).toBe(true);
      expect(e?.incompleteReason).toBe("throttled");
    }
    expect(report.stats.retries).toBeGreaterThan(0);
    console.log(
      `421 server: complete ${e?.complete}, throttled ${e?.throttled}, retries ${report.stats.retries}, ${reported.length} suites`,
    );
  });

  it("a server that always answers with 421 is throttled, with no versions invented", async () => {
    const server = await tlsServer({ concurrency: 0 });
    const report = await probe(server.port, { service: "submission", tlsMode: "implicit" });
    expect(report.error?.reason).toBe("throttled");
    expect(report.tls?.versions ?? []).toEqual([]);
  });

  it("no false positive: the same server without a limit is enumerated completely", async () => {
    const server = await tlsServer({ ciphers: accepted12.join(":"), maxVersion: "TLSv1.2" });
    const report = await probe(server.port, { service: "submission", tlsMode: "implicit" });
    expect(report.tls?.enumeration?.complete).toBe(true);
    expect(report.tls?.enumeration?.throttled).toBe(false);
    expect(new Set(report.tls?.cipherSuites?.["TLSv1.2"])).toEqual(new Set(accepted12Iana));
  });
});

describe("what the server sent is reported", () => {
  it("the DH size of a DHE-only server", async () => {
    const server = await tlsServer({
      ciphers: "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
      maxVersion: "TLSv1.2",
    });
    const report = await probe(server.port, { service: "https", tlsMode: "implicit" });
    expect(report.tls?.cipherSuites?.["TLSv1.2"]?.every((n) => suiteByName(n)?.keyExchange === "DHE")).toBe(
      true,
    );
    expect(report.tls?.enumeration?.dhBits).toBe(2048);
  });

  it("the certificate of a handshake that aborts after the server's Certificate message", async () => {
    // The server demands a client certificate (TLS 1.2) and aborts when none comes.
    const server = await tlsServer({ maxVersion: "TLSv1.2", requestCert: true });
    const report = await probe(server.port, { service: "https", tlsMode: "implicit" });
    expect(report.error?.step).toBe("handshake");
    expect(report.tls?.certificate?.chain[0]?.subject).toMatch(/fake\.test/);
    expect(report.tls?.certificateFrom).toBe("aborted-handshake");
  });
});
