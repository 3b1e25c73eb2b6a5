/**
 * `mailcharter probe` against real Postfix, Dovecot and nginx in every lab scenario, checked against
 * what `openssl s_client` sees on the same endpoint.
 */
import { execFile } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import type { ImapFacts } from "../../src/audit/dialogue/imap.js";
import type { SmtpFacts } from "../../src/audit/dialogue/smtp.js";
import type { EndpointReport } from "../../src/audit/probe/endpoint.js";
import { probeEndpoint } from "../../src/audit/probe/probe-endpoint.js";
import { trustStore } from "../../src/audit/tls/trust-store.js";
import { liveNetwork } from "../../src/net/network.js";
import { parseResolverAddress, systemResolver } from "../../src/net/resolver.js";
import { type LabPort, labPorts } from "./lab/ports.js";
import { type Scenario, scenarioByName, scenarios } from "./lab/scenarios.js";
import { sClient } from "./openssl.js";

const lab = inject("lab");
const store = trustStore({ caFiles: [lab.rootCaFile] });
const network = liveNetwork({
  resolver: systemResolver(parseResolverAddress(lab.resolver)),
  allowPrivate: true,
});
const options = { ehloName: "probe.lab.test", stepTimeoutMs: 5000, trustStore: store };

type Port = LabPort;
const ports = labPorts;

async function probe(scenario: Scenario, port: Port): Promise<EndpointReport> {
  const reports = await probeEndpoint(
    { host: scenario.host, port: port.port, service: port.service, tlsMode: port.tlsMode },
    options,
    network,
  );
  expect(reports).toHaveLength(1);
  const [report] = reports;
  if (!report) throw new Error("no report");
  expect(report.address).toBe(scenario.address);
  return report;
}

/** Endpoints where the scenario serves TLS (implicit ports, and STARTTLS ports when it offers it). */
const tlsEndpoints = scenarios.flatMap((scenario) =>
  ports
    .filter((p) => (p.dovecot ? scenario.dovecot : true))
    .filter((p) => p.tlsMode === "implicit" || scenario.starttls)
    .filter((p) => !(p.dovecot && !scenario.starttls))
    .map((port) => ({ scenario, port, label: `${scenario.name} ${port.service}/${port.port}` })),
);

describe("probe agrees with openssl s_client on every TLS endpoint of the lab", () => {
  it.each(tlsEndpoints)("$label", async ({ scenario, port }) => {
    const [report, reference] = await Promise.all([
      probe(scenario, port),
      sClient({
        address: scenario.address,
        port: port.port,
        host: scenario.host,
        caFile: lab.rootCaFile,
        ...(port.starttls ? { starttls: port.starttls } : {}),
      }),
    ]);
    expect(report.error, JSON.stringify(report.transcript)).toBeNull();
    expect(report.outcome).toBe("completed");
    expect(reference.connected, reference.output).toBe(true);
    expect(report.tls?.negotiated?.version).toBe(reference.version);
    expect(report.tls?.negotiated?.opensslName).toBe(reference.cipher);
    expect(report.tls?.certificate?.status).toBe(reference.status);
    expect(report.tls?.certificate?.status).toBe(scenario.certificate);
    expect(report.stats.connections).toBe(1);
    if (port.tlsMode === "starttls") expect(report.starttlsAdvertised).toBe(true);
  });
});

