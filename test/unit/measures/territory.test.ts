import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { territory } from "../../../src/audit/measures/territory.js";

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
});
