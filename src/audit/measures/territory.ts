/**
 * Territory (charter annex §2.1): where an MX address is, from an offline IP-to-country database.
 * Default source: @ip-location-db/geo-whois-asn-country (CC0; RIR whois and ASN data, republished
 * monthly). `--geo-file` adds ranges that win over it (a provider's own knowledge, or a lab).
 * Loaded lazily, once per process; lookups are binary searches over sorted ranges.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { MailcharterError } from "../../core/errors.js";

/** France with its overseas departments, regions and collectivities (ISO 3166-1 codes). */
export const franceAndOverseas: readonly string[] = [
  "FR",
  "GP",
  "MQ",
  "GF",
  "RE",
  "YT",
  "PM",
  "BL",
  "MF",
  "WF",
  "PF",
  "NC",
  "TF",
];

export interface Location {
  readonly country: string | null;
  readonly source: string;
}

export interface Territory {
  readonly countries: readonly string[];
  locate(address: string): Location;
}

interface Range {
  readonly first: bigint;
  readonly last: bigint;
  readonly country: string;
}

const ipv4Value = (address: string): bigint =>
  address.split(".").reduce((n, octet) => (n << 8n) + BigInt(Number(octet)), 0n);

/** The 128 bits of an IPv6 address; a trailing dotted quad (RFC 4291 §2.2, form 3) is its last 32. */
function ipv6Value(address: string): bigint {
  const bare = address.split("%", 1)[0] ?? "";
  const [head = "", tail] = bare.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const expand = (groups: string[]) =>
    groups.flatMap((g) => {
      if (!g.includes(".")) return [g];
      const v = ipv4Value(g);
      return [(v >> 16n).toString(16), (v & 0xffffn).toString(16)];
    });
  const hx = expand(h);
  const tx = expand(t);
  const groups = [
    ...hx,
    ...Array<string>(tail === undefined ? 0 : 8 - hx.length - tx.length).fill("0"),
    ...tx,
  ];
  return groups.reduce((n, g) => (n << 16n) + BigInt(Number.parseInt(g || "0", 16)), 0n);
}

/**
 * The address the lookups read: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1` or `::ffff:c000:201`,
 * RFC 4291 §2.5.5.2) is the IPv4 address it carries, which is where the host is.
 */
export function lookupAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  const value = ipv6Value(address);
  if (value >> 32n !== 0xffffn) return address;
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function toBigInt(address: string): bigint | null {
  const family = isIP(address);
  if (family === 4) return ipv4Value(address);
  if (family !== 6) return null;
  // IPv6 space is kept apart from IPv4 by an offset above 2^32.
  return ipv6Value(address) + (1n << 128n);
}

function parseRanges(text: string, source: string): Range[] {
  const ranges: Range[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const [a = "", b = "", c] = trimmed.split(",").map((x) => x.trim());
    let first: bigint | null;
    let last: bigint | null;
    let country: string;
    if (c === undefined) {
      // CIDR,CC
      const [network = "", prefixText = ""] = a.split("/");
      const base = toBigInt(network);
      const bits = isIP(network) === 4 ? 32 : 128;
      const prefix = Number(prefixText);
      if (base === null || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
        throw new MailcharterError(
          "config",
          `${source}:${index + 1}: "${trimmed}" is not CIDR,CC or FIRST,LAST,CC`,
        );
      }
      const size = 1n << BigInt(bits - prefix);
      first = base - (base % size);
      last = first + size - 1n;
      country = b;
    } else {
      first = toBigInt(a);
      last = toBigInt(b);
      country = c;
    }
    if (first === null || last === null || !/^[A-Z]{2}$/.test(country)) {
      throw new MailcharterError(
        "config",
        `${source}:${index + 1}: "${trimmed}" is not CIDR,CC or FIRST,LAST,CC`,
      );
    }
    ranges.push({ first, last, country });
  }
  return ranges.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
}

function lookup(ranges: readonly Range[], value: bigint): string | null {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as Range;
    if (value < r.first) hi = mid - 1;
    else if (value > r.last) lo = mid + 1;
    else return r.country;
  }
  return null;
}

