/** Access (§1.1, §1.3) and webmail (§1.2) measures on synthetic facts. */
import { describe, expect, it } from "vitest";
import { verdictOf } from "../../../src/audit/measures/measure.js";
import { parseStsPolicy, stsMatches } from "../../../src/audit/measures/mta-sts-policy.js";
import { findLoginForm, plainHttpReferences } from "../../../src/audit/web/login-page.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { accessMeasures, judged } from "./facts.js";

const spf = (domain: string, answer: { ok: true; value: string[] }) =>
  judged("mail.spf", { domain, dns: { spf: answer } });

const strong = tlsOf({
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
});
const imap = (
  port: number,
  tlsMode: "implicit" | "starttls",
  facts: Record<string, unknown> = {},
  tls = strong,
) =>
  endpointOf({
    host: "imap.example.org",
    port,
    service: "imap",
    tlsMode,
    tls,
    starttlsAdvertised: tlsMode === "starttls" ? true : null,
    dialogue: { protocol: "IMAP", facts },
  });
const byId = (ms: ReturnType<typeof accessMeasures>, id: string) => ms.find((m) => m.id === id)?.status;

describe("access measures", () => {
  it("IMAP with 993 and a disciplined 143 passes everything", () => {
    const ms = accessMeasures([
      { report: imap(993, "implicit"), declared: true },
      { report: imap(143, "starttls", { loginDisabledBeforeTls: true, authBeforeTls: [] }), declared: true },
    ]);
    expect(
      ms.every((m) => m.status === "pass"),
      JSON.stringify(ms.filter((m) => m.status !== "pass")),
    ).toBe(true);
  });
  it("login before STARTTLS fails access.starttls; no 993 fails access.implicit-tls", () => {
    const ms = accessMeasures([
      {
        report: imap(143, "starttls", { loginDisabledBeforeTls: false, authBeforeTls: ["PLAIN"] }),
        declared: true,
      },
    ]);
    expect(byId(ms, "access.starttls")).toBe("fail");
    expect(byId(ms, "access.implicit-tls")).toBe("fail");
  });
  it("RC4 or SSLv3 fails access.tls-parameters; TLS 1.0 only warns", () => {
    const rc4 = tlsOf({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_SHA"] },
    });
    expect(
      byId(
        accessMeasures([{ report: imap(993, "implicit", {}, rc4), declared: true }]),
        "access.tls-parameters",
      ),
    ).toBe("fail");
    const old = tlsOf({
      versions: ["TLSv1", "TLSv1.2"],
      suites: {
        TLSv1: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"],
        "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"],
      },
    });
    expect(
      byId(
        accessMeasures([{ report: imap(993, "implicit", {}, old), declared: true }]),
        "access.tls-parameters",
      ),
    ).toBe("warn");
  });
  it("no forward-secret suite fails access.pfs", () => {
    const rsa = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": ["TLS_RSA_WITH_AES_128_GCM_SHA256"] } });
    expect(
      byId(accessMeasures([{ report: imap(993, "implicit", {}, rsa), declared: true }]), "access.pfs"),
    ).toBe("fail");
  });
  it("a declared endpoint that does not answer is an error; a conventional-name guess that does not answer is ignored", () => {
    const down = endpointOf({
      service: "imap",
      port: 993,
      tlsMode: "implicit",
      error: { step: "connect", reason: "refused", message: "refused" },
    });
    expect(byId(accessMeasures([{ report: down, declared: true }]), "access.tls")).toBe("error");
    expect(byId(accessMeasures([{ report: down, declared: false }]), "access.tls")).toBe("not_applicable");
  });
});

describe("webmail page analysis", () => {
  it("finds the login form and resolves its action", () => {
    const html =
      '<form id="search"><input name="q"></form><form method=post action="/auth"><input type="password" name="p"></form>';
    expect(findLoginForm(html, "https://webmail.example.org/login?x")).toEqual({
      action: "https://webmail.example.org/auth",
    });
    expect(
      findLoginForm(
        '<form action="http://webmail.example.org/auth"><input type=password></form>',
        "https://webmail.example.org/",
      )?.action,
    ).toBe("http://webmail.example.org/auth");
    expect(findLoginForm("<form><input name=q></form>", "https://x/")).toBeNull();
  });
  it("lists plain-http resources", () => {
    expect(
      plainHttpReferences('<script src="http://cdn.example/x.js"></script><a href="https://ok/">'),
    ).toEqual(["http://cdn.example/x.js"]);
  });
});

