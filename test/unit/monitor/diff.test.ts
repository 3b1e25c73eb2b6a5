import { describe, expect, it } from "vitest";
import { diffAudits } from "../../../src/monitor/diff.js";
import { goodMx, reportOf } from "../../support/audit-fixture.js";
import { tlsOf } from "../../support/reports.js";

describe("diffAudits", () => {
  it("says two identical audits are the same", () => {
    const a = reportOf("alpha.example");
    const d = diffAudits(a, reportOf("alpha.example", { finishedAt: "2026-12-02T10:00:00.000Z" }));
    expect(d.same).toBe(true);
    expect(d.measures).toEqual([]);
    expect(d.endpoints).toEqual({ added: [], removed: [], changed: [] });
    expect(d.to.finishedAt).toBe("2026-12-02T10:00:00.000Z");
  });

  it("lists measure status changes, in the newer audit's order, and measures that appeared or went", () => {
    const a = reportOf("alpha.example", { statuses: { "mx.cipher": "fail" } });
    const b = reportOf("alpha.example", { statuses: { "mx.starttls": "fail", "access.tls": "warn" } });
    const withoutDane = { ...b, measures: b.measures.filter((m) => m.id !== "mx.dane") };
    const d = diffAudits(a, withoutDane);
    expect(d.same).toBe(false);
    expect(d.measures).toEqual([
      { id: "access.tls", charter: true, from: "pass", to: "warn" },
      { id: "mx.starttls", charter: true, from: "pass", to: "fail" },
      { id: "mx.cipher", charter: true, from: "fail", to: "pass" },
      { id: "mx.dane", charter: false, from: "not_applicable", to: null },
    ]);
    expect(d.from.verdict).toBe("non_compliant");
    expect(d.to.verdict).toBe("non_compliant");
  });

  it("finds endpoints added and removed, and version, suite, STARTTLS and certificate changes", () => {
    const mx1 = goodMx("mx1.alpha.example", "192.0.2.1");
    const mx2 = goodMx("mx2.alpha.example", "192.0.2.2");
    const mx3 = goodMx("mx3.alpha.example", "192.0.2.3");
    const weaker = {
      ...mx1,
      starttlsAdvertised: false,
      tls: tlsOf({
        versions: ["TLSv1", "TLSv1.2"],
        suites: { "TLSv1.2": ["TLS_RSA_WITH_AES_128_CBC_SHA"] },
        certificate: "expired",
      }),
    };
    const d = diffAudits(
      reportOf("alpha.example", { endpoints: [mx1, mx2] }),
      reportOf("alpha.example", { endpoints: [weaker, mx3] }),
    );
    expect(d.endpoints.added).toEqual([
      { host: "mx3.alpha.example", address: "192.0.2.3", port: 25, service: "smtp" },
    ]);
    expect(d.endpoints.removed.map((e) => e.host)).toEqual(["mx2.alpha.example"]);
    expect(d.endpoints.changed).toHaveLength(1);
    expect(d.endpoints.changed[0]?.host).toBe("mx1.alpha.example");
    expect(d.endpoints.changed[0]?.changes).toEqual([
      { field: "starttlsAdvertised", from: "true", to: "false" },
      { field: "tlsVersion", from: "TLSv1.3", to: "TLSv1.2" },
      { field: "cipherSuite", from: "TLS_AES_256_GCM_SHA384", to: "TLS_RSA_WITH_AES_128_CBC_SHA" },
      { field: "versions", from: "TLSv1.2,TLSv1.3", to: "TLSv1,TLSv1.2" },
      { field: "certificateStatus", from: "valid", to: "expired" },
    ]);
    expect(d.same).toBe(false);
  });

  it("tells the same host on another address apart, and a probe that failed", () => {
    const mx = goodMx("mx.alpha.example", "192.0.2.1");
    const moved = goodMx("mx.alpha.example", "198.51.100.1");
    const failed = {
      ...mx,
      tls: null,
      outcome: "failed" as const,
      error: { step: "connect" as const, reason: "timeout" as const, message: "timed out" },
    };
    expect(
      diffAudits(reportOf("a.example", { endpoints: [mx] }), reportOf("a.example", { endpoints: [moved] }))
        .endpoints,
    ).toMatchObject({
      added: [{ address: "198.51.100.1" }],
      removed: [{ address: "192.0.2.1" }],
      changed: [],
    });
    const changes = diffAudits(
      reportOf("a.example", { endpoints: [mx] }),
      reportOf("a.example", { endpoints: [failed] }),
    ).endpoints.changed[0]?.changes.map((c) => c.field);
    expect(changes).toEqual([
      "outcome",
      "error",
      "tlsVersion",
      "cipherSuite",
      "versions",
      "certificateStatus",
      "certificateNotAfter",
      "certificateFingerprint",
    ]);
  });
});
