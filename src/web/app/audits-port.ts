/**
 * The audit history port over src/monitor: reads from its AuditHistory; on-demand requests go to the
 * monitor's queue when this process runs one (it starts them at once), else they are only recorded as
 * queued in the history (a `monitor run-once` or a worker runs them).
 */
import type { AuditHistory, Enqueued } from "../../monitor/history-store.js";
import type { ScheduleStore } from "../../monitor/schedule-store.js";
import type { AuditHistoryPort, LatestVerdict } from "../context.js";

export type RequestAudit = (request: {
  domain: string;
  requestedBy: string;
  idempotencyKey: string;
}) => Promise<Enqueued>;

export function historyPort(
  history: AuditHistory,
  schedule: ScheduleStore,
  requestAudit?: RequestAudit,
): AuditHistoryPort {
  return {
    async latestVerdicts(domains) {
      const wanted = new Set(domains);
      const map = new Map<string, LatestVerdict>();
      for (const l of await history.latestPerDomain())
        if (wanted.has(l.domain)) map.set(l.domain, { verdict: l.verdict, finishedAt: l.finishedAt });
      return map;
    },
    list: (domain, page) => history.listAudits(domain, page),
    get: (id) => history.getAudit(id),
    async previousDone(domain, id) {
      for (let offset = 0; offset < 5_000; offset += 100) {
        const page = await history.listAudits(domain, { limit: 100, offset });
        const found = page.find((r) => r.id < id && r.status === "done");
        if (found) return history.getAudit(found.id);
        if (page.length < 100) return null;
      }
      return null;
    },
    async schedule(domain) {
      const [found] = await schedule.schedule([domain]);
      if (!found) throw new Error(`no schedule for ${domain}`);
      return found;
    },
    statusMatrix: (at) => history.statusMatrix(at),
    schedules: (domains) => schedule.schedule(domains),
    setCadence: (domain, seconds) => schedule.setCadence(domain, seconds, Date.now()),
    request: (request) =>
      requestAudit ? requestAudit(request) : history.requestOnDemand(request, Date.now()),
  };
}
