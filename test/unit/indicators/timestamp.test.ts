import { describe, expect, it } from "vitest";
import { rfc3339Time, syslogTime, YearInference } from "../../../src/indicators/log/timestamp.js";

describe("syslog years", () => {
  it("a log written across new year and read in January", () => {
    const years = new YearInference(new Date("2027-01-03T00:00:00Z"));
    expect(syslogTime("Dec", "30", "10:00:00", years)).toBe("2026-12-30T10:00:00Z");
    expect(syslogTime("Jan", "1", "00:00:01", years)).toBe("2027-01-01T00:00:01Z");
    // A late December line after the new year belongs to the year before, without moving the stream.
    expect(syslogTime("Dec", "31", "23:59:59", years)).toBe("2026-12-31T23:59:59Z");
    expect(syslogTime("Jan", "2", "00:00:00.123456", years)).toBe("2027-01-02T00:00:00.123Z");
  });
  it("a log of this year", () => {
    const years = new YearInference(new Date("2026-06-01T00:00:00Z"));
    expect(syslogTime("May", "31", "10:00:00", years)).toBe("2026-05-31T10:00:00Z");
  });
  it("refuses impossible stamps", () => {
    const years = new YearInference(new Date("2026-06-01T00:00:00Z"));
    expect(syslogTime("Foo", "1", "10:00:00", years)).toBeNull();
    expect(syslogTime("Jan", "32", "10:00:00", years)).toBeNull();
    expect(syslogTime("Jan", "1", "25:00:00", years)).toBeNull();
  });
});

describe("RFC 3339", () => {
  it("zones to UTC", () => {
    expect(rfc3339Time("2026-12-01T23:16:06+01:00")).toBe("2026-12-01T22:16:06Z");
    expect(rfc3339Time("2026-12-01T23:16:06.5Z")).toBe("2026-12-01T23:16:06.500Z");
    expect(rfc3339Time("2026-12-01 23:16:06")).toBe("2026-12-01T23:16:06Z");
    expect(rfc3339Time("2026-13-01T00:00:00Z")).toBeNull();
    expect(rfc3339Time("yesterday")).toBeNull();
  });
});

describe("months in the machine's locale (journalctl's %b)", () => {
  it("French, German, Spanish, Russian and Polish abbreviations, with or without their dot", () => {
    const month = (name: string) => {
      const years = new YearInference(new Date("2026-12-31T00:00:00Z"));
      return syslogTime(name, "2", "05:23:35", years)?.slice(5, 7) ?? null;
    };
    expect(month("déc.")).toBe("12");
    expect(month("DÉC")).toBe("12");
    expect(month("févr.")).toBe("02");
    expect(month("août")).toBe("08");
    expect(month("juil.")).toBe("07");
    expect(month("Mär")).toBe("03");
    expect(month("Okt")).toBe("10");
    expect(month("ene")).toBe("01");
    expect(month("авг")).toBe("08");
    expect(month("мая")).toBe("05");
    expect(month("paź")).toBe("10");
    expect(month("juni")).toBeNull(); // a full month name is not an abbreviation
    expect(month("xyz")).toBeNull();
  });
});
