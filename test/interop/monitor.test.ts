/**
 * `mailcharter monitor run-once` on the lab: the lab domains registered with `registry add` in a fresh
 * SQLite file, one cycle against the real servers, stored audits whose verdicts and charter statuses are
 * those of `mailcharter audit` on the same domains; MX hosts shared between domains probed once; a
 * second run finds nothing due; a cycle killed with SIGKILL is resumed, each domain audited once.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditReport } from "../../src/audit/audit.js";
import { type MonitorReport, monitorReportSchema } from "../../src/monitor/cycle-report.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { openStore } from "../../src/store/database.js";
import { labGeo } from "./lab/lab.js";

const lab = inject("lab");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-monitor-"));
const geoFile = join(dir, "geo.csv");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr });
      },
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

/** Three signatories over the lab's domains; mixed.lab.test shares good's and expired's MX hosts. */
const organisations = [
  {
    name: "Lab Good",
    domains: ["good.lab.test=mail.good.lab.test", "mixed.lab.test=mail.good.lab.test,mail.expired.lab.test"],
  },
  {
    name: "Lab Broken",
    domains: [
      "nostarttls.lab.test=mail.nostarttls.lab.test",
      "expired.lab.test=mail.expired.lab.test",
      "wronghost.lab.test=mail.wronghost.lab.test",
      "nochain.lab.test=mail.nochain.lab.test",
    ],
  },
  {
    name: "Lab Legacy",
    domains: [
      "selfsigned.lab.test=mail.selfsigned.lab.test",
      "legacy.lab.test=mail.legacy.lab.test",
      "plainlogin.lab.test=mail.plainlogin.lab.test",
    ],
  },
];
const allDomains = organisations.flatMap((o) => o.domains.map((d) => d.split("=")[0] as string));

async function register(db: string, orgs = organisations): Promise<void> {
  for (const [i, org] of orgs.entries()) {
    const added = await cli([
      "registry",
      "add",
      "--db",
      db,
      "--name",
      org.name,
      "--contact",
      `pm${i}@lab.test`,
      "--adhesion",
      "2026-01-01",
      ...org.domains.flatMap((d) => ["--domain", d]),
    ]);
    expect(added.code, added.stderr).toBe(0);
  }
}

const charterStatuses = (measures: ReadonlyArray<{ id: string; status: string; charter: boolean }>) =>
  Object.fromEntries(measures.filter((m) => m.charter).map((m) => [m.id, m.status]));

