/**
 * A main handshake that fails while the enumeration had to retry (commit 748844e): the server pushed
 * back on this host (Exim's smtp_accept_max counts every port), so the failure is not a TLS fault.
 * Against a scripted implicit-TLS server on loopback that answers chosen connections with Exim's 421
 * refusal line instead of a ServerHello: the main handshake is retried after backoff and succeeds;
 * when the retry is refused too, the endpoint is reported throttled, not as a handshake protocol error;
 * and without any pushback a failed handshake stays what it was.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import { defaultPoliteness } from "../../../src/audit/tls/prober/politeness.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type Issued, selfSigned } from "../../support/pki.js";

const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
const store = trustStore({ includeSystemRoots: false });
const refusal = "421 Too many concurrent SMTP connections; please try again later.\r\n";
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

/**
 * Implicit TLS (TLS 1.2, two suites, so the enumeration is short), connection n (from 1) refused with
 * the 421 line when `refuse(n)`.
 */
async function server(refuse: (n: number) => boolean): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const context = createSecureContext({
    key: cert.keyPem,
    cert: cert.pem,
    ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
  });
  const s = createServer((socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (refuse(connections)) {
      socket.end(refusal);
      return;
    }
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    secure.on("error", () => socket.destroy());
    // Just enough SMTP after TLS for the dialogue (greeting, EHLO, QUIT).
    secure.on("secure", () => secure.write("220 fake.test ESMTP\r\n"));
    let buffered = "";
    secure.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end).trim().toUpperCase();
        buffered = buffered.slice(end + 1);
        if (line.startsWith("QUIT")) secure.end("221 2.0.0 bye\r\n");
        else if (line.startsWith("EHLO")) secure.write("250-fake.test\r\n250 AUTH PLAIN\r\n");
        else secure.write("250 2.0.0 ok\r\n");
      }
    });
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return { port: address.port, connections: () => connections };
}

async function probe(port: number, enumeration = true): Promise<EndpointReport> {
  // Backoff scaled down from 1 s, yet longer than a handshake on a busy machine; one connection at a
  // time, so the order of the connections is the order of the probe's steps.
  const politeness = { ...defaultPoliteness, backoffMs: 150, maxConnectionsPerHost: 1 };
  const [report] = await probeEndpoint(
    { host: "127.0.0.1", port, service: "submission", tlsMode: "implicit" },
    {
      ehloName: "probe.test",
      stepTimeoutMs: 2000,
      endpointDeadlineMs: 20_000,
      trustStore: store,
      enumeration: enumeration ? { quick: true, politeness } : false,
    },
    network,
  );
  if (!report) throw new Error("no report");
  return report;
}

const retried = (report: EndpointReport) =>
  report.transcript.some((l) =>
    /the server throttles \(refusal lines instead of a ServerHello\): retrying in \d+ ms/.test(l),
  );

describe("a failed main handshake where the enumeration had to retry", () => {
  // Connection 1 is the main one (the enumeration starts once TLS starts), 2 the enumeration's first.
  it("is retried after backoff, and the retry's handshake is the endpoint's TLS", async () => {
    const s = await server((n) => n <= 2);
    const report = await probe(s.port);
    expect(report.tls?.enumeration?.throttled).toBe(false);
    expect(report.stats.retries).toBeGreaterThanOrEqual(2); // the enumeration's and the main one
    expect(retried(report)).toBe(true);
    expect(report.error).toBeNull();
    expect(report.tls?.negotiated?.version).toBe("TLSv1.2");
    expect(report.stats.connections).toBe(s.connections());
  });

  it("refused again: reported throttled, not a TLS protocol error", async () => {
    // The same run with the last connection (the main retry, once the enumeration is over) refused.
    const first = await server((n) => n <= 2);
    const total = (await probe(first.port)).stats.connections;
    const s = await server((n) => n <= 2 || n >= total);
    const report = await probe(s.port);
    expect(retried(report)).toBe(true);
    expect(report.stats.connections).toBe(total);
    expect(report.error).toMatchObject({ step: "handshake", reason: "throttled" });
    expect(report.error?.message).toMatch(/the server throttles/);
    expect(report.tls?.negotiated ?? null).toBeNull();
  });

  it("without pushback (no enumeration retried), a failed handshake is not retried nor called throttled", async () => {
    const s = await server((n) => n === 1);
    const report = await probe(s.port, false);
    expect(retried(report)).toBe(false);
    expect(report.error?.step).toBe("handshake");
    expect(report.error?.reason).not.toBe("throttled");
    expect(s.connections()).toBe(1);
  });
});
