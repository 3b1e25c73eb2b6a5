/**
 * Who sent a TLS-RPT report (src/indicators/tlsrpt/reporter.ts), with the corpus of test/fixtures/tlsrpt:
 * a report is mapped to the sending signatory by its mail's DKIM domain (verified by us:
 * dkim-evidence.test.ts; here, without a resolver, as the last hop recorded it), its From domain, its
 * contact-info domain, then its organization-name; a report none of these names stays external with
 * its label. Through the store too: the link rows of ingested reports.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tlsRptRows } from "../../../src/indicators/links/link-figures.js";
import type { PartyDirectory } from "../../../src/indicators/links/parties.js";
import { ingestReport } from "../../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../../src/indicators/tlsrpt/report-store.js";
import {
  authenticationResultsDomains,
  contactDomain,
  dkimPassDomains,
  fromDomain,
  headerFields,
  reporterOf,
  signatoryOfDomain,
} from "../../../src/indicators/tlsrpt/reporter.js";
import { openStore, type Store } from "../../../src/store/database.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tlsrpt/${name}`, import.meta.url));

// 1 reads its reports from google.com; 2 is named like the RFC's example sender; 3 is a bystander.
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

describe("the evidence, piece by piece", () => {
  it("contact-info: an address, mailto:, a URL, nothing usable", () => {
    expect(contactDomain("smtp-tls-reporting@google.com")).toBe("google.com");
    expect(contactDomain("mailto:TLS@Corp.Mail.Example?subject=x")).toBe("corp.mail.example");
    expect(contactDomain("https://tls.reports.example/contact")).toBe("tls.reports.example");
    expect(contactDomain("Reports <tlsrpt@x-corp.example>")).toBe("x-corp.example");
    expect(contactDomain("call us")).toBeNull();
    expect(contactDomain("a@localhost")).toBeNull();
    expect(contactDomain(null)).toBeNull();
  });

  it("a registered domain or a parent of it names its signatory; a top-level domain never", () => {
    expect(signatoryOfDomain("smtp-tls-reporting.google.com", directory)).toBe(1);
    expect(signatoryOfDomain("GOOGLE.COM", directory)).toBe(1);
    expect(signatoryOfDomain("notgoogle.com", directory)).toBeNull();
    expect(signatoryOfDomain("com", directory)).toBeNull();
  });

  it("Authentication-Results: the dkim=pass domains, not the failed ones, comments ignored", () => {
    expect(
      dkimPassDomains(
        "mx.agency.example; dkim=pass (2048-bit key) header.d=google.com header.s=20230601 header.b=abc; dkim=fail header.d=evil.example; spf=pass smtp.mailfrom=google.com",
      ),
    ).toEqual(["google.com"]);
    expect(dkimPassDomains("mx.agency.example; dkim=pass header.i=@x-corp.example")).toEqual([
      "x-corp.example",
    ]);
    expect(dkimPassDomains("mx.agency.example; dkim=neutral header.d=google.com")).toEqual([]);
    expect(dkimPassDomains("mx.agency.example; none")).toEqual([]);
  });

  it("only the Authentication-Results above the topmost Received count (the last hop's); From after them", () => {
    const mail = Buffer.from(
      [
        "Authentication-Results: mx.agency.example;",
        "\tdkim=pass header.d=x-corp.example",
        "Received: from mail.x-corp.example by mx.agency.example",
        "Authentication-Results: forged.example; dkim=pass header.d=google.com",
        "From: Reports <tlsrpt@relay.example>",
        "Subject: Report",
        "",
        "Authentication-Results: body.example; dkim=pass header.d=signataire-d.example",
      ].join("\r\n"),
    );
    expect(authenticationResultsDomains(headerFields(mail))).toEqual(["x-corp.example"]);
    expect(fromDomain(headerFields(mail))).toBe("relay.example");
  });
});

describe("the sender of a report, evidence in order", () => {
  const report = { organization: "Google Inc.", contactInfo: "smtp-tls-reporting@google.com" };
  it("contact-info when the name is no signatory's (Google Inc. → the google.com signatory)", () => {
    expect(reporterOf(report, directory)).toEqual({ organisationId: 1, by: "contact-info" });
  });
  it("the mail's DKIM domain first, even against the contact-info", () => {
    expect(
      reporterOf({ ...report, mailDomains: [{ domain: "mail.x-corp.example", how: "dkim" }] }, directory),
    ).toEqual({ organisationId: 2, by: "dkim" });
  });
  it("the From domain when no DKIM domain names a signatory", () => {
    expect(
      reporterOf(
        {
          ...report,
          mailDomains: [
            { domain: "esp.example", how: "dkim" },
            { domain: "signataire-d.example", how: "from" },
          ],
        },
        directory,
      ),
    ).toEqual({ organisationId: 3, by: "from" });
  });
  it("the organization-name last, ignoring case; otherwise external, never guessed", () => {
    expect(
      reporterOf({ organization: "Company-X", contactInfo: "sts-reporting@company-x.example" }, directory),
    ).toEqual({
      organisationId: 2,
      by: "organization-name",
    });
    expect(
      reporterOf(
        { organization: "Microsoft Corporation", contactInfo: "tlsrpt-noreply@microsoft.com" },
        directory,
      ),
    ).toBeNull();
    // A name that merely contains a signatory's is not it.
    expect(
      reporterOf({ organization: "Messagerie G International", contactInfo: null }, directory),
    ).toBeNull();
  });
});

describe("ingested reports of the corpus, as link rows", () => {
  let store: Store;
  let reports: TlsRptStore;
  beforeEach(async () => {
    store = await openStore(":memory:");
    reports = await TlsRptStore.open(store);
  });
  afterEach(() => store.close());

  const ingest = async (
    name: string,
    kind: "mail" | "json" | "gzip",
    door: "imap" | "file",
    bytes = fixture(name),
  ) => {
    const result = await ingestReport(reports, {
      bytes,
      kind,
      door,
      source: name,
      now: () => new Date("2026-12-02T00:00:00Z"),
    });
    expect(result.status, JSON.stringify(result.error)).toBe("accepted");
    return result;
  };
  const senders = async () =>
    tlsRptRows(await reports.dailyPolicyFigures("2000-01-01", "2100-01-01"), directory)
      .map((r) => `${r.sender.key} ${r.sender.label}`)
      .sort();

  it("Google's mail (From google.com), Microsoft's report (external), the RFC's Company-X (by name)", async () => {
    await ingest("google.eml", "mail", "imap");
    await ingest("microsoft-no-zone.json", "json", "file");
    await ingest("rfc8460-appendix-b.json", "json", "file");
    expect(await senders()).toEqual([
      "d:Microsoft Corporation Microsoft Corporation",
      "o:1 Messagerie G",
      "o:2 company-x",
    ]);
  });

  it("a mail whose last hop says it verified DKIM for another signatory's domain, not verifiable here, is that signatory's", async () => {
    const mail = Buffer.concat([
      Buffer.from("Authentication-Results: mx.agency.example; dkim=pass header.d=signataire-d.example\r\n"),
      fixture("google.eml"),
    ]);
    // No resolver at this door: the last hop's word is taken, and the report says so.
    const result = await ingest("google.eml", "mail", "imap", mail);
    expect(result.warnings.map((w) => w.code)).toEqual(["dkim-unverified"]);
    expect(await senders()).toEqual(["o:3 Signataire D"]);
  });

  it("the same report as a file is mapped by its contact-info (google.com)", async () => {
    await ingest("google-sts.json", "json", "file");
    expect(await senders()).toEqual(["o:1 Messagerie G"]);
  });
});
