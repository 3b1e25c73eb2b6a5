import { describe, expect, it } from "vitest";
import type { HelloOutcome } from "../../../src/audit/tls/prober/hello-exchange.js";
import { defaultPoliteness, EndpointAsker, HostLimiter } from "../../../src/audit/tls/prober/politeness.js";

const request = { version: "TLSv1.2" as const, cipherSuites: [0xc02f], groups: [0x001d] };
const hello: HelloOutcome = { kind: "refused", how: "alert", message: "handshake_failure" };

describe("per-host limiter", () => {
  it("never lets more than the cap run at once on one host, and other hosts are not held", async () => {
    const limiter = new HostLimiter({ ...defaultPoliteness, maxConnectionsPerHost: 2 });
    let active = 0;
    let peak = 0;
    const work = async (host: string) => {
      const release = await limiter.acquire(host);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      release();
    };
    await Promise.all([...Array(10)].map(() => work("192.0.2.1")));
    expect(peak).toBe(2);
    const other = await Promise.race([
      limiter.acquire("192.0.2.2").then(() => "acquired"),
      new Promise((r) => setTimeout(() => r("blocked"), 50)),
    ]);
    expect(other).toBe("acquired");
  });

  it("paces connection starts by the delay", async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new HostLimiter(
      { ...defaultPoliteness, delayMs: 100 },
      () => now,
      async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    );
    (await limiter.acquire("h"))();
    (await limiter.acquire("h"))();
    (await limiter.acquire("h"))();
    expect(sleeps).toEqual([100, 100]);
  });
});

describe("endpoint asker", () => {
  const limiter = () => new HostLimiter(defaultPoliteness);

  it("retries throttled attempts with doubling backoff, then reports throttling", async () => {
    const sleeps: number[] = [];
    const asker = new EndpointAsker(
      async () => ({ kind: "throttled", message: "421" }),
      limiter(),
      "h",
      defaultPoliteness,
      async (ms) => {
        sleeps.push(ms);
      },
    );
    const outcome = await asker.ask(request);
    expect(outcome.kind).toBe("throttled");
    expect(sleeps).toEqual([1000, 2000]);
    expect(asker.retries).toBe(2);
    expect(asker.connections).toBe(3);
    expect(asker.throttled).toBe(true);
  });

  it("a refused connect is 'down' before any answer, throttling after one", async () => {
    const outcomes: HelloOutcome[] = [hello, { kind: "unreachable", message: "ECONNREFUSED" }, hello];
    const asker = new EndpointAsker(
      async () => outcomes.shift() ?? hello,
      limiter(),
      "h",
      defaultPoliteness,
      async () => {},
    );
    expect((await asker.ask(request)).kind).toBe("refused");
    expect((await asker.ask(request)).kind).toBe("refused"); // retried after the throttling sign
    expect(asker.retries).toBe(1);
    const fresh = new EndpointAsker(
      async () => ({ kind: "unreachable", message: "ECONNREFUSED" }),
      limiter(),
      "h",
      defaultPoliteness,
      async () => {},
    );
    expect((await fresh.ask(request)).kind).toBe("failed");
    expect(fresh.retries).toBe(0);
  });

  it("stops at the connection budget", async () => {
    const asker = new EndpointAsker(
      async () => hello,
      limiter(),
      "h",
      { ...defaultPoliteness, maxConnectionsPerEndpoint: 3 },
      async () => {},
    );
    for (let i = 0; i < 3; i++) expect((await asker.ask(request)).kind).toBe("refused");
    expect((await asker.ask(request)).kind).toBe("failed");
    expect(asker.connections).toBe(3);
    expect(asker.exhausted).toBe(true);
  });
});