describe("monitor run-once on the lab domains", () => {
  const db = join(dir, "monitor.sqlite");
  let first: MonitorReport;
  let firstCode = -1;
  let audits: AuditReport[] = [];

  beforeAll(async () => {
    writeFileSync(geoFile, labGeo);
    await register(db);
    const run = await cli(["monitor", "run-once", "--db", db, "--json", ...network()]);
    firstCode = run.code;
    first = JSON.parse(run.stdout) as MonitorReport;
    const audit = await cli(["audit", ...allDomains, "--json", ...network()]);
    audits = JSON.parse(audit.stdout) as AuditReport[];
  }, 600_000);

  it("audits every registered domain once, in one cycle, and prints the documented JSON", () => {
    expect(firstCode).toBe(0);
    const valid = monitorReportSchema.safeParse(first);
    expect(valid.success, JSON.stringify(valid.error?.issues.slice(0, 3))).toBe(true);
    expect(first.schema).toBe("mailcharter/monitor/1");
    expect(first.outcome).toBe("ran");
    expect(first.cycle).toMatchObject({ id: 1, status: "done", resumed: false, planned: allDomains.length });
    expect(first.audits.map((a) => a.domain).sort()).toEqual([...allDomains].sort());
    expect(first.audits.every((a) => a.status === "done" && a.trigger === "schedule")).toBe(true);
    expect(first.detections).toEqual([]);
    expect(first.incidents).toEqual([]);
  });

  it("stores audits whose verdicts and charter statuses are those of `mailcharter audit`", async () => {
    const store = await openStore(db);
    try {
      const history = await AuditHistory.open(store);
      for (const domain of allDomains) {
        const direct = audits.find((r) => r.domain === domain);
        const runs = await history.listAudits(domain);
        expect(runs, domain).toHaveLength(1);
        const stored = await history.getAudit(runs[0]?.id ?? 0);
        expect(stored?.report?.schema).toBe("mailcharter/audit/1");
        expect([domain, stored?.verdict]).toEqual([domain, direct?.verdict]);
        expect(charterStatuses(stored?.report?.measures ?? [])).toEqual(
          charterStatuses(direct?.measures ?? []),
        );
      }
      const latest = await history.latestPerDomain();
      expect(latest.map((l) => l.domain).sort()).toEqual([...allDomains].sort());
      expect(latest.find((l) => l.domain === "good.lab.test")?.verdict).toBe("compliant");
      expect(latest.find((l) => l.domain === "nostarttls.lab.test")?.verdict).toBe("non_compliant");
      const matrix = await history.statusMatrix();
      expect(matrix.rows.find((r) => r.organisation === "Lab Broken")?.measures["mx.starttls"]).toBe("fail");
      expect(matrix.rows.find((r) => r.organisation === "Lab Good")?.measures["mx.starttls"]).toBe("pass");
    } finally {
      await store.close();
    }
  });

  it("probes each MX endpoint once per cycle, even when several domains name it", () => {
    expect(first.stats.endpointReferences).toBeGreaterThan(first.stats.uniqueEndpoints);
    // mail.good and mail.expired serve mixed.lab.test too: at least two endpoints are shared.
    expect(first.stats.endpointReferences - first.stats.uniqueEndpoints).toBeGreaterThanOrEqual(2);
    expect(first.stats.connections).toBeGreaterThan(first.stats.uniqueEndpoints);
    console.log(
      `monitor cycle of ${first.audits.length} lab domains: ${first.stats.durationMs} ms, ${first.stats.uniqueEndpoints} endpoints for ${first.stats.endpointReferences} references, ${first.stats.connections} connections`,
    );
  });

  it("finds nothing due on a second run, and says so in the readable output", async () => {
    const again = await cli(["monitor", "run-once", "--db", db, ...network()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Cycle 2: 0 domain\(s\) audited/m);
    expect(again.stdout).toMatch(/^Detections: 0$/m);
    expect(again.stdout).toMatch(/^Incidents: 0$/m);
  });
});

describe("monitor run-once killed with SIGKILL mid-cycle", () => {
  it("resumes the cycle: every domain has exactly one audit, none stored before the kill is lost", async () => {
    const db = join(dir, "killed.sqlite");
    writeFileSync(geoFile, labGeo);
    await register(db);
    const child: ChildProcess = spawn(
      "node",
      ["dist/cli/main.js", "monitor", "run-once", "--db", db, "--json", "--concurrency", "1", ...network()],
      { stdio: "ignore" },
    );
    const store = await openStore(db);
    let before: { domain: string; id: number }[] = [];
    try {
      const history = await AuditHistory.open(store);
      const deadline = Date.now() + 240_000;
      for (;;) {
        const runs = (await Promise.all(allDomains.map((d) => history.listAudits(d)))).flat();
        before = runs.filter((r) => r.status === "done").map((r) => ({ domain: r.domain, id: r.id }));
        if (before.length >= 3 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      expect(before.length).toBeGreaterThanOrEqual(3);
      expect(before.length).toBeLessThan(allDomains.length);

      const resumed = await cli(["monitor", "run-once", "--db", db, "--json", ...network()]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const doc = JSON.parse(resumed.stdout) as MonitorReport;
      expect(doc.cycle).toMatchObject({ id: 1, status: "done", resumed: true });
      expect(doc.audits.map((a) => a.domain).sort()).toEqual([...allDomains].sort());
      for (const domain of allDomains) {
        const runs = await history.listAudits(domain);
        expect(
          runs.map((r) => [r.status, r.cycleId]),
          domain,
        ).toEqual([["done", 1]]);
      }
      for (const done of before)
        expect((await history.listAudits(done.domain))[0]?.id, done.domain).toBe(done.id);
      // Nothing more is due: a third run audits nothing.
      const third = JSON.parse(
        (await cli(["monitor", "run-once", "--db", db, "--json", ...network()])).stdout,
      );
      expect(third.audits).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await store.close();
    }
  }, 600_000);
});
