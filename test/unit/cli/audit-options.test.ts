import { describe, expect, it } from "vitest";
import { parseCountries } from "../../../src/audit/measures/territory.js";
import { parseDomain, parseEndpointOverride } from "../../../src/cli/audit-command.js";

describe("audit options", () => {
  it("domains are normalised to A-labels; junk is refused", () => {
    expect(parseDomain("Exämple.FR.")).toBe("xn--exmple-cua.fr");
    expect(() => parseDomain("localhost")).toThrow(/domain/);
    expect(() => parseDomain("a b.org")).toThrow(/domain/);
  });
  it("--endpoint SERVICE=HOST[:PORT], with the port and TLS mode from the service", () => {
    expect(parseEndpointOverride("imap=imap.example.org")).toEqual({
      host: "imap.example.org",
      service: "imap",
      port: 993,
      tlsMode: "implicit",
    });
    expect(parseEndpointOverride("submission=smtp.example.org:587")).toEqual({
      host: "smtp.example.org",
      service: "submission",
      port: 587,
      tlsMode: "starttls",
    });
    expect(() => parseEndpointOverride("gopher=x.example.org")).toThrow(/--service|--endpoint/);
    expect(() => parseEndpointOverride("imap")).toThrow(/--endpoint/);
  });
  it("--country takes ISO codes; France with its overseas codes by default", () => {
    expect(parseCountries(undefined)).toContain("RE");
    expect(parseCountries("fr,be")).toEqual(["FR", "BE"]);
    expect(() => parseCountries("France")).toThrow(/--country/);
  });
});
