/**
 * An exception inside a socket handler (a framer runs in the socket's "data" handler) becomes the
 * endpoint's error; it never reaches the event loop, where it would end the process.
 */
import { afterEach, describe, expect, it } from "vitest";
import { httpFetch } from "../../../src/audit/probe/http-fetch.js";
import { Connection } from "../../../src/net/connection.js";
import type { Framer } from "../../../src/net/framer.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { type FakeServer, fakeServer, nextLine } from "../../support/fake-server.js";

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

describe("socket handlers", () => {
  it("a framer that throws on data arriving later yields an `error` result, not an uncaught exception", async () => {
    const server = await fakeServer(async (socket) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write("boom\r\n");
    });
    servers.push(server);
    const opened = await Connection.open(server.address, server.port, 1000);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const throwing: Framer<string> = (buffer) => {
      if (buffer.length > 0) throw new RangeError("Maximum call stack size exceeded");
      return { kind: "incomplete" };
    };
    process.on("uncaughtException", onUncaught);
    try {
      const result = await opened.value.read(throwing, 1000, 1024, "test reply");
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failure.reason).toBe("error");
      expect(result.failure.message).toMatch(
        /internal: test reply from 127\.0\.0\.1:\d+: framer threw RangeError/,
      );
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      opened.value.destroy();
    }
  });

  it("an HTTP server sending 30 000 `100 Continue` before its answer is fetched, not a crash", async () => {
    const server = await fakeServer(async (socket) => {
      await nextLine(socket);
      socket.write("HTTP/1.1 100 Continue\r\n\r\n".repeat(30_000));
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    });
    servers.push(server);
    const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
    const result = await httpFetch(`http://127.0.0.1:${server.port}/`, network, { stepTimeoutMs: 5000 });
    expect(result.hops.map((h) => h.status)).toEqual([200]);
    expect(result.body).toBe("hello");
  });

  it("an endless stream of `100 Continue` stops at the reply's byte cap", async () => {
    const server = await fakeServer(async (socket) => {
      await nextLine(socket);
      const burst = "HTTP/1.1 100 Continue\r\n\r\n".repeat(10_000);
      for (let i = 0; i < 10 && !socket.destroyed; i++) {
        socket.write(burst);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    servers.push(server);
    const network = liveNetwork({ resolver: fakeResolver({}), allowPrivate: true });
    const result = await httpFetch(`http://127.0.0.1:${server.port}/`, network, { stepTimeoutMs: 5000 });
    expect(result.stopped).toBe("error");
    expect(result.hops[0]?.error?.reason).toBe("too_large");
  });
});
