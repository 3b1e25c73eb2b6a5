/**
 * MTA-STS (RFC 8461), DNSSEC and DANE (RFC 7672) on their failing side: each way the policy fetch
 * or file can be wrong, MX hosts a policy does not cover, unvalidated or unusable TLSA records, and
 * the DANE matching of each selector, matching type and usage.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditFacts, TxtAnswer } from "../../../../src/audit/measures/audit-facts.js";
import { daneMatches } from "../../../../src/audit/measures/dane-match.js";
import { parseStsPolicy, stsMatches } from "../../../../src/audit/measures/mta-sts-policy.js";
import type { HttpFetchResult, HttpHop } from "../../../../src/audit/probe/http-fetch.js";
import type { CertificateSummary } from "../../../../src/audit/tls/certificate.js";
import type { SecureAnswer, TlsaRecord } from "../../../../src/net/dns-secure.js";
import type { DnsAnswer } from "../../../../src/net/resolver.js";
import { endpointOf, tlsOf } from "../../../support/reports.js";
import { judged } from "../../measures/facts.js";

const txt = (...value: string[]): TxtAnswer => ({ ok: true, value });
const timeout = { ok: false as const, reason: "timeout" as const, message: "timed out" };
const url = "https://mta-sts.example.org/.well-known/mta-sts.txt";
const hop = (partial: Partial<HttpHop> = {}): HttpHop => ({
  url,
  address: "192.0.2.80",
  status: 200,
  headers: [],
  cookies: [],
  location: null,
  tls: null,
  certificate: "valid",
  error: null,
  ...partial,
});
const fetched = (hops: HttpHop[], body: string | null): HttpFetchResult => ({
  hops,
  body,
  finalUrl: hops.at(-1)?.url ?? "",
  stopped: null,
  truncated: false,
});
const policy = (mode = "enforce", mx = ["mx.example.org"], extra = "max_age: 604800\n") =>
  `version: STSv1\nmode: ${mode}\n${mx.map((m) => `mx: ${m}\n`).join("")}${extra}`;
const mxOf = (...hosts: string[]): AuditFacts["mx"] => ({
  kind: "mx",
  hosts: hosts.map((host, i) => ({ host, priority: 10 * (i + 1) })),
});

const sts = (record: TxtAnswer, stsPolicy: HttpFetchResult | null, mx = mxOf("mx.example.org")) =>
  judged("mx.mta-sts", { domain: "example.org", mx, stsPolicy, dns: { mtaSts: record } });
const codes = (m: ReturnType<typeof judged>) => m.evidence.map((e) => `${e.status} ${e.code}`);

describe("mx.mta-sts (RFC 8461)", () => {
  const record = txt("v=STSv1; id=20260101");
  it("enforce covering every MX passes; testing warns; none fails", () => {
    const m = sts(record, fetched([hop()], policy()));
    expect(m.status).toBe("pass");
    expect(m.summary).toEqual({ fr: "MTA-STS : mode enforce", en: "MTA-STS: mode enforce" });
    expect(m.evidence).toEqual([
      expect.objectContaining({
        endpoint: "_mta-sts.example.org",
        code: "sts.record",
        values: { record: "v=STSv1; id=20260101" },
      }),
      expect.objectContaining({
        endpoint: url,
        status: "pass",
        code: "sts.policy",
        values: { mode: "enforce", maxAge: 604800, mx: ["mx.example.org"] },
      }),
    ]);
    expect(sts(record, fetched([hop()], policy("testing"))).status).toBe("warn");
    expect(sts(record, fetched([hop()], policy("none"))).status).toBe("fail");
  });
  it("an MX the policy does not name fails, listed; a wildcard covers one label; patterns compare case-blind", () => {
    const m = sts(
      record,
      fetched([hop()], policy("enforce", ["*.example.org"])),
      mxOf("mx1.example.org", "a.b.example.org", "mx.example.net"),
    );
    expect(m.status).toBe("fail");
    expect(m.evidence.find((e) => e.code === "sts.uncovered")?.values).toEqual({
      hosts: ["a.b.example.org", "mx.example.net"],
    });
    expect(sts(record, fetched([hop()], policy("enforce", ["MX.Example.ORG"]))).status).toBe("pass");
  });
  it("no record, two records, or a record without the exact prefix: no policy", () => {
    for (const answer of [
      txt(),
      txt("v=STSv1; id=1", "v=STSv1; id=2"),
      txt("v=STSv1 id=1"),
      txt("v=STSv2; id=1"),
    ]) {
      const m = sts(answer, fetched([hop()], policy()));
      expect(m.status).toBe("fail");
      expect(m.summary.en).toBe("MTA-STS: no policy");
      expect(codes(m)).toEqual(["fail sts.no-record"]);
    }
  });
  it("a failed TXT lookup is undetermined", () => {
    const m = sts(timeout, null);
    expect(m.status).toBe("error");
    expect(m.summary.en).toBe("MTA-STS: could not be determined");
    expect(m.evidence[0]).toMatchObject({ endpoint: "_mta-sts.example.org", code: "dns.failed" });
  });
  it("an invalid certificate, a redirect, another status, an error, no answer: fail, each said", () => {
    const cert = sts(record, fetched([hop({ certificate: "self_signed" })], policy()));
    expect(cert.summary.en).toBe("MTA-STS: invalid certificate");
    expect(cert.evidence.at(-1)).toMatchObject({
      endpoint: url,
      code: "sts.certificate",
      values: { status: "self_signed" },
    });
    const redirect = sts(
      record,
      fetched([hop({ status: 301, location: "https://x/" }), hop({ url: "https://x/" })], policy()),
    );
    expect(redirect.summary.en).toBe("MTA-STS: policy not fetched");
    expect(redirect.evidence.at(-1)).toMatchObject({
      code: "sts.http-status",
      values: { status: 301, redirected: true },
    });
    const notFound = sts(record, fetched([hop({ status: 404 })], "nope"));
    expect(notFound.evidence.at(-1)).toMatchObject({
      code: "sts.http-status",
      values: { status: 404, redirected: false },
    });
    const twoHops = sts(record, fetched([hop(), hop()], policy()));
    expect(twoHops.evidence.at(-1)).toMatchObject({
      code: "sts.http-status",
      values: { status: 200, redirected: true },
    });
    const error = sts(
      record,
      fetched(
        [
          hop({
            status: null,
            certificate: null,
            error: { step: "connect", reason: "refused", message: "refused" },
          }),
        ],
        null,
      ),
    );
    expect(error.evidence.at(-1)).toMatchObject({ code: "sts.fetch-failed", values: { message: "refused" } });
    expect(sts(record, null).evidence.at(-1)).toMatchObject({
      code: "sts.fetch-failed",
      values: { message: "no answer" },
    });
    expect(
      sts(record, fetched([hop({ status: null, certificate: null })], null)).evidence.at(-1),
    ).toMatchObject({
      values: { message: "no answer" },
    });
    const empty = sts(record, fetched([hop()], ""));
    expect(empty.summary.en).toBe("MTA-STS: policy not fetched");
    for (const m of [cert, redirect, notFound, twoHops, error, empty]) expect(m.status).toBe("fail");
  });
  it("a certificate not judged (null) is no invalid certificate", () => {
    expect(sts(record, fetched([hop({ certificate: null })], policy())).status).toBe("pass");
  });
  it("a policy without version, mode, max_age or mx is invalid; its start is quoted", () => {
    for (const body of [
      "mode: enforce\nmx: mx.example.org\nmax_age: 1\n",
      "version: STSv2\nmode: enforce\nmx: mx.example.org\nmax_age: 1\n",
      "version: STSv1\nmx: mx.example.org\nmax_age: 1\n",
      "version: STSv1\nmode: enforce\nmx: mx.example.org\n",
      "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: soon\n",
      "version: STSv1\nmode: enforce\nmax_age: 1\n",
    ]) {
      const m = sts(record, fetched([hop()], body));
      expect(m.status, body).toBe("fail");
      expect(m.summary.en).toBe("MTA-STS: invalid policy");
      expect(m.evidence.at(-1)).toMatchObject({ code: "sts.invalid", values: { excerpt: body } });
    }
    const long = `${"x".repeat(300)}\n`;
    expect(sts(record, fetched([hop()], long)).evidence.at(-1)?.values).toEqual({ excerpt: "x".repeat(200) });
  });
});

describe("the MTA-STS policy file and its patterns (RFC 8461 §3.2, §4.1)", () => {
  it("CRLF or LF, blanks around values, unknown keys ignored, every mx kept in order", () => {
    expect(
      parseStsPolicy(
        "version: STSv1\r\nmode:  testing \r\nmx: a.example\r\nfoo: bar\r\nmx: *.example\r\nmax_age:86400\r\n",
      ),
    ).toEqual({
      version: "STSv1",
      mode: "testing",
      maxAge: 86400,
      mx: ["a.example", "*.example"],
    });
    expect(parseStsPolicy("")).toEqual({ version: null, mode: null, maxAge: null, mx: [] });
    expect(parseStsPolicy("version STSv1\nmode=enforce\n")).toEqual({
      version: null,
      mode: null,
      maxAge: null,
      mx: [],
    });
    expect(parseStsPolicy("mode: enforce\nmode: none\n").mode).toBe("enforce");
    expect(parseStsPolicy(" mode: enforce\nxmode: testing\n").mode).toBeNull();
  });
  it("a wildcard matches exactly one left-most label; other patterns match exactly", () => {
    expect(stsMatches("*.example.org", "mx.example.org")).toBe(true);
    expect(stsMatches("*.example.org", "a.mx.example.org")).toBe(false);
    expect(stsMatches("*.example.org", "example.org")).toBe(false);
    expect(stsMatches("*.example.org", "mxexample.org")).toBe(false);
    expect(stsMatches("mx.example.org", "mx.example.org")).toBe(true);
    expect(stsMatches("mx.example.org", "mx2.example.org")).toBe(false);
    expect(stsMatches("x*.example.org", "x1.example.org")).toBe(false);
  });
});

describe("dns.dnssec", () => {
  const secure = (authenticated: boolean): DnsAnswer<SecureAnswer> => ({
    ok: true,
    value: { authenticated, rcode: "NOERROR", tlsa: [], count: 1 },
  });
  const dnssec = (answer: DnsAnswer<SecureAnswer>) =>
    judged("dns.dnssec", { domain: "example.org", dns: { dnssec: answer, resolver: "127.0.10.54:53" } });
  it("validated passes, not validated fails, each naming the resolver", () => {
    const ok = dnssec(secure(true));
    expect(ok).toMatchObject({ status: "pass", summary: { en: "DNSSEC: answers validated" } });
    expect(ok.evidence).toEqual([
      expect.objectContaining({
        endpoint: "example.org",
        code: "dnssec.validated",
        values: { resolver: "127.0.10.54:53" },
      }),
    ]);
    const no = dnssec(secure(false));
    expect(no).toMatchObject({ status: "fail", summary: { en: "DNSSEC: answers not validated" } });
    expect(no.evidence[0]?.code).toBe("dnssec.not-validated");
  });
  it("NODATA is an unvalidated answer; SERVFAIL, a timeout or NXDOMAIN prove nothing", () => {
    expect(dnssec({ ok: false, reason: "no_data", message: "NODATA" }).status).toBe("fail");
    for (const reason of ["error", "timeout", "not_found", "refused"] as const) {
      const m = dnssec({ ok: false, reason, message: reason });
      expect(m.status, reason).toBe("error");
      expect(m.evidence[0]?.code).toBe("dns.failed");
    }
  });
});

describe("DANE matching (RFC 6698 §2.1, RFC 7672 §3.1.3)", () => {
  const der = Buffer.from("leaf certificate DER");
  const spki = Buffer.from("leaf key");
  const caDer = Buffer.from("issuer certificate DER");
  const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest("hex");
  const summary = (cert: Buffer, key: Buffer) =>
    ({
      digests: {
        certSha256: hex("sha256", cert),
        certSha512: hex("sha512", cert),
        spkiSha256: hex("sha256", key),
        spkiSha512: hex("sha512", key),
      },
    }) as Pick<CertificateSummary, "digests">;
  const chain = [summary(der, spki), summary(caDer, Buffer.from("issuer key"))];
  const tlsa = (usage: number, selector: number, matchingType: number, data: Buffer): TlsaRecord => ({
    usage,
    selector,
    matchingType,
    data,
  });
  const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest();
  it("usage 3: every selector and matching type against the leaf", () => {
    expect(daneMatches(tlsa(3, 0, 0, der), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 1, 0, spki), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 0, 1, digest("sha256", der)), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 1, 1, digest("sha256", spki)), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 0, 2, digest("sha512", der)), chain)).toBe(true);
    expect(daneMatches(tlsa(3, 1, 2, digest("sha512", spki)), chain)).toBe(true);
    // the wrong selector or digest for the data: no match
    expect(daneMatches(tlsa(3, 0, 1, digest("sha256", spki)), chain)).toBe(false);
    expect(daneMatches(tlsa(3, 1, 2, digest("sha256", spki)), chain)).toBe(false);
    expect(daneMatches(tlsa(3, 0, 0, caDer), chain)).toBe(false);
    expect(daneMatches(tlsa(3, 0, 1, Buffer.from(hex("sha256", der).toUpperCase(), "hex")), chain)).toBe(
      true,
    );
  });
  it("usage 2 matches a certificate above the leaf, never the leaf", () => {
    expect(daneMatches(tlsa(2, 0, 1, digest("sha256", caDer)), chain)).toBe(true);
    expect(daneMatches(tlsa(2, 0, 1, digest("sha256", der)), chain)).toBe(false);
    expect(daneMatches(tlsa(2, 0, 0, caDer), [chain[0] as (typeof chain)[0]])).toBe(false);
  });
  it("usages 0 and 1, unknown selectors and matching types are unusable (null)", () => {
    for (const record of [
      tlsa(0, 0, 1, der),
      tlsa(1, 1, 1, spki),
      tlsa(4, 1, 1, spki),
      tlsa(3, 2, 1, spki),
      tlsa(3, 1, 3, spki),
      tlsa(2, 0, 255, der),
    ])
      expect(daneMatches(record, chain), JSON.stringify(record)).toBeNull();
  });
});

describe("mx.dane", () => {
  const leafDer = Buffer.from("mx leaf");
  const digests = {
    certSha256: createHash("sha256").update(leafDer).digest("hex"),
    certSha512: "00",
    spkiSha256: "11",
    spkiSha512: "22",
  };
  const withChain = (host: string, address: string) => {
    const tls = tlsOf({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] },
    });
    if (!tls.certificate) throw new Error("sketch without certificate");
    return endpointOf({
      host,
      address,
      tls: { ...tls, certificate: { ...tls.certificate, chain: [{ ...tls.certificate, digests }] } },
    });
  };
  const answer = (authenticated: boolean, records: TlsaRecord[]): DnsAnswer<SecureAnswer> => ({
    ok: true,
    value: { authenticated, rcode: "NOERROR", tlsa: records, count: records.length },
  });
  const good = { usage: 3, selector: 0, matchingType: 1, data: Buffer.from(digests.certSha256, "hex") };
  const dane = (
    tlsa: Map<string, DnsAnswer<SecureAnswer>>,
    mxEndpoints = [withChain("mx.example.org", "192.0.2.25")],
  ) => judged("mx.dane", { mx: mxOf("mx.example.org"), mxEndpoints, dns: { tlsa } });
  it("a validated matching record passes for each address; records are shown as usage selector type", () => {
    const m = dane(new Map([["mx.example.org", answer(true, [good])]]), [
      withChain("mx.example.org", "192.0.2.25"),
      withChain("mx.example.org", "192.0.2.26"),
    ]);
    expect(m.status).toBe("pass");
    expect(m.summary.en).toBe("DANE: TLSA published and matching");
    expect(m.evidence.map((e) => [e.endpoint, e.code, e.values])).toEqual([
      ["mx.example.org [192.0.2.25]:25", "dane.match", { records: ["3 0 1"] }],
      ["mx.example.org [192.0.2.26]:25", "dane.match", { records: ["3 0 1"] }],
    ]);
  });
  it("not validated, none, no match, only unusable records: fail, each said", () => {
    const name = "_25._tcp.mx.example.org";
    const notValidated = dane(new Map([["mx.example.org", answer(false, [good])]]));
    expect(notValidated.evidence).toEqual([
      expect.objectContaining({ endpoint: name, status: "fail", code: "dane.not-validated" }),
    ]);
    expect(notValidated.summary.en).toBe("DANE: missing or not matching");
    expect(dane(new Map([["mx.example.org", answer(true, [])]])).evidence[0]?.code).toBe("dane.no-tlsa");
    expect(
      dane(new Map([["mx.example.org", { ok: false, reason: "not_found", message: "NXDOMAIN" }]]))
        .evidence[0],
    ).toMatchObject({
      status: "fail",
      code: "dane.no-tlsa",
    });
    const wrong = { ...good, data: Buffer.alloc(32) };
    const mismatch = dane(new Map([["mx.example.org", answer(true, [wrong, { ...good, usage: 1 }])]]));
    expect(mismatch.evidence[0]).toMatchObject({
      status: "fail",
      code: "dane.mismatch",
      values: { records: ["3 0 1", "1 0 1"] },
    });
    const unusable = dane(
      new Map([
        [
          "mx.example.org",
          answer(true, [
            { ...good, usage: 0 },
            { ...good, usage: 1 },
          ]),
        ],
      ]),
    );
    expect(unusable.evidence[0]).toMatchObject({ status: "fail", code: "dane.unusable" });
    const oneOfTwo = dane(new Map([["mx.example.org", answer(true, [wrong, good])]]));
    expect(oneOfTwo.status).toBe("pass");
  });
  it("a failed or missing TLSA lookup, or no certificate seen, is undetermined", () => {
    expect(dane(new Map([["mx.example.org", timeout]])).evidence[0]).toMatchObject({
      status: "error",
      code: "dns.failed",
    });
    expect(dane(new Map()).evidence[0]).toMatchObject({
      endpoint: "_25._tcp.mx.example.org",
      status: "error",
      code: "dns.failed",
      values: { reason: "error", message: "not asked" },
    });
    const noChain = dane(new Map([["mx.example.org", answer(true, [good])]]), [
      endpointOf({ host: "mx.example.org" }),
    ]);
    expect(noChain.evidence[0]).toMatchObject({ status: "error", code: "dane.no-certificate" });
    expect(
      dane(new Map([["mx.example.org", answer(true, [good])]]), [withChain("other.example.org", "192.0.2.9")])
        .evidence,
    ).toEqual([]);
  });
});
