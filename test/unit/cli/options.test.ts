import { describe, expect, it } from "vitest";
import { resolveServiceDefaults } from "../../../src/audit/probe/services.js";
import { parseEhloName, parseHostPort, parseLang, parseTimeout } from "../../../src/cli/options.js";

describe("targets", () => {
  it.each([
    ["mx.example.org", { host: "mx.example.org" }],
    ["mx.example.org:587", { host: "mx.example.org", port: 587 }],
    ["192.0.2.1:25", { host: "192.0.2.1", port: 25 }],
    ["2001:db8::1", { host: "2001:db8::1" }],
    ["[2001:db8::1]:993", { host: "2001:db8::1", port: 993 }],
    ["Bücher.example", { host: "xn--bcher-kva.example" }],
  ])("%s", (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });
  it.each([
    "mx.example.org:0",
    "mx.example.org:99999",
    "mx.example.org:x",
    "a..b",
    "-bad.example",
    "[192.0.2.1]:25",
    "exa mple.org",
  ])("refuses %s", (text) => {
    expect(() => parseHostPort(text)).toThrow(/target/);
  });
});

describe("service defaults", () => {
  it("port from service, service from port, TLS mode from both", () => {
    expect(resolveServiceDefaults({})).toEqual({ service: "smtp", port: 25, tlsMode: "starttls" });
    expect(resolveServiceDefaults({ port: 465 })).toEqual({
      service: "submission",
      port: 465,
      tlsMode: "implicit",
    });
    expect(resolveServiceDefaults({ port: 143 })).toEqual({
      service: "imap",
      port: 143,
      tlsMode: "starttls",
    });
    expect(resolveServiceDefaults({ service: "imap" })).toEqual({
      service: "imap",
      port: 993,
      tlsMode: "implicit",
    });
    expect(resolveServiceDefaults({ service: "smtp", port: 2525 })).toEqual({
      service: "smtp",
      port: 2525,
      tlsMode: "starttls",
    });
    expect(resolveServiceDefaults({ port: 25, tlsMode: "none" }).tlsMode).toBe("none");
  });
});

describe("options", () => {
  it("timeouts are bounded", () => {
    expect(parseTimeout(undefined, 10_000)).toBe(10_000);
    expect(parseTimeout("2500", 10_000)).toBe(2500);
    expect(() => parseTimeout("10", 1)).toThrow(/--timeout/);
    expect(() => parseTimeout("1e4", 1)).toThrow(/--timeout/);
  });
  it("language from the option, else from the locale", () => {
    expect(parseLang(undefined, { LANG: "fr_FR.UTF-8" })).toBe("fr");
    expect(parseLang(undefined, {})).toBe("en");
    expect(() => parseLang("de")).toThrow(/--lang/);
  });
  it("EHLO name must be a FQDN", () => {
    expect(parseEhloName("scanner.example.org", "x")).toBe("scanner.example.org");
    expect(() => parseEhloName("localhost", "x")).toThrow(/--ehlo-name/);
    expect(() => parseEhloName("bad name.org", "x")).toThrow(/--ehlo-name/);
  });
});
