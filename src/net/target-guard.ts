/**
 * Target guard: the scanner refuses to talk to loopback, private, link-local, CGNAT, multicast,
 * documentation and other special-purpose addresses unless the user allows them explicitly
 * (`--allow-private`). It is applied to every address we are about to connect to — after DNS
 * resolution too, so a public name that resolves to 127.0.0.1 is refused (SSRF protection).
 *
 * Ranges: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates),
 * RFC 6598 (CGNAT), RFC 5737 / RFC 3849 / RFC 9637 (documentation).
 */
import { BlockList, isIP } from "node:net";

export interface SpecialRange {
  readonly cidr: string;
  readonly name: string;
}

const ipv4Ranges: readonly SpecialRange[] = [
  { cidr: "0.0.0.0/8", name: "this network (RFC 791)" },
  { cidr: "10.0.0.0/8", name: "private (RFC 1918)" },
  { cidr: "100.64.0.0/10", name: "shared address space / CGNAT (RFC 6598)" },
  { cidr: "127.0.0.0/8", name: "loopback (RFC 1122)" },
  { cidr: "169.254.0.0/16", name: "link-local (RFC 3927)" },
  { cidr: "172.16.0.0/12", name: "private (RFC 1918)" },
  { cidr: "192.0.0.0/24", name: "IETF protocol assignments (RFC 6890)" },
  { cidr: "192.0.2.0/24", name: "documentation TEST-NET-1 (RFC 5737)" },
  { cidr: "192.88.99.0/24", name: "6to4 relay anycast (RFC 7526)" },
  { cidr: "192.168.0.0/16", name: "private (RFC 1918)" },
  { cidr: "198.18.0.0/15", name: "benchmarking (RFC 2544)" },
  { cidr: "198.51.100.0/24", name: "documentation TEST-NET-2 (RFC 5737)" },
  { cidr: "203.0.113.0/24", name: "documentation TEST-NET-3 (RFC 5737)" },
  { cidr: "224.0.0.0/4", name: "multicast (RFC 5771)" },
  { cidr: "240.0.0.0/4", name: "reserved (RFC 1112)" },
];

const ipv6Ranges: readonly SpecialRange[] = [
  { cidr: "::/128", name: "unspecified (RFC 4291)" },
  { cidr: "::1/128", name: "loopback (RFC 4291)" },
  { cidr: "64:ff9b:1::/48", name: "local-use NAT64 (RFC 8215)" },
  { cidr: "100::/64", name: "discard-only (RFC 6666)" },
  // Teredo carries the server's IPv4 address and the client's (inverted): tunnelled, never a mail host.
  { cidr: "2001::/32", name: "Teredo (RFC 4380)" },
  { cidr: "2001::/23", name: "IETF protocol assignments (RFC 2928)" },
  { cidr: "2001:db8::/32", name: "documentation (RFC 3849)" },
  { cidr: "3fff::/20", name: "documentation (RFC 9637)" },
  { cidr: "5f00::/16", name: "SRv6 SIDs (RFC 9602)" },
  { cidr: "fc00::/7", name: "unique-local (RFC 4193)" },
  { cidr: "fe80::/10", name: "link-local (RFC 4291)" },
  { cidr: "fec0::/10", name: "site-local, deprecated (RFC 3879)" },
  { cidr: "ff00::/8", name: "multicast (RFC 4291)" },
];

function blockListOf(range: SpecialRange, family: "ipv4" | "ipv6"): BlockList {
  const [network, prefix] = range.cidr.split("/") as [string, string];
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return list;
}

const ipv4Lists = ipv4Ranges.map((range) => ({ range, list: blockListOf(range, "ipv4") }));
const ipv6Lists = ipv6Ranges.map((range) => ({ range, list: blockListOf(range, "ipv6") }));

/**
 * Every IPv6 form that embeds an IPv4 address: the embedded address is judged too, so that
 * `::127.0.0.1` or `2002:7f00:1::` cannot reach what `127.0.0.1` may not. Forms whose whole prefix
 * is special-purpose (64:ff9b:1::/48 local-use NAT64, 2001::/32 Teredo inside 2001::/23) are
 * refused by the range list before this is consulted.
 */
