/**
 * `auditDomain` end to end over the fake resolver and scripted servers (loopback, port 0): every
 * measure of the registry appears once, a 454 to STARTTLS is asked again after the pause and then
 * fails mx.starttls, a failed SRV lookup leaves the access measures undetermined, and the report
 * satisfies its schema.
 */
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditReport, auditDomain } from "../../../src/audit/audit.js";
import { measureRegistry } from "../../../src/audit/measures/registry.js";
import { auditReportSchema } from "../../../src/audit/report/schema.js";
import { trustStore } from "../../../src/audit/tls/trust-store.js";
import { systemClock } from "../../../src/net/clock.js";
import { Connection } from "../../../src/net/connection.js";
import type { Network } from "../../../src/net/network.js";
import { fail } from "../../../src/net/outcome.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { targetGuard } from "../../../src/net/target-guard.js";
import { type FakeServer, fakeServer, nextLine, tlsServerSide } from "../../support/fake-server.js";
import { selfSigned } from "../../support/pki.js";

const servers: FakeServer[] = [];
let report: AuditReport;
let refusing: FakeServer;

/** SMTP that advertises STARTTLS; `go` answers it; after TLS, 250 to everything until QUIT. */
const smtp = (go: string, cert?: { pem: string; keyPem: string }) => async (socket: Socket) => {
  socket.write("220 mx.example.org ESMTP\r\n");
  await nextLine(socket);
  socket.write("250-mx.example.org\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
  const command = await nextLine(socket);
  if (!/^STARTTLS/i.test(command) || !cert) {
    socket.write(go);
    const quit = await nextLine(socket).catch(() => "");
    if (/^QUIT/i.test(quit)) socket.end("221 bye\r\n");
    return;
  }
  socket.write(go);
  const secure = await tlsServerSide(socket, cert.keyPem, cert.pem);
  for (;;) {
    const line = await nextLine(secure);
    if (/^QUIT/i.test(line)) {
      secure.end("221 bye\r\n");
      return;
    }
    secure.write(/^EHLO/i.test(line) ? "250-mx.example.org\r\n250 PIPELINING\r\n" : "250 ok\r\n");
  }
};

beforeAll(async () => {
  const cert = await selfSigned("mx1.example.org");
  const good = await fakeServer(smtp("220 2.0.0 go ahead\r\n", cert));
  refusing = await fakeServer(smtp("454 4.7.0 TLS not available due to local problem\r\n"));
  servers.push(good, refusing);
  const routes = new Map([
    ["192.0.2.25:25", good.port],
    ["192.0.2.26:25", refusing.port],
  ]);
  const network: Network = {
    resolver: fakeResolver({
      MX: {
        "example.org": [
          { exchange: "mx1.example.org", priority: 10 },
          { exchange: "mx2.example.org", priority: 20 },
        ],
      },
      A: { "mx1.example.org": ["192.0.2.25"], "mx2.example.org": ["192.0.2.26"] },
      TXT: {
        "example.org": ["v=spf1 mx -all"],
        "_dmarc.example.org": ["v=DMARC1; p=reject"],
        "_smtp._tls.example.org": ["v=TLSRPTv1; rua=mailto:tlsrpt@example.org"],
      },
      fail: { "_submissions._tcp.example.org": "error" },
    }),
    clock: systemClock,
    guard: targetGuard({ allowPrivate: true }),
    async connect(address, port, timeoutMs) {
      const real = routes.get(`${address}:${port}`);
      if (real === undefined)
        return fail("refused", `connect ${address}:${port}: refused (no scripted server)`);
      return Connection.open("127.0.0.1", real, timeoutMs);
    },
  };
  report = await auditDomain(
    "example.org",
    {
      ehloName: "probe.test",
      stepTimeoutMs: 1000,
      endpointDeadlineMs: 5000,
      trustStore: trustStore({ includeSystemRoots: false }),
      enumeration: false,
      territory: { countries: ["FR"], locate: () => ({ country: "FR", source: "test db" }) },
      starttlsRetryPauseMs: 100,
    },
    network,
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const measure = (id: keyof typeof measureRegistry) => report.measures.find((m) => m.id === id);

describe("auditDomain over the fake resolver and scripted servers", () => {
  it("lists every measure of the registry exactly once, in registry order", () => {
    const ids = report.measures.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(Object.keys(measureRegistry));
    expect(ids.filter((id) => id === "access.autoconfig")).toHaveLength(1);
  });
  it("a 454 to STARTTLS is asked once more after the pause, then fails mx.starttls", () => {
    expect(refusing.connections).toBe(2);
    const mx2 = report.endpoints.find((e) => e.host === "mx2.example.org");
    expect(mx2?.stats.retries).toBe(1);
    const starttls = measure("mx.starttls");
    expect(starttls?.status).toBe("fail");
    expect(starttls?.evidence.find((e) => e.endpoint?.startsWith("mx2."))).toMatchObject({
      status: "fail",
      code: "starttls.refused",
    });
    expect(starttls?.evidence.find((e) => e.endpoint?.startsWith("mx1."))?.status).toBe("pass");
    expect(report.verdict).toBe("non_compliant");
  });
  it("a SERVFAIL on an SRV lookup leaves the access measures undetermined, not 'not applicable'", () => {
    expect(measure("access.tls")?.status).toBe("error");
    expect(measure("access.tls")?.evidence[0]?.code).toBe("discovery.lookup-failed");
    expect(report.discovery.failures).toEqual([
      {
        name: "_submissions._tcp.example.org",
        reason: "error",
        message: "fake DNS: error for _submissions._tcp.example.org",
      },
    ]);
    // No webmail name and no failure about it: its absence is proven.
    expect(measure("webmail.https")?.status).toBe("not_applicable");
  });
  it("DNS policy records and autoconfig are judged from the fake zone", () => {
    expect(measure("mail.spf")?.status).toBe("pass");
    expect(measure("mail.dmarc")?.status).toBe("pass");
    expect(measure("mx.tls-rpt")?.status).toBe("pass");
    expect(measure("mx.mta-sts")?.status).toBe("fail");
    expect(measure("access.autoconfig")?.status).toBe("not_applicable");
  });
  it("satisfies the report schema", () => {
    const parsed = auditReportSchema.safeParse(JSON.parse(JSON.stringify(report)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  });
});
