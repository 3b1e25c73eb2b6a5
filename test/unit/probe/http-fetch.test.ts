import { afterEach, describe, expect, it } from "vitest";
import { httpFetch } from "../../../src/audit/probe/http-fetch.js";
import { liveNetwork, type Network } from "../../../src/net/network.js";
import { fail } from "../../../src/net/outcome.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { checkAddress } from "../../../src/net/target-guard.js";
import { type FakeServer, fakeServer, nextLine } from "../../support/fake-server.js";

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Answers each request with `response(path)`. */
async function httpServer(response: (path: string) => string): Promise<FakeServer> {
  const server = await fakeServer(async (socket) => {
    const requestLine = await nextLine(socket);
    const path = requestLine.split(" ")[1] ?? "/";
    socket.end(response(path));
  });
  servers.push(server);
  return server;
}

const live = liveNetwork({
  resolver: fakeResolver({ A: { "webmail.fake.test": ["127.0.0.1"] } }),
  allowPrivate: true,
});

/** The real guard, except that the test servers' 127.0.0.1 is allowed. */
const guardedButLoopback: Network = {
  ...live,
  async connect(address, port, timeoutMs) {
    const verdict = checkAddress(address);
    if (address !== "127.0.0.1" && !verdict.allowed) return fail("not_allowed", `refused: ${verdict.reason}`);
    return live.connect(address, port, timeoutMs);
  },
};

describe("httpFetch", () => {
  it("records every hop of a redirect chain with headers and cookies", async () => {
    const server = await httpServer((path) =>
      path === "/"
        ? "HTTP/1.1 302 Found\r\nLocation: /login?x=1\r\nSet-Cookie: sid=abc; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n"
        : "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: sid=def; Secure; HttpOnly; SameSite=Lax\r\nSet-Cookie: lang=fr\r\nContent-Length: 43\r\n\r\n<form><input type=password name=p></form>\r\n",
    );
    const result = await httpFetch(`http://webmail.fake.test:${server.port}/`, live, { stepTimeoutMs: 1000 });
    expect(result.stopped).toBeNull();
    expect(result.hops.map((h) => h.status)).toEqual([302, 200]);
    expect(result.hops[1]?.url).toBe(`http://webmail.fake.test:${server.port}/login?x=1`);
    expect(result.hops[0]?.cookies[0]).toMatchObject({
      name: "sid",
      value: "abc",
      attributes: { path: "/", httponly: true },
    });
    expect(result.hops[1]?.cookies.map((c) => c.name)).toEqual(["sid", "lang"]);
    expect(result.hops[1]?.cookies[0]?.attributes.samesite).toBe("Lax");
    expect(result.body).toContain("type=password");
  });

  it("never follows a redirect to a refused address (cloud metadata)", async () => {
    const server = await httpServer(
      () =>
        "HTTP/1.1 301 Moved\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\n\r\n",
    );
    const result = await httpFetch(`http://127.0.0.1:${server.port}/`, guardedButLoopback, {
      stepTimeoutMs: 1000,
    });
    expect(result.stopped).toBe("error");
    expect(result.hops).toHaveLength(2);
    expect(result.hops[1]?.error).toMatchObject({ step: "connect", reason: "not_allowed" });
    expect(result.hops[1]?.error?.message).toContain("link-local");
  });

  it("stops a redirect loop after the redirect limit", async () => {
    const server = await httpServer(
      () => "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n",
    );
    const result = await httpFetch(`http://127.0.0.1:${server.port}/`, live, { stepTimeoutMs: 1000 });
    expect(result.stopped).toBe("too_many_redirects");
    expect(result.hops.length).toBe(11);
  });

  it("refuses a redirect to another scheme", async () => {
    const server = await httpServer(
      () => "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n",
    );
    const result = await httpFetch(`http://127.0.0.1:${server.port}/`, live, { stepTimeoutMs: 1000 });
    expect(result.stopped).toBe("bad_location");
    expect(result.hops).toHaveLength(1);
  });
});
