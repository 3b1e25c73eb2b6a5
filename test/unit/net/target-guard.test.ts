import { describe, expect, it } from "vitest";
import { checkAddress, targetGuard } from "../../../src/net/target-guard.js";

describe("target guard", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.10.20.30", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "CGNAT"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.1", "multicast"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["0.0.0.0", "this network"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "benchmarking"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fd00::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::a00:1", "private"],
    ["2002:c0a8:0101::1", "private"],
  ])("refuses %s (%s)", (address, kind) => {
    const verdict = checkAddress(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(kind);
  });

  it.each([
    "8.8.8.8",
    "193.51.24.1",
    "172.32.0.1",
    "100.128.0.1",
    "2a01:e0a::1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
  ])("allows public %s", (address) => {
    expect(checkAddress(address).allowed).toBe(true);
  });

  it("refuses what is not an IP literal, even when private addresses are allowed", () => {
    expect(checkAddress("localhost").allowed).toBe(false);
    expect(targetGuard({ allowPrivate: true }).check("example.org").allowed).toBe(false);
    expect(targetGuard({ allowPrivate: true }).check("127.0.0.1").allowed).toBe(true);
  });
});
