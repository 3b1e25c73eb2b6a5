/**
 * The DNS policy records beyond the 2015 text on their failing side: SPF (RFC 7208), DMARC
 * (RFC 7489), TLS-RPT (RFC 8460) — none, several, permissive, malformed, and a lookup that failed
 * (error, never fail nor not_applicable) — with the name, status, summary and values reported.
 */
import { describe, expect, it } from "vitest";
import type { TxtAnswer } from "../../../../src/audit/measures/audit-facts.js";
import { judged } from "../../measures/facts.js";

const txt = (...value: string[]): TxtAnswer => ({ ok: true, value });
const failed: TxtAnswer = { ok: false, reason: "timeout", message: "timed out after 5000 ms" };
const nxdomain: TxtAnswer = { ok: false, reason: "not_found", message: "NXDOMAIN" };

const spf = (answer: TxtAnswer) => judged("mail.spf", { domain: "example.org", dns: { spf: answer } });
const dmarc = (answer: TxtAnswer) => judged("mail.dmarc", { domain: "example.org", dns: { dmarc: answer } });
const tlsRpt = (answer: TxtAnswer) =>
  judged("mx.tls-rpt", { domain: "example.org", dns: { tlsRpt: answer } });

describe("mail.spf (RFC 7208)", () => {
  it("-all passes; ~all and ?all warn; the record and its strictness are the evidence", () => {
    const strict = spf(txt("google-site-verification=x", "v=spf1 mx a:out.example.org -all"));
    expect(strict).toMatchObject({ status: "pass", charter: false, ref: "ANSSI PA-066 R44" });
    expect(strict.summary).toEqual({ fr: "SPF : publié, -all", en: "SPF: published, -all" });
    expect(strict.evidence).toEqual([
      expect.objectContaining({
        endpoint: "example.org",
        code: "spf.record",
        values: { record: "v=spf1 mx a:out.example.org -all", strict: true },
      }),
    ]);
    for (const soft of ["v=spf1 mx ~all", "v=spf1 mx ?all", "v=spf1 mx"]) {
      const m = spf(txt(soft));
      expect(m.status, soft).toBe("warn");
      expect(m.summary.en).toBe("SPF: published without -all");
      expect(m.evidence[0]?.values).toEqual({ record: soft, strict: false });
    }
    expect(spf(txt("V=SPF1 MX -ALL")).status).toBe("pass");
  });
  it("+all or a bare all allows any sender: fail", () => {
    for (const open of ["v=spf1 +all", "v=spf1 mx all", "v=spf1 mx +ALL"]) {
      const m = spf(txt(open));
      expect(m.status, open).toBe("fail");
      expect(m.summary.en).toBe("SPF: allows any sender");
      expect(m.evidence[0]).toMatchObject({ code: "spf.allows-all", values: { record: open } });
    }
    // "-all" after a mechanism named like all is no "all" term
    expect(spf(txt("v=spf1 include:all.example -all")).status).toBe("pass");
  });
  it("no record or several records fail (RFC 7208 §4.5)", () => {
    const none = spf(txt("v=spf10 -all", "something else", "xv=spf1 -all"));
    expect(none.status).toBe("fail");
    expect(none.summary).toEqual({ fr: "SPF : aucun enregistrement", en: "SPF: no record" });
    expect(none.evidence[0]?.code).toBe("spf.none");
    expect(spf(nxdomain).evidence[0]?.code).toBe("spf.none");
    const two = spf(txt("v=spf1 -all", "v=spf1 mx -all"));
    expect(two.status).toBe("fail");
    expect(two.summary.en).toBe("SPF: several records");
    expect(two.evidence[0]).toMatchObject({
      code: "spf.several",
      values: { records: ["v=spf1 -all", "v=spf1 mx -all"] },
    });
    expect(spf(txt("v=spf1")).status).toBe("warn");
  });
  it("a lookup that failed is undetermined, with the reason", () => {
    const m = spf(failed);
    expect(m.status).toBe("error");
    expect(m.evidence).toEqual([
      expect.objectContaining({
        endpoint: "example.org",
        code: "dns.failed",
        values: { reason: "timeout", message: "timed out after 5000 ms" },
      }),
    ]);
  });
});

describe("mail.dmarc (RFC 7489 §6.1)", () => {
  it("p=reject passes, quarantine warns, none or no p fails; the policy is named", () => {
    const cases: [string, string, string, string][] = [
      ["v=DMARC1; p=reject; rua=mailto:d@example.org", "pass", "reject", "DMARC: policy reject"],
      ["v=DMARC1;p=QUARANTINE", "warn", "quarantine", "DMARC: policy quarantine"],
      ["v=DMARC1; p=none", "fail", "none", "DMARC: policy none"],
      ["v=DMARC1; sp=reject", "fail", "", "DMARC: policy missing"],
      ["v=DMARC1; rua=mailto:x@example.org; p = reject", "pass", "reject", "DMARC: policy reject"],
    ];
    for (const [record, status, policy, summary] of cases) {
      const m = dmarc(txt(record));
      expect(m.status, record).toBe(status);
      expect(m.summary.en, record).toBe(summary);
      expect(m.evidence[0], record).toMatchObject({
        endpoint: "_dmarc.example.org",
        code: "dmarc.record",
        values: { record, policy },
      });
    }
    expect(dmarc(txt("v=DMARC1; p=none")).summary.fr).toBe("DMARC : politique none");
    expect(dmarc(txt("v=DMARC1; sp=reject")).summary.fr).toBe("DMARC : politique absente");
  });
  it("missing or multiple: fail, the records listed", () => {
    const none = dmarc(txt("v=spf1 -all", "v=DMARC1 p=reject"));
    expect(none.status).toBe("fail");
    expect(none.summary.en).toBe("DMARC: missing or multiple");
    expect(none.evidence[0]).toMatchObject({ code: "dmarc.missing", values: { records: [] } });
    const two = dmarc(txt("v=DMARC1; p=reject", "v=DMARC1; p=none"));
    expect(two.evidence[0]?.values).toEqual({ records: ["v=DMARC1; p=reject", "v=DMARC1; p=none"] });
    expect(dmarc(nxdomain).status).toBe("fail");
  });
  it("a lookup that failed is undetermined", () => {
    const m = dmarc(failed);
    expect(m.status).toBe("error");
    expect(m.evidence[0]).toMatchObject({ endpoint: "_dmarc.example.org", code: "dns.failed" });
  });
});

