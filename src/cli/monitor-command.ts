/**
 * `mailcharter monitor run-once [--db …] [--json]`: one scheduler cycle now — the registered domains
 * due are audited (an interrupted cycle is resumed), stored in the history, and listed. The same
 * functions as the service's scheduler (src/monitor); a second process finds the cycle lease held.
 */
import type { Command } from "commander";
import { AnnexStore } from "../annex/annex-store.js";
import { territory } from "../audit/measures/territory.js";
import type { Lang } from "../audit/report/endpoint-text.js";
import { incidentLimits, monitorLimits } from "../core/limits.js";
import { engineAuditor } from "../monitor/audit-job.js";
import { type MonitorIncident, type MonitorReport, monitorReport } from "../monitor/cycle-report.js";
import type { AuditRun } from "../monitor/history-store.js";
import type { Incident } from "../monitor/incidents/incident.js";
import { confirmJobPrefix } from "../monitor/incidents/watch.js";
import { type Monitor, type MonitorOptions, openMonitor } from "../monitor/monitor.js";
import { defaultNotifyConfigPath, deliverOnce } from "../notify/notify-service.js";
import { outboundLookup } from "../outbound/audit-lookup.js";
import { openStore, type Store } from "../store/database.js";
import type { CommandIo } from "./command.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { networkOptions } from "./network-options.js";
import { parseCount, parseCountryOption, parseLang } from "./options.js";

export interface MonitorCommandOptions extends NetworkCommandOptions {
  readonly db?: string;
  readonly country?: string;
  readonly geoFile?: string[];
  readonly concurrency?: string;
  readonly confirmPause?: string;
}

export type MonitorIo = CommandIo;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The command module's entry (run.ts). */
export function register(program: Command, io: CommandIo): void {
  registerMonitor(program, io, networkOptions);
}

/**
 * The monitor of a store with the engine configured from command-line options (validated here, before
 * any traffic): what `monitor run-once` uses, and what `serve` passes as its `monitor`.
 */
export function monitorFactory(
  options: MonitorCommandOptions,
  extra: Partial<Omit<MonitorOptions, "store" | "auditor">> = {},
): (store: Store) => Promise<Monitor> {
  const concurrency = parseCount(options.concurrency, "--concurrency", monitorLimits.concurrency, 1, 64);
  const confirmPauseSeconds = parseCount(
    options.confirmPause,
    "--confirm-pause",
    incidentLimits.confirmPauseMs / 1000,
    0,
    3600,
  );
  const countries = parseCountryOption(options.country);
  const geo = territory({ countries, geoFiles: options.geoFile ?? [] });
  const { network, probeOptions } = commandContext(options, process.stderr);
  return async (store) => {
    const annex = await AnnexStore.open(store);
    return openMonitor({
      store,
      concurrency,
      incidentLimits: { confirmPauseMs: confirmPauseSeconds * 1000 },
      // mx.outbound-tls: the latest outbound test of each domain, from the same store.
      auditor: (cache) =>
        engineAuditor(
          { ...probeOptions, territory: geo, outbound: outboundLookup(store) },
          network,
          () => cache,
          (d) => annex.annexOfDomain(d),
        ),
      ...extra,
    });
  };
}

