import { describe, expect, it } from "vitest";
import type { AuditedEndpoint, AuditReport } from "../../../../src/audit/audit.js";
import type { MeasureId, MeasureStatus } from "../../../../src/audit/measures/measure.js";
import { detect } from "../../../../src/monitor/detection/detect.js";
import { expiryThreshold } from "../../../../src/monitor/detection/expiry.js";
import { observeEndpoint } from "../../../../src/monitor/detection/subject-state.js";
import { isBrokenSuite, suiteChoice } from "../../../../src/monitor/detection/suite-strength.js";
import { goodMx, reportOf } from "../../../support/audit-fixture.js";
import { tlsOf } from "../../../support/reports.js";

const at = "2026-12-01T10:00:05.000Z";
const mx = goodMx();
const report = (
  endpoints: readonly AuditedEndpoint[],
  statuses: Partial<Record<MeasureId, MeasureStatus>> = {},
) => reportOf("alpha.example", { endpoints, statuses, finishedAt: at });

/** The detections of `next` (run 2) against the good states learnt from `first` (run 1). */
function against(first: AuditReport, next: AuditReport) {
  const learnt = detect([], { runId: 1, report: first });
  return detect(learnt.good, { runId: 2, report: next });
}
const kinds = (r: ReturnType<typeof detect>) => r.detections.map((d) => `${d.severity}:${d.kind}`);

const failing = (error: AuditedEndpoint["error"], extra: Partial<AuditedEndpoint> = {}): AuditedEndpoint => ({
  ...mx,
  tls: null,
  outcome: "failed",
  error,
  ...extra,
});

