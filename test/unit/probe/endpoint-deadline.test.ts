/**
 * One deadline bounds the whole endpoint, with scripted hostile servers on loopback (short injected
 * timeouts keep the tests fast): a server silent after accept is tried twice, not once per bundle; a
 * slow greeting is planned with (versions first) and the probe ends at the deadline, incomplete and
 * saying why; the per-host cap holds for every connection, also without enumeration.
 */
import type { Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { type ProbeTarget, probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import { defaultPoliteness } from "../../../src/audit/tls/prober/politeness.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { HostLimiter } from "../../../src/net/host-limiter.js";
import { liveNetwork, type Network } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type FakeServer, fakeServer, nextLine, sleep } from "../../support/fake-server.js";
import { type Issued, selfSigned } from "../../support/pki.js";
import { slowGreetingImap } from "../../support/slow-servers.js";

const store = trustStore({ includeSystemRoots: false });
let servers: FakeServer[] = [];
let cert: Issued;
beforeAll(async () => {
  cert = await selfSigned("fake.test");
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(script: (socket: Socket) => void | Promise<void>): Promise<FakeServer> {
  const server = await fakeServer(script);
  servers.push(server);
  return server;
}

async function probe(
  server: FakeServer,
  target: Pick<ProbeTarget, "service" | "tlsMode">,
  options: { step: number; deadline: number; enumerate?: boolean; network?: Network },
): Promise<{ report: EndpointReport; seconds: number }> {
  const network = options.network ?? liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
  const politeness = { ...defaultPoliteness, backoffMs: 20 };
  const started = Date.now();
  const [report] = await probeEndpoint(
    { host: server.address, port: server.port, ...target },
    {
      ehloName: "probe.test",
      stepTimeoutMs: options.step,
      endpointDeadlineMs: options.deadline,
      trustStore: store,
      enumeration: options.enumerate === false ? false : { quick: false, politeness },
    },
    network,
  );
  if (!report) throw new Error("no report");
  return { report, seconds: (Date.now() - started) / 1000 };
}

describe("the endpoint deadline bounds everything", () => {
  it("a server silent after accept on an implicit-TLS port is tried twice, within one step", async () => {
    const server = await serve(() => {});
    const { report, seconds } = await probe(
      server,
      { service: "submission", tlsMode: "implicit" },
      { step: 400, deadline: 5000 },
    );
    console.log(`silent server: ${seconds.toFixed(2)} s, ${server.connections} connections`);
    expect(server.connections).toBeLessThanOrEqual(2);
    expect(report.stats.connections).toBe(server.connections);
    expect(seconds).toBeLessThan(1.5); // main and one enumeration hello side by side: one step
    expect(report.error).toMatchObject({ step: "handshake", reason: "timeout" });
  });

  it("a server that never greets (STARTTLS) costs one connection and one step", async () => {
    const server = await serve(() => {});
    const { report, seconds } = await probe(
      server,
      { service: "imap", tlsMode: "starttls" },
      { step: 400, deadline: 5000 },
    );
    expect(server.connections).toBe(1);
    expect(seconds).toBeLessThan(1);
    expect(report.error).toMatchObject({ step: "greeting", reason: "timeout" });
  });

  it("a greeting that takes 800 ms: versions first, and the probe ends at the deadline, incomplete", async () => {
    const server = await slowGreetingImap(800, cert);
    servers.push(server);
    const deadline = 4000;
    const { report, seconds } = await probe(
      server,
      { service: "imap", tlsMode: "starttls" },
      { step: 2000, deadline },
    );
    console.log(`slow greeting: ${seconds.toFixed(2)} s, ${server.connections} connections`);
    expect(seconds).toBeLessThan(deadline / 1000 + 1);
    expect(report.tls?.negotiated?.version).toBe("TLSv1.3");
    // What a client negotiates, for every version, came first.
    expect(report.tls?.versions).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(report.tls?.enumeration?.complete).toBe(false);
    expect(report.tls?.enumeration?.incompleteReason).toBe("deadline");
    expect(report.tls?.enumeration?.notes.join(" ")).toMatch(/deadline/);
  });

  it("--max-connections holds for every connection, also without enumeration (five targets, one host)", async () => {
    let open = 0;
    let peak = 0;
    const server = await serve(async (socket) => {
      // Sessions in service at once (a closing socket's last events may trail the next accept).
      open++;
      peak = Math.max(peak, open);
      await sleep(100);
      socket.write("220 fake.test ESMTP\r\n");
      await nextLine(socket);
      open--;
      socket.write("250 fake.test\r\n");
    });
    const limiter = new HostLimiter({ maxPerHost: 2, delayMs: 0 });
    const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true, limiter });
    await Promise.all(
      [...Array(5)].map(() =>
        probe(
          server,
          { service: "smtp", tlsMode: "starttls" },
          { step: 2000, deadline: 10_000, enumerate: false, network },
        ),
      ),
    );
    expect(server.connections).toBe(5);
    expect(limiter.peak).toBe(2);
    expect(peak).toBeLessThanOrEqual(2);
  });
});