export async function monitorRunOnce(options: MonitorCommandOptions, io: MonitorIo): Promise<number> {
  const errors: unknown[] = [];
  const factory = monitorFactory(options, {
    // Only the cycle's audits: on-demand requests queued by a server are the server's to run.
    accept: (run) => run.cycleId !== null || run.jobKey.startsWith(confirmJobPrefix),
    confirmTimers: false,
    onError: (error) => errors.push(error),
  });
  const lang = parseLang(options.lang);
  const started = Date.now();
  const store = await openStore(options.db, { create: false });
  try {
    const monitor = await factory(store);
    // SIGTERM or Ctrl-C: audits running get the grace period, the rest is re-queued for the next run.
    const stop = () => void monitor.stop();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    let outcome: Awaited<ReturnType<typeof monitor.runCycle>>;
    try {
      outcome = await monitor.runCycle();
    } finally {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
    }
    const seen = monitor.watch.take();
    // The cycle's audits, then the confirming audits the detections point at.
    const runIds = [
      ...new Set([...outcome.runs.map((r) => r.id), ...seen.detections.map((d) => d.detection.runId)]),
    ];
    const runs = (await Promise.all(runIds.map((id) => monitor.history.getAudit(id)))).filter(
      (r): r is AuditRun => r !== null,
    );
    const lastChange = new Map<number, (typeof seen.changes)[number]["change"]>();
    for (const c of seen.changes)
      if (c.change !== "ongoing" || !lastChange.has(c.incidentId)) lastChange.set(c.incidentId, c.change);
    const incidents: { incident: Incident; change: MonitorIncident["change"] }[] = [];
    for (const [id, change] of lastChange) {
      const incident = await monitor.incidents.get(id);
      if (incident) incidents.push({ incident, change });
    }
    // The indicator detections of the cycle, and the incidents they changed.
    const evaluated = monitor.indicators.take().at(-1) ?? null;
    for (const c of evaluated?.changes ?? []) {
      const incident = await monitor.incidents.get(c.incidentId);
      if (incident) incidents.push({ incident, change: c.change });
    }
    const reported = new Set(incidents.map((i) => i.incident.id));
    for (const d of evaluated?.detections ?? [])
      if (d.incidentId !== null && !reported.has(d.incidentId)) {
        const incident = await monitor.incidents.get(d.incidentId);
        if (incident) incidents.push({ incident, change: "ongoing" });
        reported.add(d.incidentId);
      }
    const report = monitorReport(
      outcome,
      runs,
      Date.now() - started,
      { detections: seen.detections, incidents },
      evaluated,
    );
    // The cycle's notices (and any left from before) go out now, through the configured channels.
    const delivery = await deliverOnce(store, defaultNotifyConfigPath(options.db, undefined));
    if (delivery.attempted > 0)
      io.err.write(
        `mailcharter: notify: ${delivery.sent} sent, ${delivery.retrying} to retry, ${delivery.failed} given up\n`,
      );
    io.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, lang));
    for (const error of errors) io.err.write(`mailcharter: monitor: ${String(error)}\n`);
    if (
      outcome.status === "ran" &&
      !outcome.resumed &&
      runs.length === 0 &&
      outcome.deferred.length === 0 &&
      (await monitor.history.latestPerDomain()).length === 0
    )
      io.err.write(
        "mailcharter: monitor: no domain audited: the registry has no signatory in force with a domain (registry add)\n",
      );
    if (outcome.status === "held")
      io.err.write(
        `mailcharter: monitor: another process holds the cycle (${outcome.heldBy ?? "?"}); nothing run\n`,
      );
    return errors.length > 0 || runs.some((r) => r.status === "failed") ? 2 : 0;
  } finally {
    await store.close();
  }
}

