/**
 * What the impact of a proposed annex is computed from, read from the store: every signatory in force
 * on a date, the profile of the version it accepted, and the latest finished audit of each of its
 * domains (the full stored report). Nothing is probed.
 */
import type { AuditReport } from "../audit/audit.js";
import { AuditHistory } from "../monitor/history-store.js";
import { inForceAt } from "../registry/model.js";
import { Registry } from "../registry/repository.js";
import type { Store } from "../store/database.js";
import { AnnexError, AnnexStore } from "./annex-store.js";
import type { ImpactSignatory } from "./impact.js";

export async function impactInputs(store: Store, at: string): Promise<ImpactSignatory[]> {
  const registry = await Registry.open(store);
  const annex = await AnnexStore.open(store);
  const history = await AuditHistory.open(store);
  const latest = new Map((await history.latestPerDomain()).map((l) => [l.domain, l.runId]));
  const signatories = (await registry.entries()).filter((e) => inForceAt(e.signatory, at));
  const out: ImpactSignatory[] = [];
  for (const entry of signatories) {
    const version = entry.signatory.charterVersion;
    const accepted = await annex.annexOfVersion(version);
    if (!accepted)
      throw new AnnexError("not_found", `${entry.signatory.name}: no charter version ${version}`);
    const domains = [];
    for (const d of entry.domains) {
      const runId = latest.get(d.domain);
      const run = runId === undefined ? null : await history.getAudit(runId);
      const report: AuditReport | null = run?.report ?? null;
      domains.push({ domain: d.domain, audit: report && runId !== undefined ? { runId, report } : null });
    }
    out.push({
      organisation: entry.signatory.name,
      acceptedVersion: version,
      baseline: accepted.profile,
      domains,
    });
  }
  return out;
}
