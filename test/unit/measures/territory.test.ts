import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { lookupAddress, territory } from "../../../src/audit/measures/territory.js";

describe("territory", () => {
  it("locates addresses with the bundled database and names it with its date", () => {
    const t = territory({ countries: ["FR"] });
    const fr = t.locate("193.51.24.1");
    expect(fr.country).toBe("FR");
    expect(fr.source).toMatch(/geo-whois-asn-country .*data of \d{4}-\d{2}-\d{2}/);
    expect(t.locate("8.8.8.8").country).toBe("US");
    expect(t.locate("127.0.0.1").country).toBeNull();
    expect(t.locate("not an address").country).toBeNull();
  });

  it("a --geo-file wins, the narrowest range first; a bad line is a clear error", () => {
    const dir = mkdtempSync(join(tmpdir(), "geo-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "geo.csv");
    writeFileSync(file, "# lab\n193.51.0.0/16,DE\n193.51.24.0,193.51.24.255,RE\n");
    const t = territory({ countries: ["FR", "RE"], geoFiles: [file] });
    expect(t.locate("193.51.24.1")).toEqual({ country: "RE", source: `--geo-file ${file}` });
    expect(t.locate("193.51.99.1").country).toBe("DE");
    writeFileSync(file, "193.51.0.0/33,FR\n");
    expect(() => territory({ countries: ["FR"], geoFiles: [file] })).toThrow(/geo\.csv:1/);
  });

  it("an IPv4-mapped IPv6 address is located as its IPv4 address, dotted or in hex", () => {
    expect(lookupAddress("::ffff:193.51.24.1")).toBe("193.51.24.1");
    expect(lookupAddress("::FFFF:c133:1801")).toBe("193.51.24.1");
    expect(lookupAddress("0:0:0:0:0:ffff:8.8.8.8")).toBe("8.8.8.8");
    // Not mapped: kept as IPv6 (NAT64's well-known prefix, RFC 6052, is IPv6 space).
    expect(lookupAddress("64:ff9b::193.51.24.1")).toBe("64:ff9b::193.51.24.1");
    expect(lookupAddress("2001:db8::1")).toBe("2001:db8::1");
    expect(lookupAddress("193.51.24.1")).toBe("193.51.24.1");
    const t = territory({ countries: ["FR"] });
    expect(t.locate("::ffff:193.51.24.1")).toEqual(t.locate("193.51.24.1"));
    expect(t.locate("::ffff:193.51.24.1").country).toBe("FR");
    expect(t.locate("::ffff:8.8.8.8").country).toBe("US");
  });

  it("a --geo-file range of IPv4 holds the mapped form of its addresses", () => {
    const dir = mkdtempSync(join(tmpdir(), "geo-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "geo.csv");
    writeFileSync(file, "192.0.2.0/24,RE\n2001:db8::/32,PF\n");
    const t = territory({ countries: ["FR", "RE"], geoFiles: [file] });
    expect(t.locate("::ffff:192.0.2.25")).toEqual({ country: "RE", source: `--geo-file ${file}` });
    expect(t.locate("2001:db8::25").country).toBe("PF");
  });
});