describe("detection against the last good state", () => {
  it("a first audit only learns: nothing to compare, no interruption, the good state kept", () => {
    const r = detect([], { runId: 1, report: report([mx]) });
    expect(kinds(r)).toEqual([]);
    expect(r.good.map((b) => b.subject)).toEqual([
      "endpoint:mx.alpha.example|192.0.2.25|25|smtp",
      "measure:mx.territory",
    ]);
  });

  it("a domain never compliant is not interrupted (no good state to lose)", () => {
    const bad = failing(
      { step: "starttls", reason: "not_offered", message: "no STARTTLS" },
      { starttlsAdvertised: false },
    );
    expect(kinds(against(report([bad]), report([bad])))).toEqual([]);
  });

  it("the same good audit twice detects nothing", () => {
    const r = against(report([mx]), report([mx]));
    expect(r.detections).toEqual([]);
    expect(r.checked).toContain("endpoint:mx.alpha.example|192.0.2.25|25|smtp");
  });

  it("STARTTLS no longer advertised (RFC 3207 §4), with evidence pointing at both audits", () => {
    const off = failing(
      { step: "starttls", reason: "not_offered", message: "STARTTLS not in the EHLO reply" },
      { starttlsAdvertised: false },
    );
    const r = against(report([mx]), report([off]));
    expect(kinds(r)).toEqual(["interruption:starttls_missing"]);
    const d = r.detections[0];
    expect(d).toMatchObject({
      runId: 2,
      baselineRunId: 1,
      mx: true,
      endpoint: "mx.alpha.example [192.0.2.25]:25",
    });
    expect(d?.from).toBe("TLS (TLSv1.3)");
    // The worse observation does not replace the last good state.
    expect(r.good.some((b) => b.subject.startsWith("endpoint:"))).toBe(false);
  });

  it("STARTTLS refused (454) and a failing handshake are interruptions", () => {
    const refused = failing({ step: "starttls", reason: "rejected", message: "454 4.7.0 TLS not available" });
    const alert = failing({ step: "handshake", reason: "tls_alert", message: "handshake_failure" });
    expect(kinds(against(report([mx]), report([refused])))).toEqual(["interruption:starttls_refused"]);
    expect(kinds(against(report([mx]), report([alert])))).toEqual(["interruption:handshake_failed"]);
  });

  it("a subject never seen good that cannot be checked is not reported (nothing to lose)", () => {
    const refused = failing({ step: "connect", reason: "refused", message: "ECONNREFUSED" });
    const r = detect([], { runId: 1, report: report([refused]) });
    expect(r.detections).toEqual([]);
    expect(r.unknown.map((u) => u.reason)).toEqual(["connect: refused"]);
    // Nor is an enumeration cut short on a first audit: there is nothing to compare it with.
    const cut = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1.3"],
        suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] },
        complete: false,
      }),
    };
    expect(detect([], { runId: 1, report: report([cut]) }).detections).toEqual([]);
  });

  it("throttling, timeouts, refused connections and our own DNS failures are 'could not check', never interruptions", () => {
    const cases: AuditedEndpoint["error"][] = [
      { step: "greeting", reason: "throttled", message: "421 4.7.0 too many connections" },
      { step: "connect", reason: "timeout", message: "connect timeout 10000 ms" },
      { step: "connect", reason: "refused", message: "ECONNREFUSED" },
      { step: "dns", reason: "timeout", message: "resolver timeout" },
      { step: "starttls", reason: "throttled", message: "421 after STARTTLS" },
      { step: "handshake", reason: "timeout", message: "handshake timeout" },
    ];
    for (const error of cases) {
      const r = against(report([mx]), report([failing(error)]));
      expect(kinds(r), JSON.stringify(error)).toEqual(["could_not_check:could_not_check"]);
      expect(r.unknown).toHaveLength(1);
      expect(r.checked).not.toContain("endpoint:mx.alpha.example|192.0.2.25|25|smtp");
    }
  });

  it("a certificate no longer valid, or expired", () => {
    const wrong = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1.2", "TLSv1.3"],
        suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] },
        certificate: "wrong_host",
      }),
    };
    const expired = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1.2", "TLSv1.3"],
        suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] },
        certificate: "expired",
      }),
    };
    const r = against(report([mx]), report([wrong]));
    expect(kinds(r)).toEqual(["interruption:certificate_invalid"]);
    expect([r.detections[0]?.from, r.detections[0]?.to]).toEqual(["valid", "wrong_host"]);
    expect(kinds(against(report([mx]), report([expired])))).toEqual(["interruption:certificate_expired"]);
    // Invalid from the start: not a change for the worse.
    expect(kinds(against(report([wrong]), report([wrong])))).toEqual([]);
  });

  it("a weaker best version (complete enumerations compared)", () => {
    const old = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1", "TLSv1.1"],
        suites: { "TLSv1.1": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"] },
      }),
    };
    const r = against(report([mx]), report([old]));
    expect(kinds(r)).toContain("interruption:version_regression");
    expect(r.detections.find((d) => d.kind === "version_regression")).toMatchObject({
      from: "TLSv1.3",
      to: "TLSv1.1",
    });
  });

  it("a broken suite now accepted", () => {
    const rc4 = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1.2", "TLSv1.3"],
        suites: {
          "TLSv1.3": ["TLS_AES_256_GCM_SHA384"],
          "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"],
        },
      }),
    };
    const r = against(report([mx]), report([rc4]));
    expect(kinds(r)).toEqual(["interruption:suite_regression"]);
    expect(r.detections[0]?.to).toBe("TLS_RSA_WITH_RC4_128_SHA");
    // Already accepted in the good state: nothing new.
    expect(kinds(against(report([rc4]), report([rc4])))).toEqual([]);
  });

  it("AES, ECDHE and SHA-2 no longer chosen first (Charte annexe §2.2)", () => {
    const des = {
      ...mx,
      tls: tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"] } }),
    };
    const r = against(report([mx]), report([des]));
    expect(kinds(r)).toContain("interruption:preference_regression");
    expect(r.detections.find((d) => d.kind === "preference_regression")?.message).toContain(
      "AES, ECDHE, SHA-2 no longer chosen first",
    );
    // ChaCha20 is as strong as AES: not a regression.
    const chacha = {
      ...mx,
      tls: tlsOf({
        versions: ["TLSv1.2", "TLSv1.3"],
        suites: { "TLSv1.3": ["TLS_CHACHA20_POLY1305_SHA256"] },
      }),
    };
    expect(kinds(against(report([mx]), report([chacha])))).toEqual([]);
  });

  it("an enumeration cut short is 'partly checked': versions and suites are not compared, STARTTLS is", () => {
    const cut = {
      ...mx,
      tls: tlsOf({ versions: ["TLSv1"], suites: { TLSv1: ["TLS_RSA_WITH_RC4_128_SHA"] }, complete: false }),
    };
    const r = against(report([mx]), report([cut]));
    expect(r.detections.map((d) => [d.kind, d.partial])).toEqual([
      ["preference_regression", undefined],
      ["could_not_check", true],
    ]);
    // The good state keeps the last complete enumeration's versions.
    const [first] = detect([], { runId: 1, report: report([mx]) }).good;
    const kept = detect(first ? [first] : [], {
      runId: 2,
      report: report([
        {
          ...mx,
          tls: tlsOf({
            versions: ["TLSv1.3"],
            suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] },
            complete: false,
          }),
        },
      ]),
    });
    const state = kept.good.find((b) => b.subject.startsWith("endpoint:"))?.state;
    expect(state?.type === "endpoint" ? state.versions : null).toEqual(["TLSv1.2", "TLSv1.3"]);
  });

  it("an MX leaving the territory, DANE breaking, a measure in error could not be checked", () => {
    expect(kinds(against(report([mx]), report([mx], { "mx.territory": "fail" })))).toEqual([
      "interruption:territory_left",
    ]);
    expect(
      kinds(against(report([mx], { "mx.dane": "pass" }), report([mx], { "mx.dane": "not_applicable" }))),
    ).toEqual(["interruption:dane_broken"]);
    expect(kinds(against(report([mx], { "mx.dane": "pass" }), report([mx], { "mx.dane": "fail" })))).toEqual([
      "interruption:dane_broken",
    ]);
    expect(kinds(against(report([mx]), report([mx], { "mx.territory": "error" })))).toEqual([
      "could_not_check:could_not_check",
    ]);
    // Never passed: nothing lost.
    expect(kinds(against(report([mx]), report([mx], { "mx.dane": "fail" })))).toEqual([]);
  });

  it("the audit that sees TLS back is a good state again (no detection)", () => {
    const off = failing(
      { step: "starttls", reason: "not_offered", message: "x" },
      { starttlsAdvertised: false },
    );
    const learnt = detect([], { runId: 1, report: report([mx]) });
    const bad = detect(learnt.good, { runId: 2, report: report([off]) });
    // The baseline stays run 1's; the good audit 3 is compared with it.
    const back = detect(learnt.good, { runId: 3, report: report([mx]) });
    expect(bad.detections).toHaveLength(1);
    expect(back.detections).toEqual([]);
    expect(back.good.find((b) => b.subject.startsWith("endpoint:"))?.runId).toBe(3);
  });
});