describe("mx.tls-rpt (RFC 8460 §3)", () => {
  it("one record with a mailto: or https: rua passes", () => {
    for (const record of [
      "v=TLSRPTv1; rua=mailto:tls@example.org",
      "v=TLSRPTv1;rua=https://r.example.org/",
    ]) {
      const m = tlsRpt(txt(record));
      expect(m.status, record).toBe("pass");
      expect(m.summary.en).toBe("TLS-RPT: published");
      expect(m.evidence[0]).toMatchObject({
        endpoint: "_smtp._tls.example.org",
        code: "tlsrpt.record",
        values: { record },
      });
    }
  });
  it("no rua, another scheme, two records or none: fail", () => {
    for (const answer of [
      txt("v=TLSRPTv1;"),
      txt("v=TLSRPTv1; rua=ftp://r.example.org/"),
      txt("v=TLSRPTv1; ruf=mailto:x@example.org"),
      txt("v=TLSRPTv1; rua=mailto:a@example.org", "v=TLSRPTv1; rua=mailto:b@example.org"),
      txt("v=TLSRPTv2; rua=mailto:a@example.org"),
      nxdomain,
    ]) {
      const m = tlsRpt(answer);
      expect(m.status, JSON.stringify(answer)).toBe("fail");
      expect(m.summary.en).toBe("TLS-RPT: missing or invalid");
      expect(m.evidence[0]?.code).toBe("tlsrpt.invalid");
    }
    expect(tlsRpt(txt("v=TLSRPTv1; rua=ftp://x", "other")).evidence[0]?.values).toEqual({
      records: ["v=TLSRPTv1; rua=ftp://x"],
    });
  });
  it("a lookup that failed is undetermined", () => {
    expect(tlsRpt(failed)).toMatchObject({ status: "error", evidence: [{ code: "dns.failed" }] });
  });
});

describe("record details", () => {
  it("SPF: only the exact all terms count; French summaries", () => {
    expect(spf(txt("v=spf1 mx allsorts -all")).status).toBe("pass");
    expect(spf(txt("v=spf1 mx x-all")).status).toBe("warn");
    expect(spf(txt("v=spf1 mx -allx")).status).toBe("warn");
    expect(spf(txt("v=spf1 +all")).summary.fr).toBe("SPF : autorise tout expéditeur");
    expect(spf(txt("v=spf1 ~all")).summary.fr).toBe("SPF : publié, sans -all");
    expect(spf(txt("v=spf1 -all", "v=spf1 ~all")).summary.fr).toBe("SPF : plusieurs enregistrements");
  });
  it("NODATA proves there is no record (fail), unlike a failed lookup", () => {
    const nodata: TxtAnswer = { ok: false, reason: "no_data", message: "NODATA" };
    expect(spf(nodata)).toMatchObject({ status: "fail", evidence: [{ code: "spf.none" }] });
    expect(tlsRpt(nodata)).toMatchObject({ status: "fail", evidence: [{ code: "tlsrpt.invalid" }] });
  });
  it("TLS-RPT: the version starts the record; blanks are allowed around ';' and '='", () => {
    expect(tlsRpt(txt("x v=TLSRPTv1; rua=mailto:a@example.org")).status).toBe("fail");
    expect(tlsRpt(txt("v=TLSRPTv1 ; rua=mailto:a@example.org")).status).toBe("pass");
    expect(tlsRpt(txt("v=TLSRPTv1; rua = mailto:a@example.org")).status).toBe("pass");
    expect(tlsRpt(txt("v=TLSRPTv1;rua= https://r.example.org/")).status).toBe("pass");
    expect(tlsRpt(txt("v=TLSRPTv1x; rua=mailto:a@example.org")).status).toBe("fail");
    expect(tlsRpt(txt("v=TLSRPTv1; rua=mailto:a@example.org")).summary.fr).toBe("TLS-RPT : publié");
    expect(tlsRpt(txt()).summary.fr).toBe("TLS-RPT : absent ou invalide");
  });
});

describe("mx.outbound-tls", () => {
  it("is listed as not measured (error), never a silent pass", () => {
    const m = judged("mx.outbound-tls", { domain: "example.org" });
    expect(m).toMatchObject({ status: "error", charter: false, ref: "§2.2" });
    expect(m.summary.en).toBe("Outbound TLS: not measured (no outbound-test store, --db)");
    expect(m.evidence).toEqual([
      expect.objectContaining({ endpoint: "example.org", code: "outbound.no-store" }),
    ]);
  });
});
