/**
 * The Prometheus text exposition of a metrics snapshot (prom-client, a registry of our own per
 * scrape — never the process-global one, so nothing else registered in the process leaks out). Pure
 * apart from prom-client; the figures come from src/metrics/metrics-store.ts.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { Labelled, MetricsSnapshot } from "./metrics-store.js";

export const metricsContentType = "text/plain; version=0.0.4; charset=utf-8";

export async function exposition(snapshot: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string, rows: readonly Labelled[], labelNames: string[]) => {
    const g = new Gauge({ name, help, labelNames, registers: [registry] });
    for (const r of rows) g.set(r.labels, r.value);
  };
  const counter = (name: string, help: string, rows: readonly Labelled[], labelNames: string[]) => {
    const c = new Counter({ name, help, labelNames, registers: [registry] });
    for (const r of rows) c.inc(r.labels, r.value);
  };
  counter("mailcharter_audits_total", "Audits recorded, by status and verdict.", snapshot.audits, [
    "status",
    "verdict",
  ]);
  gauge(
    "mailcharter_domains_by_verdict",
    "Domains by the verdict of their latest completed audit.",
    snapshot.verdicts,
    ["verdict"],
  );
  gauge(
    "mailcharter_endpoints_by_outcome",
    "Endpoints of the latest audits, by probe outcome.",
    snapshot.endpoints,
    ["outcome"],
  );
  gauge(
    "mailcharter_measures_by_status",
    "Measure results of the latest audits, by measure and status.",
    snapshot.measures,
    ["measure", "status"],
  );
  counter("mailcharter_tlsrpt_reports_total", "TLS-RPT reports stored, by door.", snapshot.tlsrptReports, [
    "door",
  ]);
  counter(
    "mailcharter_log_sessions_total",
    "MTA-log sessions stored, by direction and TLS class.",
    snapshot.logSessions,
    ["direction", "tls_class"],
  );
  gauge(
    "mailcharter_incidents_unresolved",
    "Incidents open or acknowledged, by state and severity.",
    snapshot.incidents,
    ["state", "severity"],
  );
  gauge(
    "mailcharter_outbox_messages",
    "Outgoing messages, by channel and state (pending is the queue depth).",
    snapshot.outbox,
    ["channel", "state"],
  );
  counter(
    "mailcharter_delivery_attempts_total",
    "Delivery attempts, by channel and result.",
    snapshot.deliveries,
    ["channel", "result"],
  );
  new Gauge({
    name: "mailcharter_notices_unaddressed",
    help: "Notices not yet addressed to recipients.",
    registers: [registry],
  }).set(snapshot.noticesUnaddressed);
  new Gauge({
    name: "mailcharter_domains_due",
    help: "Domains whose scheduled audit is due.",
    registers: [registry],
  }).set(snapshot.domainsDue);
  new Gauge({
    name: "mailcharter_scheduler_lag_seconds",
    help: "How late the most overdue scheduled audit is.",
    registers: [registry],
  }).set(snapshot.schedulerLagSeconds);
  return registry.metrics();
}