interface EmbeddingForm {
  readonly list: BlockList | null;
  readonly name: string;
  /** Recognises the form from the eight groups (for forms that are not a prefix). */
  readonly matches?: (groups: readonly number[]) => boolean;
  /** Index of the group holding the embedded address's high 16 bits. */
  readonly at: number;
}

const embeddingForms: readonly EmbeddingForm[] = [
  // RFC 4291 §2.5.5.2: IPv4-mapped, ::ffff:a.b.c.d.
  { list: blockListOf({ cidr: "::ffff:0:0/96", name: "" }, "ipv6"), name: "IPv4-mapped (RFC 4291)", at: 6 },
  // RFC 4291 §2.5.5.1: IPv4-compatible, ::a.b.c.d (deprecated; :: and ::1 are judged as themselves).
  { list: blockListOf({ cidr: "::/96", name: "" }, "ipv6"), name: "IPv4-compatible (RFC 4291)", at: 6 },
  // RFC 2765 §2.1 (SIIT): IPv4-translated, ::ffff:0:a.b.c.d.
  {
    list: blockListOf({ cidr: "::ffff:0:0:0/96", name: "" }, "ipv6"),
    name: "IPv4-translated (RFC 2765)",
    at: 6,
  },
  // RFC 6052 §2.1: the NAT64 well-known prefix is used with /96 only.
  { list: blockListOf({ cidr: "64:ff9b::/96", name: "" }, "ipv6"), name: "NAT64 (RFC 6052)", at: 6 },
  // RFC 3056 §2: 6to4, 2002:V4ADDR::/48.
  { list: blockListOf({ cidr: "2002::/16", name: "" }, "ipv6"), name: "6to4 (RFC 3056)", at: 1 },
  // RFC 5214 §6.1: ISATAP interface identifiers 0000:5efe:a.b.c.d and 0200:5efe:a.b.c.d, any prefix.
  // Fail closed: a global ISATAP address embedding a private IPv4 address is refused too.
  {
    list: null,
    name: "ISATAP (RFC 5214)",
    matches: (g) => ((g[4] ?? 0) & 0xfdff) === 0 && g[5] === 0x5efe,
    at: 6,
  },
];

export type GuardVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly range: string; readonly reason: string };

/** Expands an IPv6 address to its eight 16-bit groups. Expects a valid address (net.isIP === 6). */
function ipv6Groups(address: string): number[] {
  let text = address.split("%")[0] ?? address;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1]) {
    const octets = v4Tail[1].split(".").map(Number);
    const hi = (((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16);
    const lo = (((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16);
    text = `${text.slice(0, -v4Tail[1].length)}${hi}:${lo}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailGroups];
  return groups.map((group) => Number.parseInt(group, 16));
}

function embeddedIpv4(groups: readonly number[], at: number): string {
  const hi = groups[at] ?? 0;
  const lo = groups[at + 1] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

/** Judges one IP address literal. Anything that is not an IP literal is refused. */
export function checkAddress(address: string): GuardVerdict {
  const family = isIP(address);
  if (family === 4) {
    for (const { range, list } of ipv4Lists) {
      if (list.check(address, "ipv4")) {
        return { allowed: false, range: range.cidr, reason: range.name };
      }
    }
    return { allowed: true };
  }
  if (family === 6) {
    const bare = address.split("%")[0] ?? address;
    for (const { range, list } of ipv6Lists) {
      if (list.check(bare, "ipv6")) {
        return { allowed: false, range: range.cidr, reason: range.name };
      }
    }
    const groups = ipv6Groups(bare);
    for (const form of embeddingForms) {
      if (form.list ? !form.list.check(bare, "ipv6") : !form.matches?.(groups)) continue;
      const inner = checkAddress(embeddedIpv4(groups, form.at));
      if (!inner.allowed) return { ...inner, reason: `${inner.reason}, embedded in ${bare} (${form.name})` };
    }
    return { allowed: true };
  }
  return { allowed: false, range: "", reason: "not an IP address" };
}

export interface TargetGuard {
  check(address: string): GuardVerdict;
}

export function targetGuard(options: { readonly allowPrivate: boolean }): TargetGuard {
  if (options.allowPrivate) {
    return {
      check: (address) =>
        isIP(address) === 0 ? { allowed: false, range: "", reason: "not an IP address" } : { allowed: true },
    };
  }
  return { check: checkAddress };
}
