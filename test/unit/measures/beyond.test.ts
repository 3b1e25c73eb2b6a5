/**
 * The measures beyond the 2015 text — SPF, DMARC, TLS-RPT, MTA-STS, DNSSEC, DANE, autoconfig — on
 * hand-built facts: each passing and failing side, and a failed lookup that is `error`, never
 * `not_applicable` nor a silent `fail`.
 */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { HttpFetchResult, HttpHop } from "../../../src/audit/probe/http-fetch.js";
import { summarize } from "../../../src/audit/tls/certificate.js";
import type { SecureAnswer, TlsaRecord } from "../../../src/net/dns-secure.js";
import type { DnsAnswer } from "../../../src/net/resolver.js";
import { selfSigned } from "../../support/pki.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { judged } from "./facts.js";

const txt = (...value: string[]): DnsAnswer<readonly string[]> => ({ ok: true, value });
const servfail = { ok: false as const, reason: "error" as const, message: "SERVFAIL (bogus DNSSEC)" };
const timeout = { ok: false as const, reason: "timeout" as const, message: "no answer within 10 ms" };
const nxdomain = { ok: false as const, reason: "not_found" as const, message: "NXDOMAIN" };

describe("mail.spf (RFC 7208)", () => {
  const spf = (answer: DnsAnswer<readonly string[]>) => judged("mail.spf", { dns: { spf: answer } });
  it("-all passes, ~all warns, +all, bare all, none and two records fail", () => {
    expect(spf(txt("v=spf1 mx -all")).status).toBe("pass");
    expect(spf(txt("v=spf1 mx ~all")).status).toBe("warn");
    expect(spf(txt("v=spf1 +all")).status).toBe("fail");
    expect(spf(txt("v=spf1 mx all")).status).toBe("fail");
    expect(spf(txt("google-site-verification=x")).evidence[0]?.code).toBe("spf.none");
    expect(spf(nxdomain).status).toBe("fail");
    expect(spf(txt("v=spf1 -all", "v=spf1 mx -all")).evidence[0]?.code).toBe("spf.several");
  });
  it("a failed lookup is error", () => {
    expect(spf(servfail).status).toBe("error");
    expect(spf(timeout).evidence[0]?.code).toBe("dns.failed");
  });
});

describe("mail.dmarc (RFC 7489)", () => {
  const dmarc = (answer: DnsAnswer<readonly string[]>) => judged("mail.dmarc", { dns: { dmarc: answer } });
  it("p=reject passes, quarantine warns, none and missing fail, a failed lookup errs", () => {
    expect(dmarc(txt("v=DMARC1; p=reject; rua=mailto:d@example.org")).status).toBe("pass");
    expect(dmarc(txt("v=DMARC1; p=quarantine")).status).toBe("warn");
    const none = dmarc(txt("v=DMARC1; p=none"));
    expect(none.status).toBe("fail");
    expect(none.summary.en).toBe("DMARC: policy none");
    expect(dmarc(nxdomain).status).toBe("fail");
    expect(dmarc(txt("v=DMARC1; p=reject", "v=DMARC1; p=none")).status).toBe("fail");
    expect(dmarc(timeout).status).toBe("error");
  });
});

describe("mx.tls-rpt (RFC 8460 §3)", () => {
  const rpt = (answer: DnsAnswer<readonly string[]>) => judged("mx.tls-rpt", { dns: { tlsRpt: answer } });
  it("one record with a mailto: or https: rua passes; anything else fails; a failed lookup errs", () => {
    expect(rpt(txt("v=TLSRPTv1; rua=mailto:tlsrpt@example.org")).status).toBe("pass");
    expect(rpt(txt("v=TLSRPTv1;rua=https://r.example.org/v1")).status).toBe("pass");
    expect(rpt(txt("v=TLSRPTv1; rua=ftp://x")).status).toBe("fail");
    expect(rpt(txt("v=TLSRPTv1; rua=mailto:a@x", "v=TLSRPTv1; rua=mailto:b@x")).status).toBe("fail");
    expect(rpt(nxdomain).status).toBe("fail");
    expect(rpt(servfail).status).toBe("error");
  });
});

