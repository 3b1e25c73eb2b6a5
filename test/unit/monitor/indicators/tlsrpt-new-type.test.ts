/** New TLS-RPT failure types (pure): baseline window, learning, evidence, resolution by later reports. */
import { describe, expect, it } from "vitest";
import { linkDetectionLimits } from "../../../../src/core/limits.js";
import {
  newFailureTypes,
  type ReportedDay,
  type ReportedFailure,
  typeStatus,
} from "../../../../src/monitor/detection/tlsrpt-new-type.js";

const limits = linkDetectionLimits;
const today = "2026-12-20";
let row = 0;
const failure = (
  day: string,
  resultType: string,
  failed = 3,
  policyDomain = "peer.example",
): ReportedFailure => ({
  reportRow: ++row,
  reportId: `r-${row}`,
  organization: "Sender Inc",
  day,
  policyDomain,
  resultType,
  failed,
});
const reportedOf = (failures: readonly ReportedFailure[], extra: ReportedDay[] = []): ReportedDay[] => [
  ...failures.map((f) => ({ reportRow: f.reportRow, policyDomain: f.policyDomain, day: f.day })),
  ...extra,
];

describe("new failure types", () => {
  it("a type not reported in the 30 days before the recent reports is new, with its reports", () => {
    const before = [failure("2026-12-10", "certificate-expired")];
    const recent = [
      failure("2026-12-19", "starttls-not-supported", 5),
      failure("2026-12-19", "certificate-expired"),
    ];
    const found = newFailureTypes(
      [...before, ...recent],
      reportedOf([...before, ...recent]),
      ["peer.example"],
      today,
      limits,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      subject: "tlsrpt:peer.example|starttls-not-supported",
      resultType: "starttls-not-supported",
      failed: 5,
      baselineTypes: ["certificate-expired"],
      baselineFrom: "2026-11-18",
      baselineTo: "2026-12-17",
      lastDay: "2026-12-19",
    });
    expect(found[0]?.reports.map((r) => r.reportId)).toEqual([recent[0]?.reportId]);
  });

  it("a domain without any report in the baseline window is only learnt", () => {
    const recent = [failure("2026-12-19", "validation-failure")];
    expect(newFailureTypes(recent, reportedOf(recent), ["peer.example"], today, limits)).toEqual([]);
  });

  it("a clean report in the baseline window is a baseline (every failure type after it is new)", () => {
    const clean: ReportedDay = { reportRow: 900, policyDomain: "peer.example", day: "2026-12-01" };
    const recent = [failure("2026-12-20", "sts-policy-invalid", 1)];
    expect(
      newFailureTypes(recent, reportedOf(recent, [clean]), ["peer.example"], today, limits).map(
        (n) => n.resultType,
      ),
    ).toEqual(["sts-policy-invalid"]);
  });

  it("types reported before the window, or other domains', do not count; other domains are not looked at", () => {
    const old = [failure("2026-11-01", "dnssec-invalid")];
    const other = [failure("2026-12-10", "tlsa-invalid", 2, "other.example")];
    const recent = [failure("2026-12-19", "dnssec-invalid"), failure("2026-12-19", "tlsa-invalid")];
    const clean: ReportedDay = { reportRow: 901, policyDomain: "peer.example", day: "2026-12-05" };
    const found = newFailureTypes(
      [...old, ...other, ...recent],
      reportedOf([...old, ...other, ...recent], [clean]),
      ["peer.example"],
      today,
      limits,
    );
    expect(found.map((n) => n.resultType).sort()).toEqual(["dnssec-invalid", "tlsa-invalid"]);
    expect(newFailureTypes(recent, reportedOf(recent, [clean]), ["third.example"], today, limits)).toEqual(
      [],
    );
  });

  it("resolved only once reports cover two later days without the type", () => {
    const seen = [failure("2026-12-19", "certificate-expired")];
    const one: ReportedDay = { reportRow: 950, policyDomain: "peer.example", day: "2026-12-20" };
    const two: ReportedDay = { reportRow: 951, policyDomain: "peer.example", day: "2026-12-21" };
    expect(
      typeStatus("peer.example", "certificate-expired", "2026-12-19", seen, reportedOf(seen, [one]), limits)
        .resolved,
    ).toBe(false);
    expect(
      typeStatus(
        "peer.example",
        "certificate-expired",
        "2026-12-19",
        seen,
        reportedOf(seen, [one, two]),
        limits,
      ),
    ).toMatchObject({
      resolved: true,
      cleanDays: ["2026-12-20", "2026-12-21"],
    });
    // Seen again on the 21st: the clean days start after it.
    const again = [...seen, failure("2026-12-21", "certificate-expired")];
    expect(
      typeStatus(
        "peer.example",
        "certificate-expired",
        "2026-12-19",
        again,
        reportedOf(again, [one, two]),
        limits,
      ),
    ).toMatchObject({
      lastDay: "2026-12-21",
      resolved: false,
    });
  });
});
