/**
 * The target guard's failing side: `targetGuard({ allowPrivate: false })` refuses, at both ends of
 * every special-purpose range and with the range it matched, while the addresses just outside pass;
 * IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) in every spelling, zone ids included.
 *
 * Mutants of src/net/target-guard.ts left alive, each equivalent:
 * - the `name` of the SpecialRange given to blockListOf for an embedding form: blockListOf reads
 *   only the CIDR (the form's own `name` is the one reported, and it is tested);
 * - `address.split("%")[0] ?? address` → `&&` inside ipv6Groups: its callers pass the bare address;
 * - the dotted-quad regex without `$`: in a valid IPv6 literal a dotted quad can only end it;
 * - `octets[3] ?? 0` → `&& 0`: the last octet never decides (no special IPv4 range is narrower than
 *   a /24), and the reason does not repeat the embedded address;
 * - in ipv6Groups, the `head = ""` default, a placeholder group for an empty head or tail, the fill
 *   value and `tail === undefined ? 0 : missing`: the groups they change are never the ones an
 *   embedding form reads (6to4 reads groups 1–2 after a non-empty head; the others 4–7, and a
 *   NaN group is 0 for the shifts and masks that follow);
 * - `form.matches?.(groups)` → `form.matches(groups)`: every form without a prefix has `matches`.
 */
import { describe, expect, it } from "vitest";
import { checkAddress, targetGuard } from "../../../src/net/target-guard.js";

const strict = targetGuard({ allowPrivate: false });
const lenient = targetGuard({ allowPrivate: true });

// [first, last, cidr, name, outside neighbours]
const ipv4: readonly [string, string, string, string, string[]][] = [
  ["0.0.0.0", "0.255.255.255", "0.0.0.0/8", "this network (RFC 791)", ["1.0.0.0"]],
  ["10.0.0.0", "10.255.255.255", "10.0.0.0/8", "private (RFC 1918)", ["9.255.255.255", "11.0.0.0"]],
  [
    "100.64.0.0",
    "100.127.255.255",
    "100.64.0.0/10",
    "shared address space / CGNAT (RFC 6598)",
    ["100.63.255.255", "100.128.0.0"],
  ],
  ["127.0.0.0", "127.255.255.255", "127.0.0.0/8", "loopback (RFC 1122)", ["126.255.255.255", "128.0.0.0"]],
  [
    "169.254.0.0",
    "169.254.255.255",
    "169.254.0.0/16",
    "link-local (RFC 3927)",
    ["169.253.255.255", "169.255.0.0"],
  ],
  ["172.16.0.0", "172.31.255.255", "172.16.0.0/12", "private (RFC 1918)", ["172.15.255.255", "172.32.0.0"]],
  [
    "192.0.0.0",
    "192.0.0.255",
    "192.0.0.0/24",
    "IETF protocol assignments (RFC 6890)",
    ["191.255.255.255", "192.0.1.0"],
  ],
  [
    "192.0.2.0",
    "192.0.2.255",
    "192.0.2.0/24",
    "documentation TEST-NET-1 (RFC 5737)",
    ["192.0.1.255", "192.0.3.0"],
  ],
  [
    "192.88.99.0",
    "192.88.99.255",
    "192.88.99.0/24",
    "6to4 relay anycast (RFC 7526)",
    ["192.88.98.255", "192.88.100.0"],
  ],
  [
    "192.168.0.0",
    "192.168.255.255",
    "192.168.0.0/16",
    "private (RFC 1918)",
    ["192.167.255.255", "192.169.0.0"],
  ],
  [
    "198.18.0.0",
    "198.19.255.255",
    "198.18.0.0/15",
    "benchmarking (RFC 2544)",
    ["198.17.255.255", "198.20.0.0"],
  ],
  [
    "198.51.100.0",
    "198.51.100.255",
    "198.51.100.0/24",
    "documentation TEST-NET-2 (RFC 5737)",
    ["198.51.99.255", "198.51.101.0"],
  ],
  [
    "203.0.113.0",
    "203.0.113.255",
    "203.0.113.0/24",
    "documentation TEST-NET-3 (RFC 5737)",
    ["203.0.112.255", "203.0.114.0"],
  ],
  ["224.0.0.0", "239.255.255.255", "224.0.0.0/4", "multicast (RFC 5771)", ["223.255.255.255"]],
  ["240.0.0.0", "255.255.255.255", "240.0.0.0/4", "reserved (RFC 1112)", []],
];

const ipv6: readonly [string, string, string, string[]][] = [
  ["::1", "::1/128", "loopback (RFC 4291)", []],
  ["64:ff9b:1::1", "64:ff9b:1::/48", "local-use NAT64 (RFC 8215)", ["64:ff9b:2::1"]],
  ["100::1", "100::/64", "discard-only (RFC 6666)", ["100:0:0:1::1"]],
  ["2001:db8::1", "2001:db8::/32", "documentation (RFC 3849)", ["2001:db9::1"]],
  ["3fff:fff::1", "3fff::/20", "documentation (RFC 9637)", ["3fff:1000::1"]],
  ["5f00:1::1", "5f00::/16", "SRv6 SIDs (RFC 9602)", ["5f01::1"]],
  ["fdff:ffff::1", "fc00::/7", "unique-local (RFC 4193)", ["fbff:ffff::1"]],
  ["fe80::1", "fe80::/10", "link-local (RFC 4291)", ["fe7f:ffff::1"]],
  ["feff::1", "fec0::/10", "site-local, deprecated (RFC 3879)", []],
  ["ff02::1", "ff00::/8", "multicast (RFC 4291)", []],
];

