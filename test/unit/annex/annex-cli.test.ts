/**
 * Annex versions in the store and on the command line: versions name their profile, a domain is
 * judged under the version its signatory accepted, drafted profiles are kept unchanged, consultations
 * record answers and adoption makes the new version; `annex impact` reads stored audits only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { impactSchema } from "../../../src/annex/impact-schema.js";
import { AuditHistory } from "../../../src/monitor/history-store.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { annexStoreContract } from "../../support/annex-contract.js";
import { cli, usageError } from "../../support/cli.js";
import { ecdheOnlyTls, judgedReport, mxOf, tls10Tls, withRsaTls } from "../../support/judged-report.js";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "annex");
const proposedFile = join(fixtures, "tls12-ecdhe-25.json");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-annex-"));
const db = join(dir, "registry.sqlite");
const t0 = Date.parse("2026-12-01T10:00:00.000Z");

beforeAll(async () => {
  const store = await openStore(db, { create: true });
  try {
    const registry = await Registry.open(store);
    await registry.import([
      {
        name: "Alpha",
        contact: "pm@alpha.example",
        adhesionDate: "2026-01-01",
        domains: [{ domain: "alpha.example", mx: ["mx.alpha.example"] }],
      },
      {
        name: "Beta",
        contact: "pm@beta.example",
        adhesionDate: "2026-01-01",
        domains: [
          { domain: "beta.example", mx: ["mx.beta.example"] },
          { domain: "beta2.example", mx: ["mx.beta.example"] },
        ],
      },
      {
        name: "Gamma",
        contact: "pm@gamma.example",
        adhesionDate: "2026-01-01",
        domains: [{ domain: "gamma.example", mx: ["mx.gamma.example"] }],
      },
    ]);
    const history = await AuditHistory.open(store);
    const reports = [
      judgedReport("alpha.example", [mxOf("mx.alpha.example", ecdheOnlyTls)]),
      judgedReport("beta.example", [mxOf("mx.beta.example", withRsaTls)]),
      judgedReport("gamma.example", [mxOf("mx.gamma.example", tls10Tls)]),
    ];
    for (const [i, report] of reports.entries()) {
      const request = {
        jobKey: `t:${report.domain}`,
        domain: report.domain,
        trigger: "cli" as const,
        requestedBy: "test",
      };
      await history.enqueue(request, t0 + i);
      await history.save(request, report, { now: t0 + 10 + i });
    }
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("annex on the command line", () => {
  it("annex check accepts the proposed profile and names it", async () => {
    const run = await cli("annex", "check", proposedFile);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("profile charter-2026-draft");
    expect(run.out).toContain("mx.key-exchange ← ecdhe-only");
  });

  it("annex check refuses an unknown rule or field: one line, exit 2, with the path", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        id: "x",
        title: "x",
        rules: [{ id: "a", source: "s", rule: { kind: "min-version", level: "fail" } }],
        measures: {},
        colour: 1,
      }),
    );
    const err = usageError(await cli("annex", "check", bad));
    expect(err).toContain(
      `profile ${bad}: invalid profile: rules[0].rule.kind: unknown rule kind "min-version"`,
    );
    expect(err).toContain('unknown field ("colour")');
    writeFileSync(bad, "{ not json");
    expect(usageError(await cli("annex", "check", bad))).toMatch(/not JSON/);
    expect(usageError(await cli("annex", "check", join(dir, "missing.json")))).toMatch(
      /missing\.json: ENOENT/,
    );
  });

  it("annex versions: the 2015 version names charter-2015", async () => {
    const run = await cli("annex", "versions", "--db", db, "--json");
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).versions).toEqual([
      {
        version: "2015",
        published: "2015-01-01",
        title: expect.stringContaining("2015"),
        profile: "charter-2015",
      },
    ]);
  });

  it("annex impact: from stored audits alone, Beta (static RSA) and Gamma (TLS 1.0) would fail on port 25", async () => {
    const run = await cli(
      "annex",
      "impact",
      "--proposed",
      proposedFile,
      "--db",
      db,
      "--json",
      "--at",
      "2026-12-01",
    );
    expect(run.code, run.err).toBe(0);
    const impact = JSON.parse(run.out);
    expect(impactSchema.safeParse(impact).success).toBe(true);
    const failing = impact.signatories.flatMap(
      (s: { domains: { domain: string; measures: { measure: string; after: string }[] }[] }) =>
        s.domains
          .filter((d) => d.measures.some((m) => m.after === "fail"))
          .map((d) => [d.domain, d.measures.map((m) => m.measure)]),
    );
    expect(failing).toEqual([
      ["beta.example", ["mx.key-exchange"]],
      ["gamma.example", ["mx.tls-version"]],
    ]);
    const beta2 = impact.signatories.find((s: { organisation: string }) => s.organisation === "Beta")
      .domains[1];
    expect(beta2).toMatchObject({ domain: "beta2.example", runId: null });
  });

  it("annex impact --html writes the printable summary; a bad --proposed is a usage error", async () => {
    const html = join(dir, "impact.html");
    const run = await cli(
      "annex",
      "impact",
      "--proposed",
      proposedFile,
      "--db",
      db,
      "--html",
      html,
      "--lang",
      "fr",
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("Annexe proposée");
    expect(usageError(await cli("annex", "impact", "--proposed", "charter-2099", "--db", db))).toMatch(
      /--proposed charter-2099: neither a profile file nor a known profile id/,
    );
    // A profile that judges no charter measure cannot be an annex (it would pass everything).
    expect(
      usageError(await cli("annex", "impact", "--proposed", "mozilla-intermediate", "--db", db)),
    ).toMatch(/names no rules for the charter measures/);
    expect(
      usageError(await cli("annex", "impact", "--proposed", proposedFile, "--db", join(dir, "none.sqlite"))),
    ).toMatch(/no registry there/);
  });
});

describe("annex store", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });
  annexStoreContract(() => store);
});
