import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { reportFileName } from "../../../src/indicators/tlsrpt/file-name.js";
import {
  generateReports,
  type OutboundSession,
  reportJson,
} from "../../../src/indicators/tlsrpt/generate.js";
import { parseReportJson } from "../../../src/indicators/tlsrpt/parse-report.js";
import { discoverRua, parseTlsRptRecord } from "../../../src/indicators/tlsrpt/rua.js";
import type { SentReport } from "../../../src/indicators/tlsrpt/sent-report-schema.js";
import { fakeResolver } from "../../../src/net/resolver.js";

const sts = {
  type: "sts" as const,
  strings: ["version: STSv1", "mode: enforce", "mx: mx.b.example", "max_age: 86400"],
  mxHosts: ["mx.b.example"],
};
const none = { type: "no-policy-found" as const, strings: [], mxHosts: [] };
const tlsa = { type: "tlsa" as const, strings: ["3 1 1 aabbcc"], mxHosts: [] };
const session = (over: Partial<OutboundSession>): OutboundSession => ({
  time: "2026-11-30T10:00:00Z",
  policyDomain: "b.example",
  policy: sts,
  failure: null,
  mxHost: "mx.b.example",
  receivingIp: "192.0.2.25",
  ...over,
});

describe("tlsrpt generate (RFC 8460 §4)", () => {
  const sessions: OutboundSession[] = [
    ...Array.from({ length: 5 }, () => session({})),
    session({ failure: "certificate-expired", failureReason: "certificate has expired" }),
    session({ failure: "certificate-expired", failureReason: "certificate has expired" }),
    session({ failure: "starttls-not-supported", mxHost: "mx2.b.example", receivingIp: "192.0.2.26" }),
    session({ policyDomain: "C.example.", policy: none, mxHost: "mx.c.example" }),
    session({ policyDomain: "d.example", policy: tlsa, failure: "tlsa-invalid" }),
    session({ policyDomain: "d.example", policy: tlsa }),
    // Another day: not in this report.
    session({ time: "2026-12-01T00:00:01Z" }),
  ];
  const reports = generateReports({
    organization: "Alpha Mail",
    contactInfo: "tlsrpt@alpha.example",
    day: "2026-11-30",
    sessions,
  });

  it("one report per policy domain of the day, with the policy the MTA applied and the counts", () => {
    expect(reports.map((r) => r.policies[0]?.policy["policy-domain"])).toEqual([
      "b.example",
      "c.example",
      "d.example",
    ]);
    const b = reports[0];
    expect(b?.["date-range"]).toEqual({
      "start-datetime": "2026-11-30T00:00:00Z",
      "end-datetime": "2026-11-30T23:59:59Z",
    });
    expect(b?.policies[0]?.policy).toEqual({
      "policy-type": "sts",
      "policy-string": sts.strings,
      "policy-domain": "b.example",
      "mx-host": ["mx.b.example"],
    });
    expect(b?.policies[0]?.summary).toEqual({
      "total-successful-session-count": 5,
      "total-failure-session-count": 3,
    });
    expect(
      b?.policies[0]?.["failure-details"].map((d) => [
        d["result-type"],
        d["receiving-mx-hostname"],
        d["failed-session-count"],
      ]),
    ).toEqual([
      ["certificate-expired", "mx.b.example", 2],
      ["starttls-not-supported", "mx2.b.example", 1],
    ]);
    expect(reports[1]?.policies[0]?.policy["policy-type"]).toBe("no-policy-found");
    expect(reports[2]?.policies[0]?.summary).toEqual({
      "total-successful-session-count": 1,
      "total-failure-session-count": 1,
    });
  });

  it("a report-id stable for the day and domain; a policy change within the day makes two policy entries", () => {
    const again = generateReports({
      organization: "Alpha Mail",
      contactInfo: "tlsrpt@alpha.example",
      day: "2026-11-30",
      sessions,
    });
    expect(again.map((r) => r["report-id"])).toEqual(reports.map((r) => r["report-id"]));
    expect(new Set(reports.map((r) => r["report-id"])).size).toBe(3);
    const changed = generateReports({
      organization: "Alpha Mail",
      contactInfo: "tlsrpt@alpha.example",
      day: "2026-11-30",
      sessions: [session({}), session({ policy: { ...sts, strings: ["version: STSv1", "mode: testing"] } })],
    });
    expect(changed[0]?.policies).toHaveLength(2);
  });

  it("what is sent reads back through our own parser as the same report", () => {
    for (const report of reports) {
      const back = parseReportJson(Buffer.from(reportJson(report)));
      expect(back.kind).toBe("report");
      if (back.kind === "report") expect(back.report).toEqual(report);
      // Only the addresses we do not know (our own sending IP) are absent.
      expect(new Set(back.warnings.map((w) => w.code))).toEqual(
        new Set(report.policies.some((p) => p["failure-details"].length) ? ["field-missing"] : []),
      );
    }
  });

  // The committed JSON Schema itself (not the zod schema it is generated from) judges what is sent.
  const sentSchema = z.fromJSONSchema(
    JSON.parse(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "schema", "tlsrpt-sent-report.schema.json"),
        "utf8",
      ),
    ),
  );
  const sent = reports.map((r) => JSON.parse(reportJson(r)) as SentReport);
  const policyOf = (doc: SentReport | undefined) => doc?.policies[0]?.policy;

  it("what is sent has only the fields of its policy type (RFC 8460 §4.4), and validates against schema/", () => {
    expect(policyOf(sent[0])).toEqual({
      "policy-type": "sts",
      "policy-string": sts.strings,
      "policy-domain": "b.example",
      "mx-host": ["mx.b.example"],
    });
    // no-policy-found: no policy, so no lines and no MX patterns — not `"mx-host": []`.
    expect(policyOf(sent[1])).toEqual({
      "policy-type": "no-policy-found",
      "policy-domain": "c.example",
    });
    // tlsa: the records; mx-host belongs to sts alone.
    expect(policyOf(sent[2])).toEqual({
      "policy-type": "tlsa",
      "policy-string": ["3 1 1 aabbcc"],
      "policy-domain": "d.example",
    });
    for (const doc of sent) {
      expect(sentSchema.safeParse(doc).error).toBeUndefined();
      expect(JSON.stringify(doc)).not.toContain("null");
      expect(Object.keys(doc)).toEqual([
        "organization-name",
        "date-range",
        "contact-info",
        "report-id",
        "policies",
      ]);
    }
    // A failure detail: the RFC's key order, what the log does not give (our sending IP, the MX's
    // EHLO name) left out rather than sent null.
    const detail = sent[0]?.policies[0]?.["failure-details"][0];
    expect(Object.keys(detail ?? {})).toEqual([
      "result-type",
      "receiving-mx-hostname",
      "receiving-ip",
      "failed-session-count",
      "failure-reason-code",
    ]);
  });

  it("the schema of the sent report refuses the shapes we used to send", () => {
    const withPolicy = (policy: Record<string, unknown>) => ({
      ...sent[1],
      policies: [{ ...sent[1]?.policies[0], policy }],
    });
    const refused = [
      { "policy-type": "no-policy-found", "policy-domain": "c.example", "mx-host": [] },
      { "policy-type": "no-policy-found", "policy-domain": "c.example", "policy-string": [] },
      { "policy-type": "tlsa", "policy-domain": "d.example", "policy-string": ["3 1 1 aa"], "mx-host": [] },
      { "policy-type": "sts", "policy-domain": "b.example", "policy-string": [] },
      { "policy-type": "dane", "policy-domain": "b.example" },
    ];
    for (const policy of refused)
      expect(sentSchema.safeParse(withPolicy(policy)).success, JSON.stringify(policy)).toBe(false);
    expect(sentSchema.safeParse({ ...sent[1], "contact-info": null }).success).toBe(false);
    expect(
      sentSchema.safeParse(withPolicy({ "policy-type": "no-policy-found", "policy-domain": "c.example" }))
        .success,
    ).toBe(true);
  });

  it("a session with stray lines or MX patterns under no-policy-found or tlsa does not carry them into the report", () => {
    const [r] = generateReports({
      organization: "Alpha Mail",
      contactInfo: "tlsrpt@alpha.example",
      day: "2026-11-30",
      sessions: [
        session({
          policyDomain: "e.example",
          policy: { type: "no-policy-found", strings: ["x"], mxHosts: ["mx.e.example"] },
        }),
        session({
          policyDomain: "e.example",
          policy: { type: "tlsa", strings: ["3 1 1 ee"], mxHosts: ["mx.e.example"] },
        }),
      ],
    });
    expect(r?.policies.map((p) => [p.policy["policy-string"], p.policy["mx-host"]])).toEqual([
      [[], []],
      [["3 1 1 ee"], []],
    ]);
    expect(sentSchema.safeParse(JSON.parse(reportJson(r as never))).success).toBe(true);
  });

  it("RFC 8460 §5.3 file names", () => {
    expect(reportFileName("alpha.example", reports[0] as never, { gzip: true, uniqueId: "001" })).toBe(
      "alpha.example!b.example!1795996800!1796083199!001.json.gz",
    );
    expect(reportFileName("alpha.example", reports[1] as never, { gzip: false })).toBe(
      "alpha.example!c.example!1795996800!1796083199.json",
    );
  });
});