describe("targetGuard({ allowPrivate: false }) refuses special-purpose IPv4", () => {
  for (const [first, last, cidr, name, outside] of ipv4) {
    it(`${cidr}: ${first} and ${last} refused, ${outside.join(", ") || "nothing"} outside allowed`, () => {
      for (const address of [first, last]) {
        expect(strict.check(address)).toEqual({ allowed: false, range: cidr, reason: name });
        expect(lenient.check(address)).toEqual({ allowed: true });
      }
      for (const address of outside) expect(strict.check(address)).toEqual({ allowed: true });
    });
  }
});

describe("targetGuard({ allowPrivate: false }) refuses special-purpose IPv6", () => {
  for (const [inside, cidr, name, outside] of ipv6) {
    it(`${cidr}: ${inside} refused, ${outside.join(", ") || "nothing"} outside allowed`, () => {
      expect(strict.check(inside)).toEqual({ allowed: false, range: cidr, reason: name });
      expect(lenient.check(inside)).toEqual({ allowed: true });
      for (const address of outside) expect(strict.check(address)).toEqual({ allowed: true });
    });
  }

  it("the unspecified address and the IETF block", () => {
    expect(strict.check("::")).toMatchObject({ allowed: false, range: "::/128" });
    expect(strict.check("2001:1ff::1")).toEqual({
      allowed: false,
      range: "2001::/23",
      reason: "IETF protocol assignments (RFC 2928)",
    });
    expect(strict.check("2001:200::1")).toEqual({ allowed: true });
  });

  it("a zone id does not hide the address", () => {
    expect(strict.check("fe80::1%eth0")).toEqual({
      allowed: false,
      range: "fe80::/10",
      reason: "link-local (RFC 4291)",
    });
    const zoned = strict.check("::ffff:127.0.0.1%lo");
    expect(zoned).toMatchObject({ allowed: false, range: "127.0.0.0/8" });
    // the reason names the address without its zone
    expect(zoned.allowed ? "" : zoned.reason).toMatch(/embedded in ::ffff:127\.0\.0\.1\b(?!%)/);
  });
});

describe("IPv4 embedded in IPv6 is judged as the IPv4 address", () => {
  const refused: readonly [string, string, string][] = [
    ["::ffff:10.1.2.3", "10.0.0.0/8", "private (RFC 1918)"],
    ["::ffff:a01:203", "10.0.0.0/8", "private (RFC 1918)"],
    ["0:0:0:0:0:ffff:7f00:1", "127.0.0.0/8", "loopback (RFC 1122)"],
    ["::ffff:c0a8:1fe", "192.168.0.0/16", "private (RFC 1918)"],
    ["64:ff9b::c0a8:101", "192.168.0.0/16", "private (RFC 1918)"],
    ["64:ff9b::172.16.5.4", "172.16.0.0/12", "private (RFC 1918)"],
    ["64:ff9b::a9fe:a9fe", "169.254.0.0/16", "link-local (RFC 3927)"],
    ["2002:a00:1::", "10.0.0.0/8", "private (RFC 1918)"],
    ["2002:7f00:1:0:0:0:0:1", "127.0.0.0/8", "loopback (RFC 1122)"],
    ["2002:c633:6401::5", "198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"],
    ["2002:e000:1::", "224.0.0.0/4", "multicast (RFC 5771)"],
    // every octet and every 16-bit group decides: a neighbour in another range is told apart
    ["::ffff:192.168.100.200", "192.168.0.0/16", "private (RFC 1918)"],
    ["::ffff:192.0.2.1", "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
    ["::ffff:c000:201", "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
    ["64:ff9b::c000:201", "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
    ["2002:c000:201::", "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
    ["2002:c000:201:0:0:0:0:0", "192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
  ];
  for (const [address, cidr, name] of refused) {
    it(`refuses ${address} (${name})`, () => {
      const verdict = strict.check(address);
      expect(verdict).toMatchObject({ allowed: false, range: cidr });
      if (verdict.allowed) return;
      expect(verdict.reason).toContain(name);
      expect(verdict.reason).toContain(`embedded in ${address}`);
    });
  }

  it.each([
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::808:808",
    "64:ff9b::8.8.4.4",
    "2002:808:808::1",
    "2002:c1b3:1801::25",
    "::ffff:172.15.5.4",
    "::ffff:100.128.200.250",
  ])("allows %s (a public IPv4 address)", (address) => {
    expect(strict.check(address)).toEqual({ allowed: true });
  });
});

describe("what is not an IP literal", () => {
  it.each(["localhost", "mx.example.org", "", "1.2.3", "::ffff::1", "fe80::1%"])(
    "refuses %j both ways",
    (text) => {
      const refusal = { allowed: false, range: "", reason: "not an IP address" };
      expect(strict.check(text)).toEqual(refusal);
      expect(lenient.check(text)).toEqual(refusal);
      expect(checkAddress(text)).toEqual(refusal);
    },
  );

  it("public addresses pass both guards", () => {
    for (const address of ["8.8.8.8", "193.51.24.1", "2a01:e0a::1", "2606:4700::1111"]) {
      expect(strict.check(address)).toEqual({ allowed: true });
      expect(lenient.check(address)).toEqual({ allowed: true });
    }
  });
});