function renderText(report: MonitorReport, lang: Lang): string {
  const fr = lang === "fr";
  const lines: string[] = [];
  const { stats } = report;
  if (!report.cycle) {
    lines.push(
      fr ? "Aucun cycle : un autre processus tient le cycle." : "No cycle: another process holds it.",
    );
  } else {
    const resumed = report.cycle.resumed ? (fr ? " (repris)" : " (resumed)") : "";
    lines.push(
      fr
        ? `Cycle ${report.cycle.id}${resumed} : ${report.audits.length} domaine(s) audité(s) en ${(stats.durationMs / 1000).toFixed(1)} s ; ${stats.uniqueEndpoints} point(s) d'accès sondé(s) une fois pour ${stats.endpointReferences} mention(s), ${stats.connections} connexion(s)`
        : `Cycle ${report.cycle.id}${resumed}: ${report.audits.length} domain(s) audited in ${(stats.durationMs / 1000).toFixed(1)} s; ${stats.uniqueEndpoints} endpoint(s) probed once for ${stats.endpointReferences} reference(s), ${stats.connections} connection(s)`,
    );
  }
  const width = Math.max(8, ...report.audits.map((a) => a.domain.length));
  for (const a of report.audits)
    lines.push(
      `  ${a.domain.padEnd(width)}  ${(a.verdict ?? a.status).padEnd(14)}  ${a.finishedAt ?? ""}  ${a.organisation ?? ""}${a.error ? `  ${a.error}` : ""}`,
    );
  if (report.deferred.length > 0)
    lines.push(
      `${fr ? "Déjà en file (à la demande)" : "Already queued on demand"}: ${report.deferred.join(", ")}`,
    );
  const shown = report.detections.filter((d) => d.severity !== "could_not_check");
  const unchecked = report.detections.length - shown.length;
  lines.push(
    fr
      ? `Détections : ${shown.length}${unchecked > 0 ? ` ; non vérifiables : ${unchecked}` : ""}`
      : `Detections: ${shown.length}${unchecked > 0 ? `; could not check: ${unchecked}` : ""}`,
  );
  for (const d of report.detections)
    lines.push(
      `  [${d.step}] ${d.domain}  ${d.kind}  ${d.message}${d.incidentId !== null ? `  #${d.incidentId}` : ""}`,
    );
  const ind = report.indicators;
  if (ind) {
    lines.push(
      fr
        ? `Indicateurs (${ind.day}) : ${ind.links.evaluated} lien(s) évalué(s) (${ind.links.learning} en apprentissage, ${ind.links.quiet} sans volume récent, ${ind.links.dropped} en baisse), ${ind.domains} domaine(s) TLS-RPT ; détections : ${ind.detections.length}`
        : `Indicators (${ind.day}): ${ind.links.evaluated} link(s) evaluated (${ind.links.learning} learning, ${ind.links.quiet} without recent volume, ${ind.links.dropped} dropped), ${ind.domains} TLS-RPT domain(s); detections: ${ind.detections.length}`,
    );
    for (const d of ind.detections)
      lines.push(`  [${d.step}] ${d.kind}  ${d.message}${d.incidentId !== null ? `  #${d.incidentId}` : ""}`);
  }
  lines.push(fr ? `Incidents : ${report.incidents.length}` : `Incidents: ${report.incidents.length}`);
  for (const i of report.incidents) {
    const restore =
      i.timeToRestoreMs !== null
        ? `  ${fr ? "rétabli en" : "restored in"} ${Math.round(i.timeToRestoreMs / 1000)} s`
        : "";
    lines.push(
      `  #${i.id} ${i.state.padEnd(12)} ${i.change.padEnd(9)} ${i.domain}  ${i.kind}  ${i.endpoint ?? ""}${restore}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Registers `monitor run-once` with the network options every network command takes. */
export function registerMonitor(
  program: Command,
  io: MonitorIo,
  networkOptions: (command: Command, json: string | null) => Command,
): void {
  const monitor = program
    .command("monitor")
    .description("The monitor: scheduled audits of every registered domain, kept in the history");
  const runOnce = monitor
    .command("run-once")
    .description("Run one cycle now: audit the registered domains that are due and store the audits")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--country <cc[,cc...]>", "territory for mx.territory (default: France and its overseas codes)")
    .option(
      "--geo-file <path>",
      "extra IP ranges (CIDR,CC or FIRST,LAST,CC) that win over the bundled database; repeatable",
      collect,
    )
    .option("--concurrency <n>", `domains audited at once (default ${monitorLimits.concurrency})`)
    .option(
      "--confirm-pause <seconds>",
      `pause before a suspected interruption is probed again to confirm it (default ${incidentLimits.confirmPauseMs / 1000})`,
    );
  networkOptions(
    runOnce,
    "print mailcharter/monitor/1, the cycle's report (schema/monitor.schema.json)",
  ).action(async (options: MonitorCommandOptions) => {
    io.setExit(await monitorRunOnce(options, io));
  });
}
