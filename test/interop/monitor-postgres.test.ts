/**
 * `monitor run-once --db postgres://…` on the lab's PostgreSQL: two processes started together share
 * one cycle lease — each registered domain is audited once, whichever process runs the cycle.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { MonitorReport } from "../../src/monitor/cycle-report.js";
import { AuditHistory } from "../../src/monitor/history-store.js";
import { openStore } from "../../src/store/database.js";
import { labGeo } from "./lab/lab.js";

const lab = inject("lab");
const base = inject("postgresUrl");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-monitor-pg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

describe("monitor run-once on PostgreSQL", () => {
  it("two processes at once: one cycle, each domain audited once", async () => {
    const name = `monitor_${process.pid}`;
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = base.replace(/\/postgres$/, `/${name}`);
    const geoFile = join(dir, "geo.csv");
    writeFileSync(geoFile, labGeo);
    const domains = ["good.lab.test", "nostarttls.lab.test", "mixed.lab.test"];
    const added = await cli([
      "registry",
      "add",
      "--db",
      url,
      "--name",
      "Lab PG",
      "--contact",
      "pm@lab.test",
      "--adhesion",
      "2026-01-01",
      "--domain",
      "good.lab.test=mail.good.lab.test",
      "--domain",
      "nostarttls.lab.test=mail.nostarttls.lab.test",
      "--domain",
      "mixed.lab.test=mail.good.lab.test,mail.expired.lab.test",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const args = [
      "monitor",
      "run-once",
      "--db",
      url,
      "--json",
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
    const [a, b] = await Promise.all([cli(args), cli(args)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const docs = [a, b].map((r) => JSON.parse(r.stdout) as MonitorReport);
    const audited = docs.flatMap((d) => d.audits.map((x) => x.domain)).sort();
    expect(audited).toEqual([...domains].sort());
    // The other process either found the lease held or, started after, found nothing due.
    expect(docs.some((d) => d.outcome === "held" || d.audits.length === 0)).toBe(true);
    const store = await openStore(url);
    try {
      const history = await AuditHistory.open(store);
      for (const domain of domains)
        expect((await history.listAudits(domain)).map((r) => r.status)).toEqual(["done"]);
      const latest = await history.latestPerDomain();
      expect(latest.find((l) => l.domain === "good.lab.test")?.verdict).toBe("compliant");
      expect(latest.find((l) => l.domain === "nostarttls.lab.test")?.verdict).toBe("non_compliant");
    } finally {
      await store.close();
    }
  }, 600_000);
});
