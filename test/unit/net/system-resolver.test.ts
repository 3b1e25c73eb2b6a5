/** The system resolver path finds names as every other program does: getaddrinfo, /etc/hosts included. */
import { describe, expect, it } from "vitest";
import { systemResolver } from "../../../src/net/resolver.js";

describe("system resolver (no --resolver)", () => {
  it("resolves localhost through /etc/hosts, without asking a DNS server", async () => {
    const answer = await systemResolver().addresses("localhost", 2000);
    expect(answer.ok).toBe(true);
    if (answer.ok) expect(answer.value.some((a) => a === "127.0.0.1" || a === "::1")).toBe(true);
  });
  it("an IPv4 address comes before an IPv6 one, and a name that does not exist is not_found", async () => {
    const answer = await systemResolver().addresses("127.0.0.1", 2000);
    expect(answer).toEqual({ ok: true, value: ["127.0.0.1"] });
    const missing = await systemResolver().addresses("no-such-host.invalid", 5000);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(["not_found", "timeout"]).toContain(missing.reason);
  });
});