/** The bundled database, one family at a time, parsed on first need (IPv4: typed arrays, ~0.2 s). */
interface Bundled {
  readonly source: string;
  readonly v4: { first: Float64Array; last: Float64Array; country: string[] } | null;
  readonly v6: Range[] | null;
}

let bundled: Bundled | null = null;

let bundledLocation: { dir: string; source: string } | null = null;

/** Where the bundled database lives and how the evidence names it; looked up once per process. */
function bundledDir(): { dir: string; source: string } {
  if (bundledLocation) return bundledLocation;
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve("@ip-location-db/geo-whois-asn-country/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { version: string };
  // The version carries the database date: 2.3.YYYYMMDDhh.
  const date = /\.(\d{4})(\d{2})(\d{2})\d{2}$/.exec(pkg.version);
  bundledLocation = {
    dir: dirname(pkgFile),
    source: `@ip-location-db/geo-whois-asn-country ${pkg.version}${date ? ` (data of ${date[1]}-${date[2]}-${date[3]})` : ""}`,
  };
  return bundledLocation;
}

function loadV4(dir: string): NonNullable<Bundled["v4"]> {
  const text = readFileSync(join(dir, "geo-whois-asn-country-ipv4-num.csv"), "latin1");
  const lines = text.split("\n").filter((l) => l.length > 0);
  const first = new Float64Array(lines.length);
  const last = new Float64Array(lines.length);
  const country: string[] = new Array(lines.length);
  lines.forEach((line, i) => {
    const a = line.indexOf(",");
    const b = line.indexOf(",", a + 1);
    first[i] = Number(line.slice(0, a));
    last[i] = Number(line.slice(a + 1, b));
    country[i] = line.slice(b + 1).trim();
  });
  return { first, last, country };
}

function lookupV4(db: NonNullable<Bundled["v4"]>, value: number): string | null {
  let lo = 0;
  let hi = db.first.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (value < (db.first[mid] ?? 0)) hi = mid - 1;
    else if (value > (db.last[mid] ?? 0)) lo = mid + 1;
    else return db.country[mid] ?? null;
  }
  return null;
}

function locateBundled(address: string, value: bigint): Location {
  const { dir, source } = bundledDir();
  bundled ??= { source, v4: null, v6: null };
  if (isIP(address) === 4) {
    const v4 = bundled.v4 ?? loadV4(dir);
    bundled = { ...bundled, v4 };
    return { country: lookupV4(v4, Number(value)), source };
  }
  const v6 =
    bundled.v6 ?? parseRanges(readFileSync(join(dir, "geo-whois-asn-country-ipv6.csv"), "latin1"), "ipv6");
  bundled = { ...bundled, v6 };
  return { country: lookup(v6, value), source };
}

export function territory(options: {
  readonly countries: readonly string[];
  readonly geoFiles?: readonly string[];
}): Territory {
  const extra = (options.geoFiles ?? []).map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new MailcharterError("config", `--geo-file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { ranges: parseRanges(text, file), source: `--geo-file ${file}` };
  });
  return {
    countries: options.countries,
    locate(given) {
      const address = lookupAddress(given);
      const value = toBigInt(address);
      if (value === null) return { country: null, source: "not an IP address" };
      for (const db of extra) {
        // Files given by the user may nest ranges: the narrowest one that holds the address wins.
        let best: Range | null = null;
        for (const r of db.ranges) {
          if (value >= r.first && value <= r.last && (!best || r.last - r.first < best.last - best.first))
            best = r;
        }
        if (best) return { country: best.country, source: db.source };
      }
      return locateBundled(address, value);
    },
  };
}

export function parseCountries(text: string | undefined): readonly string[] {
  if (text === undefined) return franceAndOverseas;
  const codes = text.split(",").map((c) => c.trim().toUpperCase());
  for (const code of codes) {
    if (!/^[A-Z]{2}$/.test(code))
      throw new MailcharterError("usage", `--country: "${code}" is not an ISO 3166-1 alpha-2 code`);
  }
  return codes;
}
