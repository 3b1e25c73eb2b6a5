/**
 * IPv6 forms that embed an IPv4 address: each is refused when the embedded address is (detects it)
 * and allowed when the embedded address is public (no false positive). Forms whose prefix is itself
 * special-purpose are refused whatever they embed.
 */
import { describe, expect, it } from "vitest";
import { checkAddress, targetGuard } from "../../../src/net/target-guard.js";

describe("target guard: IPv6 forms embedding an IPv4 address", () => {
  it.each([
    // IPv4-compatible, ::/96 (RFC 4291 §2.5.5.1)
    ["::127.0.0.1", "loopback", "IPv4-compatible"],
    ["::7f00:1", "loopback", "IPv4-compatible"],
    ["::10.0.0.1", "private", "IPv4-compatible"],
    ["::169.254.169.254", "link-local", "IPv4-compatible"],
    // IPv4-mapped, ::ffff:0:0/96 (RFC 4291 §2.5.5.2)
    ["::ffff:127.0.0.1", "loopback", "IPv4-mapped"],
    ["::ffff:7f00:1", "loopback", "IPv4-mapped"],
    ["0:0:0:0:0:ffff:c0a8:0101", "private", "IPv4-mapped"],
    // IPv4-translated, ::ffff:0:0:0/96 (RFC 2765)
    ["::ffff:0:7f00:1", "loopback", "IPv4-translated"],
    ["::ffff:0:127.0.0.1", "loopback", "IPv4-translated"],
    ["::ffff:0:a9fe:a9fe", "link-local", "IPv4-translated"],
    // NAT64 well-known prefix, 64:ff9b::/96 (RFC 6052)
    ["64:ff9b::127.0.0.1", "loopback", "NAT64"],
    ["64:ff9b::c0a8:1", "private", "NAT64"],
    // 6to4, 2002::/16 (RFC 3056)
    ["2002:7f00:1::1", "loopback", "6to4"],
    ["2002:a9fe:a9fe:1::", "link-local", "6to4"],
    // ISATAP interface identifiers (RFC 5214), under any prefix
    ["2a01:e0a:1:2:0:5efe:7f00:1", "loopback", "ISATAP"],
    ["2a01:e0a:1:2:200:5efe:10.1.2.3", "private", "ISATAP"],
  ])("refuses %s (%s, %s)", (address, kind, form) => {
    const verdict = checkAddress(address);
    expect(verdict.allowed).toBe(false);
    if (verdict.allowed) return;
    expect(verdict.reason).toContain(kind);
    expect(verdict.reason).toContain(form);
    expect(verdict.reason).toContain(`embedded in ${address}`);
  });

  it.each([
    ["64:ff9b:1::808:808", "local-use NAT64"],
    ["64:ff9b:1:ab::1", "local-use NAT64"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
    ["2001::1", "Teredo"],
  ])("refuses %s whatever it embeds (%s)", (address, kind) => {
    const verdict = checkAddress(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(kind);
  });

  it("judges :: and ::1 as themselves, not as IPv4-compatible 0.0.0.0/0.0.0.1", () => {
    expect(checkAddress("::")).toMatchObject({ allowed: false, range: "::/128" });
    expect(checkAddress("::1")).toMatchObject({ allowed: false, range: "::1/128" });
  });

  it.each([
    "::8.8.8.8",
    "::808:808",
    "::ffff:8.8.8.8",
    "::ffff:0:808:808",
    "64:ff9b::8.8.8.8",
    "64:ff9b::c133:1801",
    "2002:c133:1801::1",
    "2002:808:808::1",
    "2a01:e0a:1:2:0:5efe:808:808",
    // Not ISATAP: the group before 5efe is neither 0000 nor 0200.
    "2a01:e0a:1:2:1:5efe:7f00:1",
    "2a01:e0a::7f00:1",
  ])("allows %s (public, or no embedded address)", (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true });
  });

  it("a zone index does not hide the embedded address", () => {
    expect(checkAddress("::ffff:127.0.0.1%eth0").allowed).toBe(false);
  });

  it("the refusing guard refuses them, --allow-private lets them through", () => {
    for (const address of ["::127.0.0.1", "::ffff:0:7f00:1", "2002:7f00:1::1"]) {
      expect(targetGuard({ allowPrivate: false }).check(address).allowed).toBe(false);
      expect(targetGuard({ allowPrivate: true }).check(address).allowed).toBe(true);
    }
  });
});