describe("TLSRPT record (RFC 8460 §3)", () => {
  it("reads mailto and https URIs; ignores other schemes", () => {
    expect(
      parseTlsRptRecord(
        "v=TLSRPTv1; rua=mailto:reports@b.example,https://r.b.example/v1/tlsrpt, http://x.example/",
      ),
    ).toEqual({
      ok: true,
      rua: [
        { scheme: "mailto", address: "reports@b.example", uri: "mailto:reports@b.example" },
        { scheme: "https", url: "https://r.b.example/v1/tlsrpt", uri: "https://r.b.example/v1/tlsrpt" },
      ],
      ignored: ["http://x.example/"],
    });
    expect(parseTlsRptRecord("v=TLSRPTv1;rua=mailto:tls%2Breports@c.example")).toMatchObject({
      ok: true,
      rua: [{ address: "tls+reports@c.example" }],
    });
    expect(parseTlsRptRecord("v=STSv1; id=1")).toMatchObject({ ok: false, reason: "bad_record" });
    expect(parseTlsRptRecord("v=TLSRPTv1; ruf=mailto:a@b.example")).toMatchObject({
      ok: false,
      reason: "bad_record",
    });
  });

  it("looks up _smtp._tls: none, one among other TXT records, several (then none is used)", async () => {
    const resolver = fakeResolver({
      TXT: {
        "_smtp._tls.b.example": ["v=TLSRPTv1; rua=mailto:tlsrpt@b.example", "google-site-verification=x"],
        "_smtp._tls.two.example": [
          "v=TLSRPTv1; rua=mailto:a@two.example",
          "v=TLSRPTv1; rua=mailto:b@two.example",
        ],
      },
    });
    expect(await discoverRua(resolver, "b.example", 1000)).toMatchObject({
      ok: true,
      rua: [{ address: "tlsrpt@b.example" }],
    });
    expect(await discoverRua(resolver, "two.example", 1000)).toMatchObject({
      ok: false,
      reason: "several_records",
    });
    expect(await discoverRua(resolver, "none.example", 1000)).toMatchObject({
      ok: false,
      reason: "no_record",
    });
  });
});