const hop = (partial: Partial<HttpHop>): HttpHop => ({
  url: "https://mta-sts.example.org/.well-known/mta-sts.txt",
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
const policy = (mode: string, mx = "mx.example.org") =>
  `version: STSv1\r\nmode: ${mode}\r\nmx: ${mx}\r\nmax_age: 604800\r\n`;

describe("mx.mta-sts (RFC 8461)", () => {
  const sts = (record: DnsAnswer<readonly string[]>, stsPolicy: HttpFetchResult | null) =>
    judged("mx.mta-sts", { dns: { mtaSts: record }, stsPolicy });
  const record = txt("v=STSv1; id=20261201");
  it("an enforce policy covering the MX passes; testing warns; none fails", () => {
    expect(sts(record, fetched([hop({})], policy("enforce"))).status).toBe("pass");
    expect(sts(record, fetched([hop({})], policy("testing"))).status).toBe("warn");
    expect(sts(record, fetched([hop({})], policy("none"))).status).toBe("fail");
  });
  it("an MX the policy does not cover fails; a wildcard covers one label", () => {
    expect(
      sts(record, fetched([hop({})], policy("enforce", "*.example.net"))).evidence.map((e) => e.code),
    ).toContain("sts.uncovered");
    expect(sts(record, fetched([hop({})], policy("enforce", "*.example.org"))).status).toBe("pass");
  });
  it("a redirect, a 404, an invalid certificate or an invalid policy fails", () => {
    const redirected = fetched(
      [hop({ status: 301 }), hop({ url: "https://elsewhere.example/" })],
      policy("enforce"),
    );
    const r = sts(record, redirected);
    expect(r.status).toBe("fail");
    expect(r.evidence.at(-1)).toMatchObject({
      code: "sts.http-status",
      values: { status: 301, redirected: true },
    });
    expect(sts(record, fetched([hop({ status: 404 })], "not here")).status).toBe("fail");
    expect(
      sts(record, fetched([hop({ certificate: "expired" })], policy("enforce"))).evidence.at(-1)?.code,
    ).toBe("sts.certificate");
    expect(sts(record, fetched([hop({})], "version: STSv1\nmode: enforce\n")).evidence.at(-1)?.code).toBe(
      "sts.invalid",
    );
  });
  it("no record or two records fail; a failed TXT lookup errs", () => {
    expect(sts(nxdomain, null).status).toBe("fail");
    expect(sts(txt("v=STSv1; id=1", "v=STSv1; id=2"), null).status).toBe("fail");
    expect(sts(servfail, null).status).toBe("error");
  });
});

describe("dns.dnssec", () => {
  const secure = (authenticated: boolean): DnsAnswer<SecureAnswer> => ({
    ok: true,
    value: { authenticated, rcode: "NOERROR", tlsa: [], count: 1 },
  });
  it("the AD bit passes, its absence fails, SERVFAIL (bogus) or a timeout errs", () => {
    expect(judged("dns.dnssec", { dns: { dnssec: secure(true) } }).status).toBe("pass");
    const unsigned = judged("dns.dnssec", { dns: { dnssec: secure(false), resolver: "127.0.10.54:53" } });
    expect(unsigned.status).toBe("fail");
    expect(unsigned.evidence[0]?.values).toEqual({ resolver: "127.0.10.54:53" });
    expect(judged("dns.dnssec", { dns: { dnssec: servfail } }).status).toBe("error");
    expect(judged("dns.dnssec", { dns: { dnssec: timeout } }).status).toBe("error");
  });
});

describe("mx.dane (RFC 7672)", async () => {
  const leaf = await selfSigned("mx.example.org");
  const other = await selfSigned("other.example.org");
  const summary = summarize(new X509Certificate(leaf.der));
  const spki = new X509Certificate(leaf.der).publicKey.export({ type: "spki", format: "der" });
  const base = tlsOf({ versions: ["TLSv1.3"], suites: { "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] } });
  const mx = endpointOf({
    tls: { ...base, certificate: base.certificate ? { ...base.certificate, chain: [summary] } : null },
  });
  const tlsa = (records: TlsaRecord[], authenticated = true): DnsAnswer<SecureAnswer> => ({
    ok: true,
    value: { authenticated, rcode: "NOERROR", tlsa: records, count: records.length },
  });
  const record = (usage: number, selector: number, matchingType: number, data: Buffer): TlsaRecord => ({
    usage,
    selector,
    matchingType,
    data,
  });
  const dane = (answer: DnsAnswer<SecureAnswer>) =>
    judged("mx.dane", { mxEndpoints: [mx], dns: { tlsa: new Map([["mx.example.org", answer]]) } });
  it("matching type 0 compares the full certificate or key: equal passes, another one fails", () => {
    expect(dane(tlsa([record(3, 0, 0, leaf.der)])).status).toBe("pass");
    expect(dane(tlsa([record(3, 1, 0, spki)])).status).toBe("pass");
    const wrong = dane(tlsa([record(3, 0, 0, other.der)]));
    expect(wrong.status).toBe("fail");
    expect(wrong.evidence[0]?.code).toBe("dane.mismatch");
  });
  it("3 1 1 of the served key passes; unvalidated records fail; usages 0/1 only are unusable", () => {
    const digest = Buffer.from(summary.digests.spkiSha256, "hex");
    expect(dane(tlsa([record(3, 1, 1, digest)])).status).toBe("pass");
    expect(dane(tlsa([record(3, 1, 1, digest)], false)).evidence[0]?.code).toBe("dane.not-validated");
    expect(dane(tlsa([record(1, 1, 1, digest)])).evidence[0]?.code).toBe("dane.unusable");
  });
  it("no TLSA (NODATA/NXDOMAIN) fails; a failed TLSA lookup errs; a null MX is not applicable", () => {
    expect(dane(tlsa([])).evidence[0]?.code).toBe("dane.no-tlsa");
    expect(dane(nxdomain).status).toBe("fail");
    expect(dane(servfail).status).toBe("error");
    expect(judged("mx.dane", { mx: { kind: "null", hosts: [] } }).status).toBe("not_applicable");
    expect(judged("mx.dane", { mx: { kind: "error", hosts: [], message: "SERVFAIL" } }).status).toBe("error");
  });
});

describe("access.autoconfig (charter art. 5)", () => {
  const autoconfigFile = (socketType: string) => ({
    found: {
      url: "https://autoconfig.example.org/mail/config-v1.1.xml",
      fetch: fetched(
        [hop({ url: "https://autoconfig.example.org/mail/config-v1.1.xml" })],
        "<clientConfig/>",
      ),
      servers: [
        { direction: "incoming" as const, type: "imap", hostname: "imap.example.org", port: 993, socketType },
      ],
      omitted: 0,
    },
    tried: [],
  });
  it("TLS by default passes, plain fails", () => {
    expect(judged("access.autoconfig", { autoconfig: autoconfigFile("SSL") }).status).toBe("pass");
    expect(judged("access.autoconfig", { autoconfig: autoconfigFile("plain") }).status).toBe("fail");
  });
  it("not applicable only when every place answered that there is none; a timeout is error", () => {
    const proven = {
      found: null,
      tried: [{ url: "https://autoconfig.example.org/", proven: true, message: "HTTP 404" }],
    };
    expect(judged("access.autoconfig", { autoconfig: proven }).status).toBe("not_applicable");
    const unknown = {
      found: null,
      tried: [
        { url: "https://autoconfig.example.org/", proven: true, message: "HTTP 404" },
        { url: "https://example.org/.well-known/autoconfig/", proven: false, message: "connect: timeout" },
      ],
    };
    const r = judged("access.autoconfig", { autoconfig: unknown });
    expect(r.status).toBe("error");
    expect(r.evidence[0]?.values).toEqual({ message: "connect: timeout" });
  });
});
