/**
 * Hostile and broken servers: every one ends within its deadline with the step and reason that say
 * what happened, with the partial transcript, and memory stays bounded.
 */
import type { Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { type ProbeTarget, probeEndpoint } from "../../../src/audit/probe/probe-endpoint.js";
import type { Service } from "../../../src/audit/probe/services.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import {
  type FakeServer,
  fakeServer,
  nextChunk,
  nextLine,
  sleep,
  tlsServerSide,
} from "../../support/fake-server.js";
import { type Issued, selfSigned } from "../../support/pki.js";

const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
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
  options: { service?: Service; tlsMode?: ProbeTarget["tlsMode"]; step?: number; deadline?: number } = {},
): Promise<EndpointReport> {
  const [report] = await probeEndpoint(
    {
      host: server.address,
      port: server.port,
      service: options.service ?? "smtp",
      tlsMode: options.tlsMode ?? "starttls",
    },
    {
      ehloName: "probe.test",
      stepTimeoutMs: options.step ?? 500,
      endpointDeadlineMs: options.deadline ?? 5000,
      trustStore: store,
    },
    network,
  );
  if (!report) throw new Error("no report");
  return report;
}

/** A well-behaved SMTP server up to the STARTTLS go-ahead; `afterGo` decides what follows. */
function smtpUntilStarttls(afterGo: (socket: Socket) => void | Promise<void>, go = "220 2.0.0 go ahead\r\n") {
  return async (socket: Socket) => {
    socket.write("220 fake.test ESMTP\r\n");
    await nextLine(socket);
    socket.write("250-fake.test\r\n250 STARTTLS\r\n");
    await nextLine(socket);
    socket.write(go);
    await afterGo(socket);
  };
}

