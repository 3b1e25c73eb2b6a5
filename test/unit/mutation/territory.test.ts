/**
 * Territory on its failing side: addresses at both ends of a range and just outside, IPv6 in every
 * spelling, nested and overlapping `--geo-file` ranges, each malformed line refused with its line
 * number, and the bundled database read at its first and last entries.
 *
 * Mutants of src/audit/measures/territory.ts left alive, each equivalent: the sort of parsed ranges
 * (the bundled IPv6 table is already sorted, and --geo-file ranges are scanned whole, ties kept in
 * file order by a stable sort either way); the group fill and `g || "0"` fallbacks of toBigInt
 * (an empty group already reads as 0); the bundled table's caches (`bundledLocation`, `bundled`:
 * only speed), its parse details (the trailing empty line sorts after every range and is never
 * reached by the binary search, no field carries blanks, a sparse array grows alike, one step past
 * the end reads no range), the "ipv6" label of errors in the bundled file (never malformed), and
 * the `$` of the version-date regex (the version ends with the date).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { franceAndOverseas, parseCountries, territory } from "../../../src/audit/measures/territory.js";
import { MailcharterError } from "../../../src/core/errors.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-territory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const geoFile = (text: string) => {
  const file = join(dir, `geo-${n++}.csv`);
  writeFileSync(file, text);
  return file;
};
const locateIn = (text: string, address: string) =>
  territory({ countries: ["FR"], geoFiles: [geoFile(text)] }).locate(address);

describe("--geo-file ranges", () => {
  it("CIDR,CC: the whole aligned block, nothing outside it", () => {
    const file = geoFile("198.51.100.77/24,RE\n");
    const t = territory({ countries: ["FR"], geoFiles: [file] });
    expect(t.locate("198.51.100.0")).toEqual({ country: "RE", source: `--geo-file ${file}` });
    expect(t.locate("198.51.100.255").country).toBe("RE");
    expect(t.locate("198.51.101.0").country).not.toBe("RE");
    expect(t.locate("198.51.99.255").country).not.toBe("RE");
  });

  it("FIRST,LAST,CC: both ends included, one past either end excluded", () => {
    const file = geoFile("192.0.2.10,192.0.2.20,GP\n");
    const t = territory({ countries: ["FR"], geoFiles: [file] });
    expect(t.locate("192.0.2.10").country).toBe("GP");
    expect(t.locate("192.0.2.20").country).toBe("GP");
    expect(t.locate("192.0.2.9").source).not.toBe(`--geo-file ${file}`);
    expect(t.locate("192.0.2.21").source).not.toBe(`--geo-file ${file}`);
  });

  it("/0 and /32 are valid prefixes; each octet counts", () => {
    expect(locateIn("0.0.0.0/0,MQ\n", "203.0.113.9").country).toBe("MQ");
    const t = territory({ countries: ["FR"], geoFiles: [geoFile("10.20.30.40/32,YT\n")] });
    expect(t.locate("10.20.30.40").country).toBe("YT");
    for (const other of ["10.20.30.41", "10.20.31.40", "10.21.30.40", "11.20.30.40"])
      expect(t.locate(other).country, other).not.toBe("YT");
  });

  it("IPv6 in every spelling: compressed head, tail or middle, full, and IPv4 kept apart", () => {
    const file = geoFile(
      ["2001:db8::/32,NC", "2001:db8:1::,2001:db8:1::ffff,PF", "::1/128,TF", "0.0.0.1/32,WF"].join("\n"),
    );
    const t = territory({ countries: ["FR"], geoFiles: [file] });
    expect(t.locate("2001:db8::").country).toBe("NC");
    expect(t.locate("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff").country).toBe("NC");
    expect(t.locate("2001:0db8:0001:0000:0000:0000:0000:00ff").country).toBe("PF");
    expect(t.locate("2001:db8:1::1:0").country).toBe("NC");
    expect(t.locate("2001:db9::").country).not.toBe("NC");
    expect(t.locate("::1").country).toBe("TF");
    expect(t.locate("::2").country).toBeNull();
    expect(t.locate("0.0.0.1").country).toBe("WF");
    expect(t.locate("::").country).toBeNull();
  });

  it("nested ranges: the narrowest wins, whatever the order of the lines", () => {
    for (const lines of [
      ["193.51.0.0/16,DE", "193.51.24.0/24,RE", "193.51.24.16,193.51.24.31,GF"],
      ["193.51.24.16,193.51.24.31,GF", "193.51.24.0/24,RE", "193.51.0.0/16,DE"],
    ]) {
      const t = territory({ countries: ["FR"], geoFiles: [geoFile(lines.join("\n"))] });
      expect(t.locate("193.51.24.20").country).toBe("GF");
      expect(t.locate("193.51.24.40").country).toBe("RE");
      expect(t.locate("193.51.99.1").country).toBe("DE");
    }
  });

  it("ranges that start together: the narrower wins; two equal ranges: the first line wins", () => {
    for (const lines of [
      ["193.51.24.0,193.51.24.15,GF", "193.51.24.0/24,RE"],
      ["193.51.24.0/24,RE", "193.51.24.0,193.51.24.15,GF"],
    ]) {
      const t = territory({ countries: ["FR"], geoFiles: [geoFile(lines.join("\n"))] });
      expect(t.locate("193.51.24.3").country, lines.join(" ")).toBe("GF");
      expect(t.locate("193.51.24.30").country, lines.join(" ")).toBe("RE");
    }
    const t = territory({
      countries: ["FR"],
      geoFiles: [geoFile("192.0.2.0/24,RE\n192.0.2.0,192.0.2.255,GP\n")],
    });
    expect(t.locate("192.0.2.7").country).toBe("RE");
  });

  it("IPv6 ranges end where they say, on both sides", () => {
    const t = territory({
      countries: ["FR"],
      geoFiles: [geoFile("2001:db8::/32,NC\n2001:db8:1::,2001:db8:1::ffff,PF\n")],
    });
    expect(t.locate("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff").country).not.toBe("NC");
    expect(t.locate("2001:db8:0:ffff:ffff:ffff:ffff:ffff").country).toBe("NC");
    expect(t.locate("2001:db8:1::").country).toBe("PF");
    expect(t.locate("2001:db8:1::ffff").country).toBe("PF");
    expect(t.locate("2001:db8:1::1:0").country).toBe("NC");
    expect(t.locate("2001:db8:0:ffff:ffff:ffff:ffff:fffe").country).toBe("NC");
  });

  it("the first file that knows the address wins over later ones and over the database", () => {
    const first = geoFile("8.8.8.0/24,PM\n");
    const second = geoFile("8.8.0.0/16,BL\n8.8.4.0/24,MF\n");
    const t = territory({ countries: ["FR"], geoFiles: [first, second] });
    expect(t.locate("8.8.8.8")).toEqual({ country: "PM", source: `--geo-file ${first}` });
    expect(t.locate("8.8.4.4")).toEqual({ country: "MF", source: `--geo-file ${second}` });
    expect(t.locate("8.8.9.9")).toEqual({ country: "BL", source: `--geo-file ${second}` });
    expect(t.locate("1.1.1.1").source).toMatch(/^@ip-location-db/);
  });

  it("comments, blank lines and blanks around fields are ignored", () => {
    const t = territory({
      countries: ["FR"],
      geoFiles: [geoFile("# lab ranges\n\n   \n  192.0.2.0/24 ,  RE  \n#192.0.2.0/24,DE\n")],
    });
    expect(t.locate("192.0.2.1").country).toBe("RE");
  });

  it.each([
    ["192.0.2.0/33,FR", 1],
    ["192.0.2.0/-1,FR", 1],
    ["192.0.2.0/x,FR", 1],
    ["192.0.2.0/2.5,FR", 1],
    ["2001:db8::/129,FR", 1],
    ["mx.example/24,FR", 1],
    ["192.0.2.0/24,fr", 1],
    ["192.0.2.0/24,FRA", 1],
    ["192.0.2.0/24,", 1],
    ["192.0.2.1,192.0.2.9,F1", 1],
    ["192.0.2.1,nowhere,FR", 1],
    ["nowhere,192.0.2.1,FR", 1],
    ["# ok\n192.0.2.0/24,FR\n192.0.2.0/24", 3],
  ])("refuses %j (line %i) with a config error naming the file and line", (text, line) => {
    const file = geoFile(text);
    let caught: unknown;
    try {
      territory({ countries: ["FR"], geoFiles: [file] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MailcharterError);
    expect((caught as MailcharterError).code).toBe("config");
    const bad = text.split("\n")[line - 1]?.trim();
    expect((caught as Error).message).toBe(`${file}:${line}: "${bad}" is not CIDR,CC or FIRST,LAST,CC`);
  });

  it("a file that cannot be read is a config error naming it", () => {
    const missing = join(dir, "absent.csv");
    expect(() => territory({ countries: ["FR"], geoFiles: [missing] })).toThrow(
      expect.objectContaining({
        code: "config",
        message: expect.stringContaining(`--geo-file ${missing}: ENOENT`),
      }),
    );
    let caught: unknown;
    try {
      territory({ countries: ["FR"], geoFiles: [missing] });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).cause).toMatchObject({ code: "ENOENT" });
  });
});

describe("the bundled database", () => {
  const t = territory({ countries: ["FR"] });
  it("IPv4 at its first and last entries, between entries, outside them", () => {
    expect(t.locate("1.0.0.0").country).toBe("AU");
    expect(t.locate("1.0.0.255").country).toBe("AU");
    expect(t.locate("1.0.1.0").country).toBe("CN");
    expect(t.locate("1.0.3.255").country).toBe("CN");
    expect(t.locate("1.0.4.0").country).toBe("AU");
    expect(t.locate("223.255.255.255").country).toBe("AU");
    expect(t.locate("0.255.255.255").country).toBeNull();
    expect(t.locate("224.0.0.1").country).toBeNull();
    expect(t.locate("193.51.24.1").country).toBe("FR");
  });

  it("IPv6 at its first and last entries, in a gap, before and after", () => {
    expect(t.locate("2001:2::").country).toBe("JP");
    expect(t.locate("2001:2:0:ffff:ffff:ffff:ffff:ffff").country).toBe("JP");
    expect(t.locate("2001:3::").country).toBeNull();
    expect(t.locate("2001:200::1").country).toBe("AU");
    expect(t.locate("2c0f:e9a0:2::2a:1").country).toBe("FR");
    expect(t.locate("2c0f:e9a0:1002:ffff:ffff:ffff:ffff:ffff").country).toBe("ZA");
    expect(t.locate("2001:1::").country).toBeNull();
    expect(t.locate("ffff::1").country).toBeNull();
    const located = t.locate("2001:2::1");
    expect(located.source).toMatch(
      /^@ip-location-db\/geo-whois-asn-country \d+\.\d+\.\d+ \(data of \d{4}-\d{2}-\d{2}\)$/,
    );
  });

  it("what is not an IP address is located nowhere, and says so", () => {
    expect(t.locate("mx.example.org")).toEqual({ country: null, source: "not an IP address" });
    expect(t.locate("")).toEqual({ country: null, source: "not an IP address" });
    expect(t.countries).toEqual(["FR"]);
  });
});

describe("--country", () => {
  it("defaults to France and its overseas territories (ISO 3166-1)", () => {
    expect(parseCountries(undefined)).toEqual([
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
    ]);
    expect(franceAndOverseas).toHaveLength(13);
  });
  it("upper-cases and trims each code, refuses what is not two letters", () => {
    expect(parseCountries(" fr, re ,Gp")).toEqual(["FR", "RE", "GP"]);
    for (const bad of ["FRA", "F", "F1", "", "FR,,RE"]) {
      expect(() => parseCountries(bad), bad).toThrow(
        expect.objectContaining({
          code: "usage",
          message: expect.stringMatching(/^--country: ".*" is not an ISO 3166-1 alpha-2 code$/),
        }),
      );
    }
  });
});
