import { describe, expect, it } from "vitest";
import { EndpointLearning } from "../../../src/audit/tls/prober/endpoint-learning.js";
import type { HelloOutcome } from "../../../src/audit/tls/prober/hello-exchange.js";
import {
  defaultPoliteness,
  EndpointAsker,
  type Politeness,
} from "../../../src/audit/tls/prober/politeness.js";
import { Deadline } from "../../../src/net/deadline.js";
import { HostLimiter } from "../../../src/net/host-limiter.js";

const request = { version: "TLSv1.2" as const, cipherSuites: [0xc02f], groups: [0x001d] };
const hello: HelloOutcome = { kind: "refused", how: "alert", message: "handshake_failure" };

describe("per-host limiter", () => {
  it("never lets more than the cap run at once on one host, and other hosts are not held", async () => {
    const limiter = new HostLimiter({ maxPerHost: 2, delayMs: 0 });
    let active = 0;
    let peak = 0;
    const work = async (host: string) => {
      const release = await limiter.acquire(host);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      release?.();
    };
    await Promise.all([...Array(10)].map(() => work("192.0.2.1")));
    expect(peak).toBe(2);
    expect(limiter.peak).toBe(2);
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
      { maxPerHost: 2, delayMs: 100 },
      () => now,
      async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    );
    (await limiter.acquire("h"))?.();
    (await limiter.acquire("h"))?.();
    (await limiter.acquire("h"))?.();
    expect(sleeps).toEqual([100, 100]);
  });

  it("a freed slot goes to the endpoint holding the fewest, so a busy endpoint cannot starve another", async () => {
    const limiter = new HostLimiter({ maxPerHost: 2, delayMs: 0 });
    const a1 = await limiter.acquire("h", undefined, "h:465");
    const b1 = await limiter.acquire("h", undefined, "h:25");
    const order: string[] = [];
    const a2 = limiter.acquire("h", undefined, "h:465").then((r) => (order.push("465"), r));
    const b2 = limiter.acquire("h", undefined, "h:25").then((r) => (order.push("25"), r));
    b1?.(); // h:25 now holds none, h:465 one: the slot goes to h:25 although h:465 asked first
    await b2;
    expect(order).toEqual(["25"]);
    a1?.();
    await a2;
    expect(order).toEqual(["25", "465"]);
  });

  it("a waiter gives up at its deadline and leaves the queue", async () => {
    const limiter = new HostLimiter({ maxPerHost: 1, delayMs: 0 });
    const held = await limiter.acquire("h");
    expect(await limiter.acquire("h", 20)).toBeNull();
    held?.();
    // The slot is free again: the timed-out waiter did not keep it.
    expect(await limiter.acquire("h", 20)).not.toBeNull();
  });
});

describe("endpoint asker", () => {
  const deadline = (ms = 60_000) => new Deadline({ now: () => Date.now() }, ms, 1000);
  const asker = (
    exchange: () => Promise<HelloOutcome>,
    politeness: Politeness = defaultPoliteness,
    d = deadline(),
  ) => {
    const sleeps: number[] = [];
    const a = new EndpointAsker(exchange, politeness, d, new EndpointLearning(1000), async (ms) => {
      sleeps.push(ms);
    });
    return { a, sleeps };
  };

  it("retries throttled attempts with doubling backoff, then reports throttling", async () => {
    const { a, sleeps } = asker(async () => ({ kind: "throttled", message: "421" }));
    const outcome = await a.ask(request);
    expect(outcome.kind).toBe("throttled");
    expect(sleeps).toEqual([1000, 2000]);
    expect(a.retries).toBe(2);
    expect(a.connections).toBe(3);
    expect(a.throttled).toBe(true);
    expect(a.stoppedBy).toBe("throttled");
  });

  it("a refused connect is 'down' before any answer, throttling after one", async () => {
    const outcomes: HelloOutcome[] = [hello, { kind: "unreachable", message: "ECONNREFUSED" }, hello];
    const { a } = asker(async () => outcomes.shift() ?? hello);
    expect((await a.ask(request)).kind).toBe("refused");
    expect((await a.ask(request)).kind).toBe("refused"); // retried after the throttling sign
    expect(a.retries).toBe(1);
    const { a: fresh } = asker(async () => ({ kind: "unreachable", message: "ECONNREFUSED" }));
    expect((await fresh.ask(request)).kind).toBe("failed");
    expect(fresh.retries).toBe(0);
  });

  it("stops at the connection budget", async () => {
    const { a } = asker(async () => hello, { ...defaultPoliteness, maxConnectionsPerEndpoint: 3 });
    for (let i = 0; i < 3; i++) expect((await a.ask(request)).kind).toBe("refused");
    const last = await a.ask(request);
    expect(last).toMatchObject({ kind: "stopped", reason: "budget" });
    expect(a.connections).toBe(3);
    expect(a.exhausted).toBe(true);
  });

  it("starts no connection once the endpoint deadline has passed", async () => {
    let calls = 0;
    const { a } = asker(
      async () => {
        calls++;
        return hello;
      },
      defaultPoliteness,
      deadline(0),
    );
    expect(await a.ask(request)).toMatchObject({ kind: "stopped", reason: "deadline" });
    expect(calls).toBe(0);
    expect(a.stoppedBy).toBe("deadline");
  });

  it("a server that never answers is tried twice in all, however many hellos are asked", async () => {
    let calls = 0;
    const { a } = asker(async () => {
      calls++;
      return { kind: "dropped", how: "timeout", message: "nothing within 1000 ms" };
    });
    const answers = await Promise.all([a.ask(request), a.ask(request), a.ask(request), a.ask(request)]);
    expect(calls).toBe(2);
    expect(answers.filter((o) => o.kind === "stopped")).toHaveLength(2);
    expect(a.stoppedBy).toBe("unanswered");
  });

  it("no false positive: a server that answers is asked as often as needed", async () => {
    let calls = 0;
    const { a } = asker(async () => {
      calls++;
      return hello;
    });
    await Promise.all([...Array(6)].map(() => a.ask(request)));
    expect(calls).toBe(6);
    expect(a.stoppedBy).toBeNull();
  });

  it("a slow greeting learnt: no connection is started that cannot end before the deadline", async () => {
    const learning = new EndpointLearning(10_000);
    learning.noteDialogue(8000);
    let calls = 0;
    const a = new EndpointAsker(
      async () => {
        calls++;
        return hello;
      },
      defaultPoliteness,
      new Deadline({ now: () => Date.now() }, 5000, 10_000),
      learning,
      async () => {},
    );
    expect(await a.ask(request)).toMatchObject({ kind: "stopped", reason: "deadline" });
    expect(calls).toBe(0);
  });
});