describe("certificate expiry", () => {
  const day = 86_400_000;
  const inDays = (d: number) => new Date(Date.parse(at) + d * day).toISOString();
  it("30, 14 and 7 days: the smallest threshold crossed", () => {
    expect(expiryThreshold(inDays(40), at)).toBeNull();
    expect(expiryThreshold(inDays(30), at)).toEqual({ days: 30, daysLeft: 30 });
    expect(expiryThreshold(inDays(20), at)).toEqual({ days: 30, daysLeft: 20 });
    expect(expiryThreshold(inDays(13.5), at)).toEqual({ days: 14, daysLeft: 13 });
    expect(expiryThreshold(inDays(7), at)).toEqual({ days: 7, daysLeft: 7 });
    expect(expiryThreshold(inDays(-1), at)).toBeNull();
    expect(expiryThreshold("not a date", at)).toBeNull();
  });

  it("a warning per certificate of the domain, not per endpoint serving it", () => {
    const base = tlsOf({ versions: ["TLSv1.3"], suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] } });
    const soon = {
      ...base,
      certificate: base.certificate ? { ...base.certificate, notAfter: inDays(10) } : null,
    };
    const v4 = { ...mx, tls: soon };
    const v6 = { ...mx, address: "2001:db8::25", tls: soon };
    const r = detect([], { runId: 1, report: report([v4, v6]) });
    expect(r.detections.map((d) => [d.kind, d.subject, d.thresholdDays])).toEqual([
      ["certificate_expiring", "certificate:AA", 14],
    ]);
  });
});

describe("endpoint observation and suite strength", () => {
  it("STARTTLS advertised false without an error is still missing", () => {
    const o = observeEndpoint({ ...mx, starttlsAdvertised: false, tls: null });
    expect(o.check === "checked" ? o.failure : o.check).toBe("starttls_missing");
  });
  it("an endpoint without TLS attempted cannot be checked", () => {
    expect(observeEndpoint({ ...mx, tlsMode: "none", starttlsAdvertised: null, tls: null }).check).toBe(
      "unknown",
    );
  });
  it("broken suites and choices", () => {
    expect(isBrokenSuite("TLS_RSA_WITH_RC4_128_MD5")).toBe(true);
    expect(isBrokenSuite("TLS_RSA_EXPORT_WITH_RC4_40_MD5")).toBe(true);
    expect(isBrokenSuite("TLS_DH_anon_WITH_AES_128_CBC_SHA")).toBe(true);
    expect(isBrokenSuite("TLS_RSA_WITH_NULL_SHA256")).toBe(true);
    expect(isBrokenSuite("TLS_RSA_WITH_DES_CBC_SHA")).toBe(true);
    expect(isBrokenSuite("TLS_RSA_WITH_3DES_EDE_CBC_SHA")).toBe(false);
    expect(isBrokenSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).toBe(false);
    expect(isBrokenSuite("no such suite")).toBe(false);
    expect(suiteChoice("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")).toEqual({
      aes: true,
      ecdhe: true,
      sha2: false,
    });
    expect(suiteChoice("TLS_AES_128_GCM_SHA256")).toEqual({ aes: true, ecdhe: true, sha2: true });
    expect(suiteChoice("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384")).toEqual({
      aes: true,
      ecdhe: false,
      sha2: true,
    });
    expect(suiteChoice("nope")).toBeNull();
  });
});
