import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { guessKind, readReport } from "../../../src/indicators/tlsrpt/ingest.js";
import { parseReportMail } from "../../../src/indicators/tlsrpt/mail-report.js";
import type { ParseOutcome } from "../../../src/indicators/tlsrpt/outcome.js";
import { parseReportBytes, parseReportJson } from "../../../src/indicators/tlsrpt/parse-report.js";
import { tlsRptReportSchema } from "../../../src/indicators/tlsrpt/report-schema.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt");
const fixture = (name: string) => readFileSync(join(dir, name));
const read = (name: string) =>
  readReport(fixture(name), name.endsWith(".eml") ? "mail" : guessKind(fixture(name)));
const codes = (o: ParseOutcome) => o.warnings.map((w) => w.code);
const report = (o: ParseOutcome) => {
  if (o.kind !== "report") throw new Error(`rejected: ${o.reason} ${o.detail}`);
  expect(tlsRptReportSchema.safeParse(o.report).success).toBe(true);
  return o.report;
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const minimal = {
  "organization-name": "Org",
  "date-range": { "start-datetime": "2026-11-30T00:00:00Z", "end-datetime": "2026-11-30T23:59:59Z" },
  "contact-info": "a@org.example",
  "report-id": "r1",
  policies: [
    {
      policy: {
        "policy-type": "sts",
        "policy-string": ["version: STSv1"],
        "policy-domain": "d.example",
        "mx-host": ["mx.d.example"],
      },
      summary: { "total-successful-session-count": 3, "total-failure-session-count": 0 },
    },
  ],
};

describe("TLS-RPT corpus", () => {
  it("the RFC 8460 Appendix B example: mx-host as one string (errata 6241) read as a list", async () => {
    const o = await read("rfc8460-appendix-b.json");
    const r = report(o);
    expect(r.policies[0]?.policy["mx-host"]).toEqual(["*.mail.company-y.example"]);
    expect(r.policies[0]?.summary).toEqual({
      "total-successful-session-count": 5326,
      "total-failure-session-count": 303,
    });
    expect(r.policies[0]?.["failure-details"].map((d) => d["result-type"])).toEqual([
      "certificate-expired",
      "starttls-not-supported",
      "validation-failure",
    ]);
    expect(codes(o)).toContain("mx-host-not-list");
    expect(codes(o)).not.toContain("totals-disagree"); // 100 + 200 + 3 = 303
  });

  it("Google's report: plain, gzip and mail give the same normalised report, without warnings", async () => {
    const [plain, gz, mail] = await Promise.all([
      read("google-sts.json"),
      read("google-sts.json.gz"),
      read("google.eml"),
    ]);
    expect(report(gz)).toEqual(report(plain));
    expect(report(mail)).toEqual(report(plain));
    expect(codes(plain)).toEqual([]);
    expect(report(plain).policies[0]?.policy["mx-host"]).toEqual([]);
  });

  it("Microsoft: dates without a time zone read as UTC, warned; failure details without addresses", async () => {
    const o = await read("microsoft-no-zone.json");
    const r = report(o);
    expect(r["date-range"]).toEqual({
      "start-datetime": "2026-11-30T00:00:00Z",
      "end-datetime": "2026-11-30T23:59:59Z",
    });
    expect(codes(o).filter((c) => c === "date-without-zone")).toHaveLength(2);
    expect(r.policies[0]?.["failure-details"][0]).toMatchObject({
      "result-type": "sts-policy-fetch-error",
      "sending-mta-ip": null,
    });
  });

  it("a mail with an HTML alternative and the report as application/octet-stream named report.bin", async () => {
    const mail = await parseReportMail(fixture("microsoft-html.eml"));
    expect(mail.filename).toBe("report.bin");
    expect(report(mail.outcome)).toEqual(report(await read("microsoft-no-zone.json")));
  });

  it("Mail.ru: totals that disagree with the details are warned, the total is counted", async () => {
    const o = await read("mailru-totals-disagree.json");
    expect(report(o).policies[0]?.summary["total-failure-session-count"]).toBe(1);
    expect(codes(o)).toContain("totals-disagree");
    expect(codes(o)).toContain("field-missing"); // policy-string
  });

  it("every kind of variance in one hand-made report, each warned once where it is", async () => {
    const o = await read("variants.json");
    const r = report(o);
    expect(r["organization-name"]).toBe("Hand-made Reporter");
    expect(r["report-id"]).toBe("20261130001");
    expect(r["date-range"]).toEqual({
      "start-datetime": "2026-11-30T00:00:00Z",
      "end-datetime": "2026-11-30T23:59:59Z",
    });
    expect(r["contact-info"]).toBeNull();
    const p = r.policies[0];
    expect(p?.policy).toEqual({
      "policy-type": "sts",
      "policy-string": ["version: STSv1", "mode: testing", "mx: *.signataire-c.example", "max_age: 86400"],
      "policy-domain": "signataire-c.example",
      "mx-host": ["*.signataire-c.example"],
    });
    expect(p?.summary).toEqual({ "total-successful-session-count": 40, "total-failure-session-count": 2 });
    expect(p?.["failure-details"][0]?.["result-type"]).toBe("certificate-host-mismatch");
    expect(new Set(codes(o))).toEqual(
      new Set([
        "field-name-variant",
        "type-variant",
        "date-range-shape",
        "date-as-number",
        "field-null",
        "case-variant",
        "policy-string-not-list",
        "mx-host-not-list",
        "number-as-string",
        "unknown-field",
      ]),
    );
  });

  it("a tlsa and a no-policy-found policy, RFC spelling, no warning", async () => {
    const o = await read("postfix-dane-tlsa.json");
    expect(report(o).policies.map((p) => p.policy["policy-type"])).toEqual(["tlsa", "no-policy-found"]);
    expect(codes(o)).toEqual([]);
  });

  it("refuses what cannot be understood, with its reason", async () => {
    expect(await read("no-report-id.json")).toMatchObject({ kind: "rejected", reason: "missing_report_id" });
    expect(await read("truncated.json")).toMatchObject({ kind: "rejected", reason: "not_json" });
    expect(await read("malformed-gzip.eml")).toMatchObject({ kind: "rejected", reason: "bad_gzip" });
  });
});

// biome-ignore lint/suspicious/noExplicitAny: test documents are mutated at any depth
type Doc = any;

describe("TLS-RPT strict validation", () => {
  const mutate = (f: (r: Doc) => void) => {
    const copy = structuredClone(minimal) as Doc;
    f(copy);
    return parseReportJson(json(copy));
  };

  it("a report in the RFC's spelling has no warning", () => {
    expect(parseReportJson(json(minimal))).toMatchObject({ kind: "report", warnings: [] });
  });

  it.each([
    ["missing_organization", (r: Doc) => delete r["organization-name"]],
    ["missing_date_range", (r: Doc) => delete r["date-range"]],
    ["bad_date", (r: Doc) => (r["date-range"]["start-datetime"] = "yesterday")],
    ["bad_date", (r: Doc) => (r["date-range"]["start-datetime"] = "2026-02-30T00:00:00Z")],
    ["missing_policies", (r: Doc) => delete r.policies],
    ["unknown_policy_type", (r: Doc) => (r.policies[0].policy["policy-type"] = "dmarc")],
    ["bad_policy", (r: Doc) => delete r.policies[0].policy["policy-domain"]],
    ["bad_count", (r: Doc) => (r.policies[0].summary["total-successful-session-count"] = -1)],
    ["bad_count", (r: Doc) => (r.policies[0].summary["total-successful-session-count"] = 1.5)],
    ["bad_count", (r: Doc) => (r.policies[0].summary["total-successful-session-count"] = "many")],
  ])("refuses %s", (reason, f) => {
    expect(mutate(f)).toMatchObject({ kind: "rejected", reason });
  });

  it("an offset is converted to UTC without a warning (RFC 3339 allows it)", () => {
    const o = mutate((r) => (r["date-range"]["start-datetime"] = "2026-11-30T02:00:00+02:00"));
    expect(report(o)["date-range"]["start-datetime"]).toBe("2026-11-30T00:00:00Z");
    expect(o.warnings).toEqual([]);
  });

  it("an unknown result type is counted as validation-failure and warned", () => {
    const o = mutate((r) => {
      r.policies[0].summary["total-failure-session-count"] = 1;
      r.policies[0]["failure-details"] = [
        {
          "result-type": "tls-exploded",
          "sending-mta-ip": "192.0.2.1",
          "receiving-ip": "192.0.2.2",
          "failed-session-count": 1,
        },
      ];
    });
    expect(report(o).policies[0]?.["failure-details"][0]?.["result-type"]).toBe("validation-failure");
    expect(codes(o)).toEqual(["unknown-result-type"]);
  });

  it("control characters in text (an ESC sequence, CR/LF) are replaced and warned where they are", () => {
    const o = mutate((r) => {
      r["organization-name"] = "Evil\u001b[2J\u001b[31mCorp\r\nFAKE";
      r["contact-info"] = "a@b.example\u0085";
    });
    expect(report(o)["organization-name"]).toBe("Evil\uFFFD[2J\uFFFD[31mCorp\uFFFD\uFFFDFAKE");
    expect(report(o)["contact-info"]).toBe("a@b.example\uFFFD");
    expect(o.warnings.map((w) => [w.code, w.path])).toEqual([
      ["control-characters", "organization-name"],
      ["control-characters", "contact-info"],
    ]);
    expect(mutate((r) => (r["organization-name"] = "Ministère Écologie — DSI")).warnings).toEqual([]);
  });

  it("a UTF-8 byte order mark is warned; other encodings are refused", () => {
    const o = parseReportJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(minimal)]));
    expect(codes(o)).toEqual(["byte-order-mark"]);
    expect(parseReportJson(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      kind: "rejected",
      reason: "not_utf8",
    });
  });
});

describe("TLS-RPT gzip caps", () => {
  const limits = {
    maxReportBytes: 64 * 1024,
    maxCompressedBytes: 16 * 1024,
    maxInflateRatio: 20,
    inflateRatioFloorBytes: 8 * 1024,
  };

  it("a gzip bomb is refused by its declared size, before inflating", async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(16 * 1024);
    expect(await parseReportBytes(bomb, limits)).toMatchObject({
      kind: "rejected",
      reason: "inflated_too_large",
    });
  });

  it("a bomb whose trailer lies is cut by the streaming limit (ratio)", async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    bomb.writeUInt32LE(100, bomb.length - 4); // ISIZE says 100 bytes
    const roomy = { ...limits, maxReportBytes: 1024 * 1024 };
    expect(await parseReportBytes(bomb, roomy)).toMatchObject({ kind: "rejected", reason: "ratio_exceeded" });
  });

  it("a compressed body over its cap is refused unread; a normal gzip passes", async () => {
    const big = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(17 * 1024)]);
    expect(await parseReportBytes(big, limits)).toMatchObject({ kind: "rejected", reason: "too_large" });
    expect(await parseReportBytes(gzipSync(json(minimal)), limits)).toMatchObject({ kind: "report" });
  });
});
