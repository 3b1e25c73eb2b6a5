/**
 * Annex versions on the lab (Charte art. 8): the real audit of every lab domain, stored; the impact
 * of a proposed "TLS ≥ 1.2 on port 25, ECDHE required" annex computed from those stored audits alone
 * lists exactly the domains the lab's declared configuration says would fail, with reasons; and the
 * re-judgement of each stored report equals a fresh audit judged under the adopted version, measure
 * by measure.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AnnexStore } from "../../src/annex/annex-store.js";
import type { ImpactReport } from "../../src/annex/impact.js";
import { impactSchema } from "../../src/annex/impact-schema.js";
import { parseProfile } from "../../src/annex/profile-schema.js";
import { rejudge } from "../../src/annex/rejudge.js";
import type { AuditReport } from "../../src/audit/audit.js";
import { ruleJudgedMeasures } from "../../src/audit/measures/annex-measures.js";
import { charter2015 } from "../../src/audit/profiles/profiles.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";
import { labGeo, strongCiphers } from "./lab/lab.js";
import { type Scenario, scenarios, zone } from "./lab/scenarios.js";

const lab = inject("lab");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-annex-lab-"));
const db = join(dir, "registry.sqlite");
const geoFile = join(dir, "geo.csv");
const proposedFile = join(import.meta.dirname, "..", "fixtures", "annex", "tls12-ecdhe-25.json");

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

const network = () => [
  "--resolver",
  lab.validatingResolver,
  "--allow-private",
  "--ca-file",
  lab.rootCaFile,
  "--geo-file",
  geoFile,
  "--ehlo-name",
  "probe.lab.test",
];

/** Every lab domain: one per scenario, and mixed (MX good and expired). */
const labDomains = [...scenarios.map((s) => s.name), "mixed"].map((n) => `${n}.${zone}`);
/** Each domain's MX scenarios, as the lab's zone declares them (test/interop/lab/lab.ts zoneFile). */
const mxScenarios = (domain: string): Scenario[] =>
  domain === `mixed.${zone}`
    ? scenarios.filter((s) => s.name === "good" || s.name === "expired")
    : scenarios.filter((s) => `${s.name}.${zone}` === domain);

/**
 * Port 25 as the lab configures Postfix (lab.ts postfixMaster): `good` takes smtpd_tls_protocols =
 * >=TLSv1.2 and `strongCiphers`; the TLS 1.0 scenario =TLSv1 with AES128-SHA:AES256-SHA (static RSA);
 * every other scenario Postfix's defaults — smtpd_tls_protocols = >=TLSv1 (TLS 1.0 and 1.1 accepted)
 * and smtpd_tls_ciphers = medium, which keeps the static-RSA (kRSA) suites.
 */
const port25 = (s: Scenario): { lowest: string; ciphers: string[] } =>
  s.name === "good"
    ? { lowest: "TLSv1.2", ciphers: strongCiphers.split(":") }
    : s.maxVersion === "TLSv1"
      ? { lowest: "TLSv1", ciphers: ["AES128-SHA", "AES256-SHA"] }
      : { lowest: "TLSv1", ciphers: ["kRSA"] };

/** The measures the proposal makes stricter: its port-25 rules. */
const stricter = ["mx.tls-version", "mx.key-exchange"] as const;

/** Which of them the proposed annex must fail on each domain, from the declared configuration. */
function expectedFailures(domain: string): string[] {
  const mx = mxScenarios(domain).filter((s) => s.starttls); // no STARTTLS: nothing for TLS rules to judge
  const failing = new Set<string>();
  for (const s of mx) {
    const { lowest, ciphers } = port25(s);
    if (lowest !== "TLSv1.2" && lowest !== "TLSv1.3") failing.add("mx.tls-version");
    if (ciphers.some((c) => !c.startsWith("ECDHE-"))) failing.add("mx.key-exchange");
  }
  return stricter.filter((m) => failing.has(m));
}

let stored: AuditReport[] = [];
let impact: ImpactReport;
let fresh: AuditReport[] = [];

