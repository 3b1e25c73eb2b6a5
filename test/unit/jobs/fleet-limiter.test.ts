/** The fleet limiter over plain-data slots: local first, then provider, then host; fail closed. */
import { describe, expect, it } from "vitest";
import { FleetLimiter, networkOf, type SlotSource } from "../../../src/jobs/fleet-limiter.js";
import { HostLimiter } from "../../../src/net/host-limiter.js";

/** Slots shared by several limiters, as PostgreSQL shares them between workers. */
function sharedSlots(): SlotSource & { held: Map<string, Set<number>>; down: boolean; asked: string[] } {
  const held = new Map<string, Set<number>>();
  const state = {
    held,
    down: false,
    asked: [] as string[],
    async tryTake(scope: string, n: number) {
      state.asked.push(scope);
      if (state.down) throw new Error("connection refused");
      const taken = held.get(scope) ?? new Set<number>();
      held.set(scope, taken);
      for (let slot = 0; slot < n; slot++)
        if (!taken.has(slot)) {
          taken.add(slot);
          return () => taken.delete(slot);
        }
      return null;
    },
  };
  return state;
}

const local = () => new HostLimiter({ maxPerHost: 4, delayMs: 0 });

describe("networkOf", () => {
  it("an IPv4 /24, IPv4-mapped included; an IPv6 /48 in any spelling", () => {
    expect(networkOf("192.0.2.17")).toBe("192.0.2.0/24");
    expect(networkOf("::ffff:192.0.2.17")).toBe("192.0.2.0/24");
    expect(networkOf("2001:db8:1:2::25")).toBe("2001:db8:1::/48");
    expect(networkOf("2001:0db8:0001:0002:0000:0000:0000:0025")).toBe("2001:db8:1::/48");
    expect(networkOf("2001:db8::1")).toBe("2001:db8:0::/48");
    expect(networkOf("192.0.3.1")).not.toBe(networkOf("192.0.2.1"));
  });
});

describe("the fleet limiter", () => {
  it("two workers never hold more than the per-host cap of one address between them", async () => {
    const slots = sharedSlots();
    const a = new FleetLimiter(local(), slots, { perHost: 2, perProvider: 8 }, 1);
    const b = new FleetLimiter(local(), slots, { perHost: 2, perProvider: 8 }, 1);
    const r1 = await a.acquire("192.0.2.1", 100);
    const r2 = await b.acquire("192.0.2.1", 100);
    expect(r1).not.toBeNull();
    expect(r2).not.toBeNull();
    // Both local limiters would allow a third; the fleet does not, until one is given back.
    expect(await a.acquire("192.0.2.1", 20)).toBeNull();
    const waiting = b.acquire("192.0.2.1", 1_000);
    r1?.();
    const r3 = await waiting;
    expect(r3).not.toBeNull();
    expect(slots.held.get("host:192.0.2.1")?.size).toBe(2);
    // Provider asked before host, every time.
    expect(slots.asked.slice(0, 2)).toEqual(["provider:192.0.2.0/24", "host:192.0.2.1"]);
    r2?.();
    r3?.();
    r3?.(); // twice is harmless
    expect(slots.held.get("host:192.0.2.1")?.size).toBe(0);
    expect(slots.held.get("provider:192.0.2.0/24")?.size).toBe(0);
  });

  it("the provider cap holds across the provider's hosts", async () => {
    const slots = sharedSlots();
    const a = new FleetLimiter(local(), slots, { perHost: 2, perProvider: 3 }, 1);
    const held = [
      await a.acquire("192.0.2.1", 50),
      await a.acquire("192.0.2.2", 50),
      await a.acquire("192.0.2.3", 50),
    ];
    expect(held.every((r) => r !== null)).toBe(true);
    expect(await a.acquire("192.0.2.4", 20)).toBeNull();
    // Its host slot was not kept by the refused connection.
    expect(slots.held.get("host:192.0.2.4")?.size ?? 0).toBe(0);
    expect(await a.acquire("198.51.100.1", 20)).not.toBeNull(); // another provider
    held[0]?.();
    expect(await a.acquire("192.0.2.4", 20)).not.toBeNull();
  });

  it("fails closed while the database is away, and goes on once it is back", async () => {
    const slots = sharedSlots();
    const a = new FleetLimiter(local(), slots, { perHost: 2, perProvider: 8 }, 1);
    slots.down = true;
    expect(await a.acquire("192.0.2.1", 30)).toBeNull();
    const waiting = a.acquire("192.0.2.1", 2_000);
    setTimeout(() => {
      slots.down = false;
    }, 30);
    expect(await waiting).not.toBeNull();
    expect(a.maxPerHost).toBe(2);
  });
});