describe("hostile SMTP servers", () => {
  it("silence: the greeting times out", async () => {
    const report = await probe(await serve(() => {}));
    expect(report.error).toMatchObject({ step: "greeting", reason: "timeout" });
    expect(report.stats.durationMs).toBeLessThan(2000);
  });

  it("garbage instead of a greeting: protocol error with the bytes in the transcript", async () => {
    const report = await probe(await serve((s) => void s.write("\x16\x03\x01\x00\x05hello\r\n")));
    expect(report.error).toMatchObject({ step: "greeting", reason: "protocol_error" });
    expect(report.transcript.join("\n")).toContain("\\x16\\x03\\x01");
  });

  it("reset in the middle of a multi-line reply", async () => {
    const report = await probe(
      await serve(async (s) => {
        s.write("220-fake.test first line\r\n220-sec");
        await sleep(50);
        s.resetAndDestroy();
      }),
    );
    expect(report.error).toMatchObject({ step: "greeting", reason: "reset" });
    expect(report.transcript.join("\n")).toContain("220-fake.test first line");
  });

  it("1 byte per 100 ms drip: the step timeout ends it", async () => {
    const report = await probe(
      await serve(async (s) => {
        for (const byte of "220 fake.test ESMTP slowly\r\n") {
          if (s.destroyed) return;
          s.write(byte);
          await sleep(100);
        }
      }),
    );
    expect(report.error).toMatchObject({ step: "greeting", reason: "timeout" });
    expect(report.stats.durationMs).toBeLessThan(1500);
  });

  it("every reply just inside the step timeout: the endpoint deadline ends it", async () => {
    const report = await probe(
      await serve(async (s) => {
        await sleep(300);
        s.write("220 fake.test\r\n");
        for (;;) {
          await nextLine(s);
          await sleep(300);
          s.write("250-fake.test\r\n250 STARTTLS\r\n");
        }
      }),
      { step: 500, deadline: 700 },
    );
    expect(report.error?.reason).toBe("timeout");
    expect(report.stats.durationMs).toBeLessThan(1200);
  });

  it("a 10 MB line: too_large, transcript and memory bounded", async () => {
    const before = process.memoryUsage().rss;
    const report = await probe(
      await serve((s) => {
        const chunk = Buffer.alloc(1024 * 1024, 0x41);
        for (let i = 0; i < 10 && !s.destroyed; i++) s.write(chunk);
      }),
      { step: 3000 },
    );
    expect(report.error).toMatchObject({ step: "greeting", reason: "too_large" });
    expect(JSON.stringify(report.transcript).length).toBeLessThan(20_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("421 greeting: throttled, reported as such", async () => {
    const report = await probe(
      await serve((s) => void s.end("421 4.7.0 fake.test Error: too many connections from 127.0.0.1\r\n")),
    );
    expect(report.error).toMatchObject({ step: "greeting", reason: "throttled" });
  });

  it("554 greeting: rejected", async () => {
    const report = await probe(await serve((s) => void s.end("554 5.7.1 no service for you\r\n")));
    expect(report.error).toMatchObject({ step: "greeting", reason: "rejected" });
  });

  it("closes after EHLO: fails at starttls, closed", async () => {
    const report = await probe(
      await serve(async (s) => {
        s.write("220 fake.test ESMTP\r\n");
        await nextLine(s);
        s.end("250-fake.test\r\n250 STARTTLS\r\n");
      }),
    );
    expect(report.error).toMatchObject({ step: "starttls", reason: "closed" });
    expect(report.starttlsAdvertised).toBe(true);
  });

  it("454 to STARTTLS: rejected at starttls", async () => {
    const report = await probe(
      await serve(smtpUntilStarttls(() => {}, "454 4.7.0 TLS not available due to local problem\r\n")),
    );
    expect(report.error).toMatchObject({ step: "starttls", reason: "rejected" });
  });

  it("STARTTLS answered, then garbage instead of a ServerHello", async () => {
    const report = await probe(
      await serve(
        smtpUntilStarttls(async (s) => {
          await nextChunk(s);
          s.write("this is not TLS at all\r\n");
        }),
      ),
    );
    expect(report.error).toMatchObject({ step: "handshake", reason: "protocol_error" });
    expect(report.tls).toBeNull();
  });

  it("STARTTLS answered, then a fatal TLS alert", async () => {
    const report = await probe(
      await serve(
        smtpUntilStarttls(async (s) => {
          await nextChunk(s);
          s.write(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])); // fatal handshake_failure
        }),
      ),
    );
    expect(report.error).toMatchObject({ step: "handshake", reason: "tls_alert" });
  });

  it("STARTTLS answered, then silence: the handshake times out", async () => {
    const report = await probe(await serve(smtpUntilStarttls(() => {})));
    expect(report.error).toMatchObject({ step: "handshake", reason: "timeout" });
  });
});

/** A full STARTTLS exchange with a real TLS server side, optionally injecting plaintext after 220. */
function starttlsServer(go: string) {
  return smtpUntilStarttls(async (s) => {
    const secure = await tlsServerSide(s, cert.keyPem, cert.pem);
    await nextLine(secure);
    secure.write("250-fake.test\r\n250 SIZE 1000\r\n");
    await nextLine(secure);
    secure.end("221 bye\r\n");
  }, go);
}

describe("STARTTLS plaintext injection", () => {
  it("detects plaintext sent in the same segment as the go-ahead, and never reads it as TLS data", async () => {
    const report = await probe(await serve(starttlsServer("220 2.0.0 go ahead\r\n250 injected\r\n")));
    expect(report.plaintextInjection?.bytes).toBe("250 injected\r\n".length);
    expect(report.plaintextInjection?.preview).toContain("250 injected");
    expect(report.error).toBeNull();
    expect(report.tls?.negotiated?.version).toMatch(/^TLSv1\.[23]$/);
  });

  it("no false positive on a clean go-ahead", async () => {
    const report = await probe(await serve(starttlsServer("220 2.0.0 go ahead\r\n")));
    expect(report.plaintextInjection).toBeNull();
    expect(report.error).toBeNull();
    expect(report.tls?.certificate?.status).toBe("self_signed");
    expect(report.tls?.certificate?.hostChecked).toBeNull();
  });
});

describe("IMAP and POP3 refusals", () => {
  it("IMAP BYE greeting: rejected", async () => {
    const report = await probe(await serve((s) => void s.end("* BYE too many connections\r\n")), {
      service: "imap",
    });
    expect(report.error).toMatchObject({ step: "greeting", reason: "rejected" });
  });

  it("IMAP PREAUTH on a STARTTLS port: STARTTLS is impossible", async () => {
    const report = await probe(
      await serve((s) => void s.write("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n")),
      {
        service: "imap",
      },
    );
    expect(report.error).toMatchObject({ step: "starttls", reason: "not_offered" });
  });

  it("POP3 -ERR greeting: rejected", async () => {
    const report = await probe(await serve((s) => void s.end("-ERR go away\r\n")), { service: "pop3" });
    expect(report.error).toMatchObject({ step: "greeting", reason: "rejected" });
  });
});

describe("isolation", () => {
  it("a hostile endpoint probed in parallel does not spoil a good one", async () => {
    const bad = await serve((s) => void s.write(Buffer.alloc(300_000, 0x42)));
    const good = await serve(starttlsServer("220 2.0.0 go ahead\r\n"));
    const [badReport, goodReport] = await Promise.all([probe(bad), probe(good)]);
    expect(badReport.error?.reason).toBe("too_large");
    expect(goodReport.error).toBeNull();
    expect(goodReport.tls).not.toBeNull();
  });

  it("connection refused is reported at step connect", async () => {
    const server = await serve(() => {});
    await server.close();
    servers = [];
    const report = await probe(server);
    expect(report.error).toMatchObject({ step: "connect", reason: "refused" });
  });
});