describe("scenario specifics", () => {
  it("legacy: TLS 1.0 with static RSA key exchange only", async () => {
    const report = await probe(scenarioByName("legacy"), ports[0] as Port);
    expect(report.tls?.negotiated?.version).toBe("TLSv1");
    expect(report.tls?.negotiated?.keyExchange).toBe("RSA");
    expect(report.tls?.negotiated?.cipherSuite).toMatch(/^TLS_RSA_WITH_AES_(128|256)_CBC_SHA$/);
  });

  it("good: ECDHE, re-EHLO after TLS without STARTTLS advertised again", async () => {
    const report = await probe(scenarioByName("good"), ports[0] as Port);
    const facts = report.dialogue?.facts as SmtpFacts;
    expect(report.tls?.negotiated?.keyExchange).toBe("ECDHE");
    expect(report.tls?.negotiated?.group).toBeTruthy();
    expect(facts.ehloBeforeTls?.starttls).toBe(true);
    expect(facts.ehloAfterTls).not.toBeNull();
    expect(facts.starttlsAdvertisedAfterTls).toBe(false);
    expect(report.plaintextInjection).toBeNull();
    expect(report.transcript.some((line) => line.startsWith("S: 220 mail.good.lab.test ESMTP"))).toBe(true);
  });

  it("good IMAP: LOGINDISABLED before TLS, AUTH mechanisms after", async () => {
    const report = await probe(scenarioByName("good"), ports[3] as Port);
    const facts = report.dialogue?.facts as ImapFacts;
    expect(facts.greeting?.status).toBe("OK");
    expect(facts.loginDisabledBeforeTls).toBe(true);
    expect(facts.starttlsAdvertisedAfterTls).toBe(false);
    expect(facts.authAfterTls).toContain("PLAIN");
  });

  it("nostarttls: every STARTTLS port fails at step starttls with not_offered, like openssl", async () => {
    const scenario = scenarioByName("nostarttls");
    for (const port of ports.filter((p) => p.tlsMode === "starttls")) {
      const report = await probe(scenario, port);
      expect(report.error?.step, port.service).toBe("starttls");
      expect(report.error?.reason).toBe("not_offered");
      expect(report.starttlsAdvertised).toBe(false);
      expect(report.tls).toBeNull();
      const reference = await sClient({
        address: scenario.address,
        port: port.port,
        host: scenario.host,
        caFile: lab.rootCaFile,
        ...(port.starttls ? { starttls: port.starttls } : {}),
      });
      expect(reference.connected).toBe(false);
    }
  });

  it("http on port 80 answers with a redirect to https", async () => {
    const report = await probe(scenarioByName("good"), { service: "https", port: 80, tlsMode: "none" });
    const facts = report.dialogue?.facts as {
      response: { status: number; headers: { name: string; value: string }[] };
    };
    expect(facts.response.status).toBe(301);
    expect(facts.response.headers.find((h) => h.name === "location")?.value).toBe(
      "https://mail.good.lab.test/",
    );
  });
});

describe("DNS and the target guard, with the lab's Knot server", () => {
  it("a name that does not exist fails at step dns", async () => {
    const [report] = await probeEndpoint(
      { host: "nowhere.lab.test", port: 25, service: "smtp", tlsMode: "starttls" },
      options,
      network,
    );
    expect(report?.error?.step).toBe("dns");
    expect(report?.stats.connections).toBe(0);
  });

  it("a name resolving to loopback is refused after resolution without --allow-private", async () => {
    const guarded = liveNetwork({
      resolver: systemResolver(parseResolverAddress(lab.resolver)),
      allowPrivate: false,
    });
    const [report] = await probeEndpoint(
      { host: "mail.good.lab.test", port: 25, service: "smtp", tlsMode: "starttls" },
      options,
      guarded,
    );
    expect(report?.address).toBe("127.0.10.1");
    expect(report?.error?.step).toBe("connect");
    expect(report?.error?.reason).toBe("not_allowed");
    expect(report?.stats.connections).toBe(0);
  });
});

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr });
    });
  });
}

describe("the mailcharter probe command", () => {
  const common = ["--resolver", lab.resolver, "--allow-private", "--ca-file", lab.rootCaFile];

  it("prints the endpoint objects as JSON and exits 0", async () => {
    const { code, stdout } = await cli(["probe", "mail.expired.lab.test:993", ...common, "--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { schema: string; endpoints: EndpointReport[] };
    expect(parsed.schema).toBe("mailcharter/probe/1");
    expect(parsed.endpoints[0]?.service).toBe("imap");
    expect(parsed.endpoints[0]?.tls?.certificate?.status).toBe("expired");
  });

  it("prints a readable summary in French", async () => {
    const { code, stdout } = await cli(["probe", "mail.selfsigned.lab.test:25", ...common, "--lang", "fr"]);
    expect(code).toBe(0);
    expect(stdout).toContain("STARTTLS annoncé: oui");
    expect(stdout).toContain("self_signed");
  });

  it("exits 4 when nothing listens, 2 on a usage error", async () => {
    expect((await cli(["probe", "127.0.10.1:2525", "--allow-private", "--timeout", "2000"])).code).toBe(4);
    const usage = await cli(["probe", "mail.good.lab.test", "--service", "gopher"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/gopher/);
  });
});

describe("httpFetch against nginx", () => {
  it("follows http → https on the same host and records HSTS and the TLS of each hop", async () => {
    const { httpFetch } = await import("../../src/audit/probe/http-fetch.js");
    const result = await httpFetch("http://mail.good.lab.test/inbox?a=1", network, { stepTimeoutMs: 5000 });
    expect(result.stopped).toBeNull();
    expect(result.hops.map((h) => h.status)).toEqual([301, 200]);
    expect(result.hops[0]?.tls).toBeNull();
    expect(result.hops[1]?.url).toBe("https://mail.good.lab.test/inbox?a=1");
    expect(result.hops[1]?.tls?.version).toBe("TLSv1.3");
    expect(result.hops[1]?.headers.find((h) => h.name === "strict-transport-security")?.value).toBe(
      "max-age=31536000; includeSubDomains",
    );
    expect(result.body).toContain('type="password"');
  });
});
