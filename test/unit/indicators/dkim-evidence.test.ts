/**
 * Report mails through the ingestion pipeline with DKIM verified by us (ingest.ts → dkim-verify.ts →
 * mail-evidence.ts): a passing signature names the sending signatory; a forged Authentication-Results
 * names nobody; a failed signature stores the report with a warning and without DKIM (nor, when the
 * From domain's own signature failed, From) as evidence; DNS that does not answer falls back to the
 * last hop's Authentication-Results, only for a domain that signed, with a warning.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PartyDirectory } from "../../../src/indicators/links/parties.js";
import { ingestReport } from "../../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../../src/indicators/tlsrpt/report-store.js";
import { reporterOf } from "../../../src/indicators/tlsrpt/reporter.js";
import { fakeResolver, type Resolver } from "../../../src/net/resolver.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { ed25519Key, nodemailerSign, rsaKey, testSign } from "../../support/dkim-sign.js";

const report = readFileSync(new URL("../../fixtures/tlsrpt/google.eml", import.meta.url));
const directory: PartyDirectory = {
  domains: new Map([
    ["google.com", 1],
    ["x-corp.example", 2],
    ["signataire-d.example", 3],
  ]),
  mxPatterns: [],
  names: new Map([
    [1, "Messagerie G"],
    [2, "company-x"],
    [3, "Signataire D"],
  ]),
};
const rsa = rsaKey();
const ed = ed25519Key();
const zone = fakeResolver({
  TXT: {
    "mc1._domainkey.signataire-d.example": [rsa.record],
    "mc1._domainkey.google.com": [rsa.record],
    "ed._domainkey.google.com": [ed.record],
  },
});
const dnsDown = fakeResolver({
  fail: {
    "mc1._domainkey.signataire-d.example": "timeout",
    "mc1._domainkey.google.com": "refused",
  },
});
const lastHop = (text: string, mail: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `Authentication-Results: mx.agency.example; ${text}\r\nReceived: from mail.sender.example by mx.agency.example\r\n`,
    ),
    mail,
  ]);

describe("report mails, DKIM verified at ingestion", () => {
  let store: Store;
  let reports: TlsRptStore;
  beforeEach(async () => {
    store = await openStore(":memory:");
    reports = await TlsRptStore.open(store);
  });
  afterEach(() => store.close());

  const ingest = async (bytes: Buffer, resolver: Resolver | null = zone) => {
    const result = await ingestReport(reports, {
      bytes,
      kind: "mail",
      door: "imap",
      source: "test",
      now: () => new Date("2026-12-02T00:00:00Z"),
      ...(resolver ? { resolver } : {}),
    });
    expect(result.status, JSON.stringify(result.error)).toBe("accepted");
    const [figure] = await reports.dailyPolicyFigures("2000-01-01", "2100-01-01");
    if (!figure) throw new Error("no figure");
    return {
      warnings: result.warnings.filter((w) => w.code.startsWith("dkim-")),
      figure,
      reporter: reporterOf(figure, directory),
    };
  };

  it("a passing signature of another signatory's domain names it, before the From domain", async () => {
    const signed = await nodemailerSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
    });
    const { warnings, figure, reporter } = await ingest(signed);
    expect(warnings).toEqual([]);
    expect(figure.mailDomains).toEqual([
      { domain: "signataire-d.example", how: "dkim" },
      { domain: "google.com", how: "from" },
    ]);
    expect(reporter).toEqual({ organisationId: 3, by: "dkim" });
  });

  it("a forged Authentication-Results on an unsigned mail names nobody: dkim-none, From only", async () => {
    const forged = lastHop("dkim=pass header.d=signataire-d.example", report);
    const { warnings, figure, reporter } = await ingest(forged);
    expect(warnings.map((w) => w.code)).toEqual(["dkim-none"]);
    expect(figure.mailDomains).toEqual([{ domain: "google.com", how: "from" }]);
    expect(reporter).toEqual({ organisationId: 1, by: "from" });
  });

  it("a forged Authentication-Results beside a signature that fails is not believed either", async () => {
    const signed = await nodemailerSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
    });
    const altered = Buffer.from(
      signed.toString("latin1").replace("aggregate TLS report", "aggregate TLS-RPT report"),
      "latin1",
    );
    const { warnings, figure } = await ingest(lastHop("dkim=pass header.d=signataire-d.example", altered));
    expect(warnings.map((w) => w.code)).toEqual(["dkim-fail"]);
    expect(warnings[0]?.detail).toMatch(/d=signataire-d.example s=mc1: fail \(body-hash-mismatch\)/);
    expect(figure.mailDomains).toEqual([{ domain: "google.com", how: "from" }]);
  });

  it("the From domain's own signature failing: stored, warned, neither DKIM nor From evidence", async () => {
    const signed = testSign(report, { domain: "google.com", selector: "ed", key: ed });
    const altered = Buffer.from(
      signed.toString("latin1").replace("Submitter: google.com Report-ID", "Submitter: google.org Report-ID"),
      "latin1",
    );
    const { warnings, figure, reporter } = await ingest(altered);
    expect(warnings.map((w) => w.code)).toEqual(["dkim-fail"]);
    expect(warnings[0]?.detail).toMatch(
      /signature-mismatch.*the From domain google.com is not taken as evidence/,
    );
    expect(figure.mailDomains).toEqual([]);
    // The report's own contact-info still says google.com: weaker evidence, and named as such.
    expect(reporter).toEqual({ organisationId: 1, by: "contact-info" });
  });

  it("DNS not answering: the last hop's dkim=pass for the signing domain stands in, warned dkim-unverified", async () => {
    const signed = await nodemailerSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
    });
    const { warnings, figure, reporter } = await ingest(
      lastHop("dkim=pass header.d=signataire-d.example", signed),
      dnsDown,
    );
    expect(warnings.map((w) => w.code)).toEqual(["dkim-unverified"]);
    expect(warnings[0]?.detail).toMatch(
      /temperror \(dns-error\).*Authentication-Results \(dkim=pass signataire-d.example\) used instead/,
    );
    expect(figure.mailDomains).toEqual([
      { domain: "signataire-d.example", how: "authentication-results" },
      { domain: "google.com", how: "from" },
    ]);
    expect(reporter).toEqual({ organisationId: 3, by: "authentication-results" });
  });

  it("DNS not answering: a dkim=pass for a domain that did not sign the mail is not taken", async () => {
    const signed = await nodemailerSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
    });
    const { warnings, figure } = await ingest(lastHop("dkim=pass header.d=x-corp.example", signed), dnsDown);
    expect(warnings.map((w) => w.code)).toEqual(["dkim-unverified"]);
    expect(figure.mailDomains).toEqual([{ domain: "google.com", how: "from" }]);
  });

  it("a signature whose l= leaves an added part unsigned is no evidence (dkim-weak)", async () => {
    const limited = testSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
      bodyLength: "whole",
    });
    const added = Buffer.concat([limited, Buffer.from("\r\nan epilogue added in transit\r\n")]);
    const { warnings, figure } = await ingest(added);
    expect(warnings.map((w) => w.code)).toEqual(["dkim-weak"]);
    expect(warnings[0]?.detail).toMatch(/body-length-limit, unsigned-body — not taken/);
    expect(figure.mailDomains).toEqual([{ domain: "google.com", how: "from" }]);
  });

  it("an expired signature is stored and warned; a signature still valid beside it is enough", async () => {
    const seconds = Date.parse("2026-12-02T00:00:00Z") / 1000;
    const expired = testSign(report, {
      domain: "signataire-d.example",
      selector: "mc1",
      key: rsa,
      expiration: seconds - 86400,
    });
    const one = await ingest(expired);
    expect(one.warnings.map((w) => w.code)).toEqual(["dkim-fail"]);
    expect(one.warnings[0]?.detail).toMatch(/signature-expired/);
    await store.close();
    store = await openStore(":memory:");
    reports = await TlsRptStore.open(store);
    const both = testSign(expired, { domain: "google.com", selector: "ed", key: ed });
    const two = await ingest(both);
    expect(two.warnings).toEqual([]);
    expect(two.figure.mailDomains).toEqual([{ domain: "google.com", how: "dkim" }]);
  });
});
