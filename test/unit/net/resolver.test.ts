import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { fakeResolver, parseResolverAddress, systemResolver } from "../../../src/net/resolver.js";

describe("--resolver parsing", () => {
  it.each([
    ["127.0.0.53", "127.0.0.53:53"],
    ["127.0.0.53:5353", "127.0.0.53:5353"],
    ["::1", "[::1]:53"],
    ["[::1]:5300", "[::1]:5300"],
  ])("%s → %s", (text, expected) => {
    expect(parseResolverAddress(text)).toBe(expected);
  });
  it.each(["dns.example", "1.2.3.4:0", "1.2.3.4:70000", "[1.2.3.4]:53", "1.2.3.4:53:1"])(
    "refuses %s",
    (text) => {
      expect(() => parseResolverAddress(text)).toThrow(/--resolver/);
    },
  );
});

describe("fake resolver", () => {
  const dns = fakeResolver({
    A: { "mx.example": ["192.0.2.1"] },
    AAAA: { "mx.example": ["2001:db8::1"] },
    MX: { example: [{ exchange: "mx.example", priority: 10 }] },
    fail: { "broken.example": "timeout" },
  });
  it("answers from data", async () => {
    expect(await dns.addresses("MX.example.", 100)).toEqual({
      ok: true,
      value: ["192.0.2.1", "2001:db8::1"],
    });
    expect(await dns.mx("example", 100)).toMatchObject({ ok: true });
  });
  it("distinguishes no data, non-existence and failures", async () => {
    expect(await dns.txt("mx.example", 100)).toMatchObject({ ok: false, reason: "no_data" });
    expect(await dns.addresses("nowhere.example", 100)).toMatchObject({ ok: false, reason: "not_found" });
    expect(await dns.addresses("broken.example", 100)).toMatchObject({ ok: false, reason: "timeout" });
  });
});

describe("system resolver", () => {
  it("times out against a server that never answers", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    const { port } = silent.address();
    try {
      const started = Date.now();
      const answer = await systemResolver(`127.0.0.1:${port}`).addresses("mx.example.org", 400);
      expect(answer).toMatchObject({ ok: false, reason: "timeout" });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });
});