describe("beyond-charter parsing", () => {
  it("MTA-STS policy and patterns (RFC 8461 §3.2, §4.1)", () => {
    expect(
      parseStsPolicy(
        "version: STSv1\r\nmode: enforce\r\nmx: *.example.org\r\nmx: mx.example.net\r\nmax_age: 86400\r\n",
      ),
    ).toEqual({
      version: "STSv1",
      mode: "enforce",
      maxAge: 86400,
      mx: ["*.example.org", "mx.example.net"],
    });
    expect(stsMatches("*.example.org", "mx1.example.org")).toBe(true);
    expect(stsMatches("*.example.org", "a.mx1.example.org")).toBe(false);
    expect(stsMatches("*.example.org", "example.org")).toBe(false);
  });
  it("SPF: -all passes, ~all warns, +all and two records fail", () => {
    const txt = (...value: string[]) => ({ ok: true as const, value });
    expect(spf("example.org", txt("v=spf1 mx -all")).status).toBe("pass");
    expect(spf("example.org", txt("v=spf1 mx ~all")).status).toBe("warn");
    expect(spf("example.org", txt("v=spf1 +all")).status).toBe("fail");
    expect(spf("example.org", txt("v=spf1 all")).status).toBe("fail");
    expect(spf("example.org", txt("v=spf1 -all", "v=spf1 mx -all")).status).toBe("fail");
  });
  it("the verdict counts only charter measures, and error makes it inconclusive", () => {
    const m = (charter: boolean, status: "pass" | "fail" | "error") => ({
      id: "mx.starttls" as const,
      ref: "",
      charter,
      status,
      summary: { fr: "", en: "" },
      evidence: [],
    });
    expect(verdictOf([m(true, "pass"), m(false, "fail")])).toBe("compliant");
    expect(verdictOf([m(true, "pass"), m(true, "error")])).toBe("inconclusive");
    expect(verdictOf([m(true, "fail"), m(true, "error")])).toBe("non_compliant");
  });
});

describe("autoconfig", () => {
  it("parses servers, replaces %EMAILDOMAIN%, maps them to endpoints", async () => {
    const { parseAutoconfig, endpointOfServer } = await import("../../../src/audit/discovery/autoconfig.js");
    const xml = `<clientConfig version="1.1"><emailProvider id="x"><incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType></incomingServer><outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer><incomingServer type="pop3"><hostname>pop.example.org</hostname><port>110</port><socketType>plain</socketType></incomingServer></emailProvider></clientConfig>`;
    const servers = parseAutoconfig(xml, "example.org");
    expect(servers.map((s) => `${s.hostname}:${s.port}:${s.socketType}`)).toEqual([
      "imap.example.org:993:SSL",
      "smtp.example.org:587:STARTTLS",
      "pop.example.org:110:plain",
    ]);
    expect(servers.map(endpointOfServer).map((e) => e?.tlsMode)).toEqual(["implicit", "starttls", "none"]);
  });
});

describe("DANE matching (RFC 6698, RFC 7672)", () => {
  it("3 1 1 matches the leaf's SPKI, 2 0 1 an issuer's certificate; 0/1 usages and unknown matching types are unusable", async () => {
    const { daneMatches } = await import("../../../src/audit/measures/dane-match.js");
    const chain = [
      { digests: { certSha256: "aa11", certSha512: "aa22", spkiSha256: "bb11", spkiSha512: "bb22" } },
      { digests: { certSha256: "cc11", certSha512: "cc22", spkiSha256: "dd11", spkiSha512: "dd22" } },
    ] as unknown as Parameters<typeof daneMatches>[1];
    const tlsa = (usage: number, selector: number, matchingType: number, hex: string) => ({
      usage,
      selector,
      matchingType,
      data: Buffer.from(hex, "hex"),
    });
    expect(daneMatches(tlsa(3, 1, 1, "bb11"), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 0, 2, "aa22"), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 1, 1, "dd11"), chain)).toBe(false);
    expect(daneMatches(tlsa(2, 0, 1, "cc11"), chain)).toBe(true);
    expect(daneMatches(tlsa(2, 0, 1, "aa11"), chain)).toBe(false);
    expect(daneMatches(tlsa(1, 1, 1, "bb11"), chain)).toBeNull();
    // Matching type 0 is evaluated (beyond.test.ts shows it matching real DER): these bytes are no SPKI.
    expect(daneMatches(tlsa(3, 1, 0, "bb11"), chain)).toBe(false);
    expect(daneMatches(tlsa(3, 1, 3, "bb11"), chain)).toBeNull();
  });
});