beforeAll(async () => {
  writeFileSync(geoFile, labGeo);
  const store = await openStore(db, { create: true });
  try {
    await (await Registry.open(store)).import(
      labDomains.map((domain) => ({
        name: `Lab ${domain.split(".")[0]}`,
        contact: `postmaster@${domain}`,
        adhesionDate: "2026-01-01",
        domains: [{ domain, mx: mxScenarios(domain).map((s) => s.host) }],
      })),
    );
  } finally {
    await store.close();
  }
  // The real audit of every lab domain, judged under the version each signatory accepted (2015).
  const first = await cli(["audit", ...labDomains, "--db", db, ...network(), "--json"]);
  stored = JSON.parse(first.stdout) as AuditReport[];
  const again = await openStore(db, { create: false });
  try {
    const history = await AuditHistory.open(again);
    for (const [i, report] of stored.entries()) {
      const request = {
        jobKey: `lab:${report.domain}`,
        domain: report.domain,
        trigger: "cli" as const,
        requestedBy: "test",
      };
      await history.enqueue(request, Date.now() + i);
      await history.save(request, report, { now: Date.now() + i });
    }
  } finally {
    await again.close();
  }
  // From the stored audits alone: nothing is probed by `annex impact`.
  const run = await cli([
    "annex",
    "impact",
    "--proposed",
    proposedFile,
    "--db",
    db,
    "--json",
    "--at",
    "2026-12-01",
  ]);
  if (run.code !== 0) throw new Error(`annex impact: ${run.stderr}`);
  impact = JSON.parse(run.stdout) as ImpactReport;
  // The proposal adopted as version 2026 and accepted by every signatory; then a fresh audit under it.
  const third = await openStore(db, { create: false });
  try {
    const annex = await AnnexStore.open(third);
    const profile = await annex.saveProfile(
      JSON.parse(readFileSync(proposedFile, "utf8")),
      "agency",
      Date.now(),
    );
    const c = await annex.openConsultation(
      { version: "2026", title: "Annexe 2026", profile: profile.id },
      "agency",
      Date.now(),
    );
    await annex.adopt(c.id, "2026-12-01", Date.now());
    const registry = await Registry.open(third);
    for (const s of await registry.list()) await registry.edit(s.name, { charterVersion: "2026" });
  } finally {
    await third.close();
  }
  const second = await cli(["audit", ...labDomains, "--db", db, ...network(), "--json"]);
  fresh = JSON.parse(second.stdout) as AuditReport[];
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const storedOf = (domain: string) => stored.find((r) => r.domain === domain) as AuditReport;

describe("annex versions on the lab", () => {
  it("the stored audits say which version and profile judged them", () => {
    expect(stored.map((r) => r.domain).sort()).toEqual([...labDomains].sort());
    for (const r of stored)
      expect(r.charter).toEqual({ version: "2015", profile: "charter-2015", from: "registry" });
    for (const r of fresh)
      expect(r.charter).toEqual({ version: "2026", profile: "charter-2026-draft", from: "registry" });
  });

  it("TLS ≥ 1.2 on port 25, ECDHE required: exactly the expected domains would fail, with reasons, from stored audits", () => {
    expect(impactSchema.safeParse(impact).success).toBe(true);
    const domains = impact.signatories.flatMap((s) => s.domains);
    const found = Object.fromEntries(
      domains.map((d) => [
        d.domain,
        d.measures
          .filter((m) => m.after === "fail" && (stricter as readonly string[]).includes(m.measure))
          .map((m) => m.measure),
      ]),
    );
    const expected = Object.fromEntries(labDomains.map((d) => [d, expectedFailures(d)]));
    expect(found).toEqual(expected);
    // The set itself, stated from the configuration: every Postfix left at its default ciphers, and legacy.
    expect(labDomains.filter((d) => expectedFailures(d).length > 0).sort()).toEqual(
      ["expired", "legacy", "mixed", "nochain", "plainlogin", "selfsigned", "wronghost"].map(
        (n) => `${n}.${zone}`,
      ),
    );
    // Reasons: the endpoint on port 25 and the rule, with what it saw.
    const legacy = impact.signatories.flatMap((s) => s.domains).find((d) => d.domain === `legacy.${zone}`);
    const version = legacy?.measures.find((m) => m.measure === "mx.tls-version");
    expect(version?.endpoints[0]?.endpoint).toMatch(/^mail\.legacy\.lab\.test \[127\.0\.10\.7\]:25$/);
    // TLS 1.0 only (maxVersion): the minimum is broken, and no TLS 1.2 or 1.3 is there at all.
    expect(version?.endpoints[0]?.rules.map((r) => [r.rule, r.values])).toEqual([
      ["tls12-min", { versions: ["TLSv1"] }],
      ["tls12", { versions: ["TLSv1.2", "TLSv1.3"] }],
    ]);
    const expired = impact.signatories.flatMap((s) => s.domains).find((d) => d.domain === `expired.${zone}`);
    const kx = expired?.measures.find((m) => m.measure === "mx.key-exchange");
    expect(kx?.endpoints[0]?.rules[0]?.rule).toBe("ecdhe-only");
    expect(String(kx?.endpoints[0]?.rules[0]?.values.suites)).toMatch(/TLS_RSA_WITH_AES/);
    expect(kx?.advice?.en).toMatch(/ECDHE/);
    // Every other failing measure failed already under the 2015 annex (anonymous suites on submission,
    // legacy's hash and PFS): the proposal does not change them.
    for (const d of domains)
      for (const m of d.measures.filter((x) => !(stricter as readonly string[]).includes(x.measure)))
        expect({ domain: d.domain, measure: m.measure, direction: m.direction }).toEqual({
          domain: d.domain,
          measure: m.measure,
          direction: "same",
        });
  });

  it("re-judging each stored report under the proposed profile equals the fresh audit under the adopted version, measure by measure", () => {
    const profile = parseProfile(JSON.parse(readFileSync(proposedFile, "utf8")));
    if (!profile.ok) throw new Error(profile.issues.join("; "));
    for (const f of fresh) {
      const again = rejudge(storedOf(f.domain), profile.profile);
      for (const id of ruleJudgedMeasures) {
        const a = again.measures.find((m) => m.id === id);
        const b = f.measures.find((m) => m.id === id);
        expect({ domain: f.domain, id, status: a?.status, evidence: a?.evidence }).toEqual({
          domain: f.domain,
          id,
          status: b?.status,
          evidence: b?.evidence,
        });
      }
    }
    // Under its own profile a stored report comes back as stored: measures and verdict.
    for (const r of stored) {
      const back = rejudge(r, charter2015);
      expect(back.measures).toEqual(r.measures);
      expect(back.verdict).toBe(r.verdict);
    }
  });
});
