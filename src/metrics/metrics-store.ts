/**
 * The figures `/metrics` shows, read from the store in one place: audits by outcome, the states of
 * the latest audit of each domain (verdicts, endpoints, measures), the incidents not resolved, TLS-RPT reports and MTA-log
 * sessions ingested, the outbox and its deliveries, and the scheduler's lag. Counts only: no name,
 * address or organisation is exposed.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/database.js";

export interface Labelled {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricsSnapshot {
  readonly audits: readonly Labelled[];
  readonly verdicts: readonly Labelled[];
  readonly endpoints: readonly Labelled[];
  readonly measures: readonly Labelled[];
  readonly tlsrptReports: readonly Labelled[];
  readonly logSessions: readonly Labelled[];
  readonly incidents: readonly Labelled[];
  readonly outbox: readonly Labelled[];
  readonly deliveries: readonly Labelled[];
  readonly noticesUnaddressed: number;
  readonly domainsDue: number;
  readonly schedulerLagSeconds: number;
}

const n = (v: unknown) => Number(v ?? 0);

export async function readMetrics(db: Kysely<Database>, now: Date): Promise<MetricsSnapshot> {
  const audits = await db
    .selectFrom("audit_runs")
    .select(["status", "verdict", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["status", "verdict"])
    .execute();
  const latest = db
    .selectFrom("audit_runs")
    .select((eb) => eb.fn.max("id").as("id"))
    .where("status", "=", "done")
    .groupBy("domain");
  const verdicts = await db
    .selectFrom("audit_runs")
    .select(["verdict", (eb) => eb.fn.countAll<number>().as("n")])
    .where("id", "in", latest)
    .groupBy("verdict")
    .execute();
  const endpoints = await db
    .selectFrom("audit_endpoints")
    .select(["outcome", (eb) => eb.fn.countAll<number>().as("n")])
    .where("run_id", "in", latest)
    .groupBy("outcome")
    .execute();
  const measures = await db
    .selectFrom("audit_measures")
    .select(["measure_id", "status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("run_id", "in", latest)
    .groupBy(["measure_id", "status"])
    .execute();
  const tlsrpt = await db
    .selectFrom("tlsrpt_reports")
    .select(["door", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("door")
    .execute();
  const sessions = await db
    .selectFrom("log_sessions")
    .select(["direction", "tls_class", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["direction", "tls_class"])
    .execute();
  const incidents = await db
    .selectFrom("incidents")
    .select(["state", "severity", (eb) => eb.fn.countAll<number>().as("n")])
    .where("state", "!=", "resolved")
    .groupBy(["state", "severity"])
    .execute();
  const outbox = await db
    .selectFrom("notify_outbox")
    .select(["channel", "state", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["channel", "state"])
    .execute();
  const deliveries = await db
    .selectFrom("notify_deliveries")
    .select(["channel", "result", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["channel", "result"])
    .execute();
  const unaddressed = await db
    .selectFrom("notify_notices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("expanded_at", "is", null)
    .executeTakeFirstOrThrow();
  const stamp = now.toISOString();
  const due = await db
    .selectFrom("monitor_schedule")
    .select([(eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.min("next_due_at").as("oldest")])
    .where("next_due_at", "<=", stamp)
    .executeTakeFirstOrThrow();
  const oldest = due.oldest ? Date.parse(String(due.oldest)) : Number.NaN;
  return {
    audits: audits.map((r) => ({
      labels: { status: r.status, verdict: r.verdict ?? "none" },
      value: n(r.n),
    })),
    verdicts: verdicts.map((r) => ({ labels: { verdict: r.verdict ?? "none" }, value: n(r.n) })),
    endpoints: endpoints.map((r) => ({ labels: { outcome: r.outcome }, value: n(r.n) })),
    measures: measures.map((r) => ({ labels: { measure: r.measure_id, status: r.status }, value: n(r.n) })),
    tlsrptReports: tlsrpt.map((r) => ({ labels: { door: r.door }, value: n(r.n) })),
    logSessions: sessions.map((r) => ({
      labels: { direction: r.direction, tls_class: r.tls_class },
      value: n(r.n),
    })),
    incidents: incidents.map((r) => ({ labels: { state: r.state, severity: r.severity }, value: n(r.n) })),
    outbox: outbox.map((r) => ({ labels: { channel: r.channel, state: r.state }, value: n(r.n) })),
    deliveries: deliveries.map((r) => ({ labels: { channel: r.channel, result: r.result }, value: n(r.n) })),
    noticesUnaddressed: n(unaddressed.n),
    domainsDue: n(due.n),
    schedulerLagSeconds: Number.isNaN(oldest) ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
  };
}
