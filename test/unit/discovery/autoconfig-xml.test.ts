/**
 * The autoconfig document reader on a real-looking document and on 1 MiB adversarial bodies.
 * Measured on this machine: 512 KB of unclosed `<incomingServer type="imap">` took 1.6 s with the
 * regular expressions it replaces and takes ~5 ms now; 1 MiB of well-formed server entries ~220 ms.
 * No timing is asserted: the tests check the answer and that the big inputs finish.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { endpointOfServer, parseAutoconfig } from "../../../src/audit/discovery/autoconfig.js";
import { readAutoconfig } from "../../../src/audit/discovery/autoconfig-xml.js";
import { limits } from "../../../src/core/limits.js";

const fixture = readFileSync(
  new URL("../../fixtures/pages/autoconfig-thunderbird.xml", import.meta.url),
  "utf8",
);
const MiB = 1024 * 1024;
const fill = (unit: string, bytes = MiB) => unit.repeat(Math.ceil(bytes / unit.length));
const server = (type: string, host: string, port: number, socket = "SSL") =>
  `<incomingServer type="${type}"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType></incomingServer>`;

describe("autoconfig document", () => {
  it("reads a Thunderbird-style document in document order, %EMAILDOMAIN% replaced, names lower-cased", () => {
    const document = readAutoconfig(fixture, "example.org");
    expect(document).toMatchObject({ ok: true, omitted: 0 });
    if (!document.ok) return;
    expect(document.servers).toEqual([
      { direction: "incoming", type: "imap", hostname: "imap.example.org", port: 993, socketType: "SSL" },
      { direction: "incoming", type: "pop3", hostname: "pop.example.org", port: 995, socketType: "SSL" },
      {
        direction: "outgoing",
        type: "smtp",
        hostname: "smtp.example.org",
        port: 587,
        socketType: "STARTTLS",
      },
    ]);
    expect(document.servers.map(endpointOfServer).map((e) => `${e?.service}/${e?.tlsMode}`)).toEqual([
      "imap/implicit",
      "pop3/implicit",
      "submission/starttls",
    ]);
  });

  it("interleaved incoming and outgoing entries keep their order; a missing socketType is plain", () => {
    const xml = `<clientConfig version="1.1"><emailProvider id="x"><incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType></incomingServer><outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer><incomingServer type="pop3"><hostname>pop.example.org</hostname><port>110</port></incomingServer></emailProvider></clientConfig>`;
    expect(parseAutoconfig(xml, "example.org").map((s) => `${s.hostname}:${s.port}:${s.socketType}`)).toEqual(
      ["imap.example.org:993:SSL", "smtp.example.org:587:STARTTLS", "pop.example.org:110:plain"],
    );
  });

  it("skips entries without a host name or with a bad port", () => {
    const xml = `<clientConfig><emailProvider>${server("imap", "", 993)}${server("imap", "a.example", 0)}${server("imap", "b.example", 70000)}${server("imap", "c.example", 143, "STARTTLS")}</emailProvider></clientConfig>`;
    expect(parseAutoconfig(xml, "x").map((s) => s.hostname)).toEqual(["c.example"]);
  });

  it("is not an autoconfig document: HTML, broken XML, another root", () => {
    expect(readAutoconfig("<html><body>404</body></html>", "x")).toMatchObject({ ok: false });
    // fast-xml-parser closes what a truncated document left open: a document, but no server in it.
    expect(parseAutoconfig("<clientConfig><emailProvider>", "x")).toEqual([]);
    expect(readAutoconfig("<other><clientConfig/></other>", "x")).toMatchObject({
      ok: false,
      message: "no clientConfig element",
    });
    expect(parseAutoconfig("not xml at all <<<", "x")).toEqual([]);
  });

  it(`keeps at most ${limits.maxAutoconfigServers} server entries and counts the others`, () => {
    const entries = Array.from({ length: 40 }, (_, i) => server("imap", `h${i}.example`, 993)).join("");
    const document = readAutoconfig(
      `<clientConfig><emailProvider>${entries}</emailProvider></clientConfig>`,
      "x",
    );
    expect(document).toMatchObject({ ok: true, omitted: 40 - limits.maxAutoconfigServers });
    if (document.ok) expect(document.servers).toHaveLength(limits.maxAutoconfigServers);
  });
});

describe("autoconfig document: 1 MiB adversarial bodies finish", () => {
  it.each([
    ["unclosed server tags", fill('<incomingServer type="imap">')],
    [
      "unclosed server tags inside a clientConfig",
      `<clientConfig><emailProvider>${fill('<incomingServer type="imap">')}`,
    ],
    ["deep nesting", `<clientConfig>${fill("<a>")}`],
    ["an unclosed attribute", `<clientConfig><incomingServer type="${"x".repeat(MiB)}`],
    ["only '<'", fill("<")],
    ["an unclosed comment", `<clientConfig><!--${fill("-")}`],
  ])("%s: not a document, no server", (_name, xml) => {
    const document = readAutoconfig(xml, "x");
    expect(document.ok ? document.servers : []).toEqual([]);
  });

  it("1 MiB of valid entries: the first ones kept, the rest counted", () => {
    const unit = server("imap", "h.example", 993);
    const count = Math.ceil(MiB / unit.length);
    const document = readAutoconfig(
      `<clientConfig><emailProvider>${unit.repeat(count)}</emailProvider></clientConfig>`,
      "x",
    );
    expect(document).toMatchObject({ ok: true, omitted: count - limits.maxAutoconfigServers });
  });

  it("entity expansion is bounded (billion laughs)", () => {
    const xml = `<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><clientConfig><emailProvider>${server("imap", "&f;", 993)}</emailProvider></clientConfig>`;
    const document = readAutoconfig(xml, "x");
    // Either refused or expanded within fast-xml-parser's bounds: never a 10^6-character host name.
    const hosts = document.ok ? document.servers.map((s) => s.hostname) : [];
    expect(hosts.every((h) => h.length < 100_001)).toBe(true);
  });
});
