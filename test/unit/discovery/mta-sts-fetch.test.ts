/**
 * The MTA-STS policy fetch (RFC 8461 §3.3) against scripted HTTPS servers: no redirect is followed
 * (the second location is never connected to), the body is capped at 64 KiB, and autoconfig never
 * follows a redirect from HTTPS down to plain HTTP.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fetchAutoconfig } from "../../../src/audit/discovery/autoconfig.js";
import { fetchStsPolicy } from "../../../src/audit/discovery/mta-sts-fetch.js";
import type { HttpFetchResult } from "../../../src/audit/probe/http-fetch.js";
import { limits } from "../../../src/core/limits.js";
import { type Issued, selfSigned } from "../../support/pki.js";
import { type WebServer, webNetwork, webServer } from "../../support/web-server.js";
import { judged } from "../measures/facts.js";

/** The mx.mta-sts measure from the registry, on this TXT answer, policy fetch and MX hosts. */
const mtaSts = (domain: string, txt: typeof stsTxt, policy: HttpFetchResult, mxHosts: string[]) =>
  judged("mx.mta-sts", {
    domain,
    dns: { mtaSts: txt },
    stsPolicy: policy,
    mx: { kind: "mx", hosts: mxHosts.map((host) => ({ host, priority: 10 })) },
  });

let cert: Issued;
beforeAll(async () => {
  cert = await selfSigned("mta-sts.example.test", ["mta-sts.example.test", "autoconfig.example.test"]);
});

let servers: WebServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(respond: (line: string) => string, tls = true): Promise<WebServer> {
  const server = await webServer(respond, tls ? cert : undefined);
  servers.push(server);
  return server;
}

const policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";
const ok = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const options = { stepTimeoutMs: 2000 };
const stsTxt = { ok: true as const, value: ["v=STSv1; id=20260101"] };

describe("MTA-STS policy fetch", () => {
  it("reads a policy served with 200", async () => {
    const server = await serve(() => ok(policy));
    const network = webNetwork({ "mta-sts.example.test": { https: server.port } });
    const result = await fetchStsPolicy("example.test", network, options);
    expect(result.body).toBe(policy);
    expect(server.requests).toEqual(["GET /.well-known/mta-sts.txt HTTP/1.1"]);
    expect(mtaSts("example.test", stsTxt, result, ["mx.example.test"]).status).toBe("pass");
  });

  it("refuses a redirect before connecting to its location, and the measure fails", async () => {
    const elsewhere = await serve(() => ok(policy));
    const server = await serve(
      () =>
        "HTTP/1.1 301 Moved\r\nLocation: https://policy.example.test/mta-sts.txt\r\nContent-Length: 0\r\n\r\n",
    );
    const network = webNetwork({
      "mta-sts.example.test": { https: server.port },
      "policy.example.test": { https: elsewhere.port },
    });
    const result = await fetchStsPolicy("example.test", network, options);
    expect(elsewhere.connections).toBe(0);
    expect(result.stopped).toBe("error");
    expect(result.body).toBeNull();
    expect(result.hops.map((h) => h.status)).toEqual([301, null]);
    expect(result.hops[1]).toMatchObject({
      url: "https://policy.example.test/mta-sts.txt",
      address: null,
      error: { step: "connect", reason: "not_allowed", message: expect.stringContaining("RFC 8461 §3.3") },
    });
    const measure = mtaSts("example.test", stsTxt, result, ["mx.example.test"]);
    expect(measure.status).toBe("fail");
    expect(measure.evidence.map((e) => e.observed).join(" ")).toContain("redirects are not allowed");
  });

  it("refuses a relative redirect on the same host too", async () => {
    const server = await serve(
      () => "HTTP/1.1 302 Found\r\nLocation: /other.txt\r\nContent-Length: 0\r\n\r\n",
    );
    const network = webNetwork({ "mta-sts.example.test": { https: server.port } });
    const result = await fetchStsPolicy("example.test", network, options);
    expect(server.connections).toBe(1);
    expect(result.hops[1]?.error?.reason).toBe("not_allowed");
  });

  it(`a policy of exactly ${limits.maxMtaStsPolicyBytes} bytes is read`, async () => {
    const padded = policy + "#".repeat(limits.maxMtaStsPolicyBytes - policy.length);
    const server = await serve(() => ok(padded));
    const network = webNetwork({ "mta-sts.example.test": { https: server.port } });
    const result = await fetchStsPolicy("example.test", network, options);
    expect(result.body?.length).toBe(limits.maxMtaStsPolicyBytes);
  });

  it.each([
    ["with a Content-Length", (body: string) => ok(body)],
    [
      "until the connection closes",
      (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n${body}`,
    ],
  ])("a longer policy (%s) is a failed fetch, too_large, never a truncated policy", async (_how, framed) => {
    const big = policy + "#".repeat(limits.maxMtaStsPolicyBytes);
    const server = await serve(() => framed(big));
    const network = webNetwork({ "mta-sts.example.test": { https: server.port } });
    const result = await fetchStsPolicy("example.test", network, options);
    expect(result.body).toBeNull();
    expect(result.hops[0]?.error).toMatchObject({ reason: "too_large" });
    expect(result.hops[0]?.error?.message).toContain(`${limits.maxMtaStsPolicyBytes} bytes`);
    expect(mtaSts("example.test", stsTxt, result, ["mx.example.test"]).status).toBe("fail");
  });
});

describe("autoconfig fetch", () => {
  const xml =
    '<clientConfig version="1.1"><emailProvider id="example.test"><incomingServer type="imap"><hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>';
  const xmlOk = `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`;

  it("never follows a redirect from HTTPS down to plain HTTP", async () => {
    const plain = await serve(() => xmlOk, false);
    const server = await serve(
      () =>
        "HTTP/1.1 302 Found\r\nLocation: http://autoconfig.example.test/mail/config-v1.1.xml\r\nContent-Length: 0\r\n\r\n",
    );
    const network = webNetwork({
      "autoconfig.example.test": { https: server.port, http: plain.port },
      "example.test": {},
    });
    const found = await fetchAutoconfig("example.test", network, options);
    expect(found.found).toBeNull();
    expect(plain.connections).toBe(0);
  });

  it("follows a redirect that stays on HTTPS", async () => {
    let first = true;
    const server = await serve(() => {
      if (!first) return xmlOk;
      first = false;
      return "HTTP/1.1 302 Found\r\nLocation: /moved/config-v1.1.xml\r\nContent-Length: 0\r\n\r\n";
    });
    const network = webNetwork({ "autoconfig.example.test": { https: server.port } });
    const found = await fetchAutoconfig("example.test", network, options);
    expect(found.found?.servers.map((s) => s.hostname)).toEqual(["imap.example.test"]);
    expect(server.requests[1]).toBe("GET /moved/config-v1.1.xml HTTP/1.1");
  });
});
