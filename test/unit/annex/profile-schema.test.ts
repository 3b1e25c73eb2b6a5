/** A drafted annex profile is data: what the language accepts, and every way a draft is refused with its path. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseProfile } from "../../../src/annex/profile-schema.js";
import { charter2015 } from "../../../src/audit/profiles/profiles.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "annex", name), "utf8"));
const draft = () => fixture("tls12-ecdhe-25.json");
const issuesOf = (data: unknown) => {
  const parsed = parseProfile(data);
  if (parsed.ok) throw new Error("expected the profile to be refused");
  return parsed.issues;
};

describe("annex profiles from JSON", () => {
  it("accepts the proposed TLS ≥ 1.2 / ECDHE profile and the no-CBC one, as written", () => {
    const parsed = parseProfile(draft());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.profile.id).toBe("charter-2026-draft");
    expect(parsed.profile.measures?.["mx.key-exchange"]).toEqual(["ecdhe-only"]);
    expect(parsed.profile.rules.find((r) => r.id === "ecdhe-only")?.rule).toEqual({
      kind: "forbid-suites",
      select: { not: { keyExchanges: ["ECDHE", "TLS13"] } },
      level: "fail",
    });
    expect(parseProfile(fixture("no-cbc.json")).ok).toBe(true);
  });

  it("the built-in charter-2015 profile is expressible in the file language (round trip)", () => {
    const parsed = parseProfile(JSON.parse(JSON.stringify(charter2015)));
    expect(parsed.ok && parsed.profile).toEqual(charter2015);
  });

  it("refuses an unknown rule kind, with its path and the known kinds", () => {
    const p = draft();
    p.rules[1].rule.kind = "minimum-version";
    const issues = issuesOf(p);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^rules\[1\]\.rule\.kind: unknown rule kind "minimum-version" \(known: forbid-versions, /,
    );
  });

  it("refuses an unknown field at every level, naming it", () => {
    const p = draft();
    p.rules[6].rule.select.not.keyExchange = ["RSA"];
    p.rules[0].rule.severity = "fail";
    p.rules[2].comment = "x";
    p.version = "2026";
    expect(issuesOf(p)).toEqual([
      'rules[0].rule: unknown field ("severity")',
      'rules[2]: unknown field ("comment")',
      'rules[6].rule.select.not: unknown field ("keyExchange")',
      'unknown field ("version")',
    ]);
  });

  it("refuses wrong types and values the table does not know", () => {
    const p = draft();
    p.rules[0].rule.level = "fatal";
    p.rules[1].rule.versions = ["TLSv1.0"];
    p.rules[6].rule.select.not.keyExchanges = ["ECDHE", "EECDH"];
    p.rules[5].rule.good.ciphers = ["AES-GCM"];
    p.rules[10].rule.forbidden = "SHA-1";
    p.title = 42;
    const issues = issuesOf(p);
    expect(issues).toContain('rules[0].rule.level: Invalid option: expected one of "fail"|"warn"');
    expect(issues.some((i) => i.startsWith("rules[1].rule.versions[0]: "))).toBe(true);
    expect(
      issues.some((i) =>
        i.startsWith('rules[6].rule.select.not.keyExchanges[1]: unknown key exchange "EECDH"'),
      ),
    ).toBe(true);
    expect(
      issues.some((i) => i.startsWith('rules[5].rule.good.ciphers[0]: unknown cipher family "AES-GCM"')),
    ).toBe(true);
    expect(issues.some((i) => i.startsWith("rules[10].rule.forbidden: ") && /array/.test(i))).toBe(true);
    expect(issues.some((i) => i.startsWith("title: ") && /string/.test(i))).toBe(true);
  });

  it("refuses unknown suite names and empty selectors", () => {
    const p = draft();
    p.rules[6].rule.select = { names: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA257"] };
    p.rules[9].rule.select = { excludeAnonymous: true };
    const issues = issuesOf(p);
    expect(issues[0]).toMatch(
      /^rules\[6\]\.rule\.select\.names\[0\]: unknown cipher suite "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA257"/,
    );
    expect(issues[1]).toMatch(/^rules\[9\]\.rule\.select: a selector names at least one criterion/);
  });

  it("refuses unknown measures, measures judged by code, and rules that do not exist or repeat", () => {
    const p = draft();
    p.measures["mx.tls-versions"] = ["tls12"];
    p.measures["mx.starttls"] = ["tls12"];
    expect(issuesOf(p)).toEqual([
      'measures["mx.tls-versions"]: unknown measure "mx.tls-versions" (rule-judged measures: mx.tls-version, mx.cipher, mx.key-exchange, mx.hash, access.pfs, access.tls-parameters)',
      'measures["mx.starttls"]: measure "mx.starttls" is judged by its own code, not by profile rules (rule-judged: mx.tls-version, mx.cipher, mx.key-exchange, mx.hash, access.pfs, access.tls-parameters)',
    ]);
    const q = draft();
    q.measures["mx.key-exchange"] = ["ecdhe-only", "ecdhe-ony"];
    q.rules[3].id = "tls12";
    expect(issuesOf(q)).toEqual([
      'rules[3].id: rule id "tls12" is used twice',
      'measures["mx.key-exchange"][1]: no rule "ecdhe-ony" in this profile\'s rules',
      // rules[3] was old-tls: renamed, the measure that named it names nothing.
      'measures["access.tls-parameters"][2]: no rule "old-tls" in this profile\'s rules',
    ]);
  });

  it("refuses a profile without rules, measures or a proper id", () => {
    expect(issuesOf({ id: "X Y", title: "t", rules: [] })).toEqual([
      "id: a profile id: lower-case letters, digits, . and - (≤ 64)",
      "rules: Too small: expected array to have >=1 items",
      "measures: Invalid input: expected record, received undefined",
    ]);
    expect(issuesOf("not an object")).toEqual(["Invalid input: expected object, received string"]);
  });
});
