/**
 * The indicator watch: detection from the indicators, in every monitor cycle (`monitor run-once`, and
 * `serve`'s scheduler tick) — the per-link figures of the logs and TLS-RPT reports as stored so far,
 * against each link's and domain's own past. Not per ingested chunk: the figures are daily, and a day's
 * figures evaluated twice give the same verdict (one timeline step per new day, never per evaluation).
 *
 * - Links (src/monitor/detection/link-share.ts): every ordered pair of signatories, each source of
 *   figures apart; a drop on any source opens the link's incident (subject `link:o:S>o:R`), whose
 *   baselines are then frozen until the figures recover.
 * - TLS-RPT (src/monitor/detection/tlsrpt-new-type.ts): every signatory's policy domain; one incident
 *   per domain and new result type (subject `tlsrpt:domain|type`), with the reports as evidence.
 *
 * ```ts
 * const indicators = new IndicatorWatch({ store, clock, tell: indicatorOutboxTeller });
 * const outcome = await indicators.evaluate();   // detections with their steps, incidents changed
 * ```
 */
import { linkDetectionLimits } from "../../core/limits.js";
import { partyDirectory } from "../../indicators/links/directory.js";
import type { FigureSource } from "../../indicators/links/figures.js";
import { linkFigures } from "../../indicators/links/link-figures.js";
import type { Party, PartyDirectory } from "../../indicators/links/parties.js";
import { TlsRptStore } from "../../indicators/tlsrpt/report-store.js";
import type { Clock } from "../../net/clock.js";
import { Registry } from "../../registry/repository.js";
import type { Store } from "../../store/database.js";
import {
  addDays,
  evaluateShare,
  percent,
  type ShareBaseline,
  type ShareDay,
  type ShareVerdict,
} from "../detection/link-share.js";
import {
  type NewTypeDetection,
  newFailureTypes,
  typeStatus,
  typeWindows,
} from "../detection/tlsrpt-new-type.js";
import type { Incident } from "./incident.js";
import type { Applied, Teller } from "./incident-store.js";
import {
  type IndicatorDetection,
  type IndicatorStatus,
  type IndicatorStep,
  planIndicators,
} from "./indicator-plan.js";
import { IndicatorIncidentStore } from "./indicator-store.js";

export type IndicatorLimits = typeof linkDetectionLimits;

export interface IndicatorWatchOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly tell?: Teller;
  readonly limits?: Partial<IndicatorLimits>;
}

export interface IndicatorOutcome {
  /** The day evaluated (the clock's UTC day). */
  readonly day: string;
  readonly links: Readonly<Record<"evaluated" | "learning" | "quiet" | "steady" | "dropped", number>>;
  readonly domains: number;
  readonly detections: readonly {
    readonly detection: IndicatorDetection;
    readonly step: IndicatorStep;
    readonly incidentId: number | null;
  }[];
  readonly changes: readonly Applied[];
}

interface SourceEvidence {
  readonly source: FigureSource;
  readonly status: ShareVerdict["status"];
  readonly reason?: string;
  readonly baseline?: ShareBaseline;
  readonly threshold?: number;
  readonly observed?: readonly {
    day: string;
    sessions: number;
    verified: number;
    share: number;
    upper: number;
  }[];
}

const linkSubject = (sender: Party, receiver: Party) => `link:${sender.key}>${receiver.key}`;
const sourceOrder: readonly FigureSource[] = ["sender-log", "receiver-log", "tlsrpt"];

export class IndicatorWatch {
  readonly limits: IndicatorLimits;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly seen: IndicatorOutcome[] = [];
  private opened: Promise<{
    incidents: IndicatorIncidentStore;
    registry: Registry;
    reports: TlsRptStore;
  }> | null = null;
  private lastRunAt: number | null = null;

  constructor(private readonly options: IndicatorWatchOptions) {
    this.limits = { ...linkDetectionLimits, ...options.limits };
  }

  /** One evaluation (serialised in this process). */
  evaluate(): Promise<IndicatorOutcome> {
    const next = this.chain.then(
      () => this.run(),
      () => this.run(),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** `serve`'s tick: an evaluation when the last one is older than `evaluateEveryMs` (else null). */
  async evaluateIfDue(): Promise<IndicatorOutcome | null> {
    const last = this.lastRunAt;
    if (last !== null && this.options.clock.now() - last < this.limits.evaluateEveryMs) return null;
    return this.evaluate();
  }

  /** The outcomes since the last call (for `monitor run-once`). */
  take(): IndicatorOutcome[] {
    return this.seen.splice(0);
  }

  private async run(): Promise<IndicatorOutcome> {
    const { store, clock } = this.options;
    const limits = this.limits;
    const nowMs = clock.now();
    const now = new Date(nowMs).toISOString();
    const today = now.slice(0, 10);
    this.lastRunAt = nowMs;
    this.opened ??= (async () => ({
      incidents: await IndicatorIncidentStore.open(store),
      registry: await Registry.open(store),
      reports: await TlsRptStore.open(store),
    }))();
    const { incidents, registry, reports } = await this.opened;
    const directory = partyDirectory(await registry.entries());
    const known = await incidents.known(new Date(nowMs - limits.flapWindowDays * 86_400_000).toISOString());
    const links = await this.links(directory, today, known);
    const types = await this.types(reports, directory, today, known);
    const plan = planIndicators({
      now,
      flapWindowMs: limits.flapWindowDays * 86_400_000,
      detections: [...links.detections, ...types.detections],
      statuses: [...links.statuses, ...types.statuses],
      incidents: known,
    });
    const changes = await incidents.apply(plan.actions, now, this.options.tell);
    const after = await incidents.known(new Date(nowMs - limits.flapWindowDays * 86_400_000).toISOString());
    const open = new Map(
      after.filter((i) => i.state !== "resolved").map((i) => [`${i.subject}#${i.kind}`, i.id]),
    );
    const outcome: IndicatorOutcome = {
      day: today,
      links: links.counts,
      domains: types.domains,
      detections: plan.steps.map((s) => ({
        ...s,
        incidentId: open.get(`${s.detection.subject}#${s.detection.kind}`) ?? null,
      })),
      changes,
    };
    this.seen.push(outcome);
    return outcome;
  }

  /** Link share detections and the statuses of the link incidents. */
  private async links(directory: PartyDirectory, today: string, known: readonly Incident[]) {
    const limits = this.limits;
    const from = addDays(today, -(limits.baselineDays + limits.staleDays + limits.confirmDays));
    const rows = await linkFigures(this.options.store, directory, { from, to: today });
    const series = new Map<
      string,
      { sender: Party; receiver: Party; sources: Map<FigureSource, ShareDay[]> }
    >();
    for (const r of rows) {
      if (r.sender.organisationId === null || r.receiver.organisationId === null) continue;
      if (r.sender.organisationId === r.receiver.organisationId) continue;
      const subject = linkSubject(r.sender, r.receiver);
      const link = series.get(subject) ?? { sender: r.sender, receiver: r.receiver, sources: new Map() };
      const days = link.sources.get(r.source) ?? [];
      days.push({ day: r.day, sessions: r.sessions, verified: r.classes.verified });
      link.sources.set(r.source, days);
      series.set(subject, link);
    }
    // The last good state of a link with an incident (open, or resolved within the flapping window).
    const frozen = new Map<string, Incident>();
    for (const i of known)
      if (i.kind === "link_share_drop") {
        const prev = frozen.get(i.subject);
        if (!prev || prev.state === "resolved") frozen.set(i.subject, i);
      }
    const detections: IndicatorDetection[] = [];
    const statuses: IndicatorStatus[] = [];
    const counts = { evaluated: 0, learning: 0, quiet: 0, steady: 0, dropped: 0 };
    for (const [subject, link] of series) {
      counts.evaluated++;
      const incident = frozen.get(subject);
      const baselines = frozenBaselines(incident);
      const evidence: SourceEvidence[] = [];
      for (const source of sourceOrder) {
        const days = link.sources.get(source);
        if (!days) continue;
        const verdict = evaluateShare(days, today, limits, baselines.get(source) ?? null);
        evidence.push(
          verdict.status === "learning" || verdict.status === "quiet"
            ? { source, status: verdict.status, reason: verdict.reason }
            : {
                source,
                status: verdict.status,
                baseline: verdict.baseline,
                threshold: verdict.threshold,
                observed: verdict.observed.map((o) => ({
                  day: o.day,
                  sessions: o.sessions,
                  verified: o.verified,
                  share: o.share,
                  upper: o.upper,
                })),
              },
        );
      }
      const dropped = evidence.filter((e) => e.status === "dropped");
      const label = `${link.sender.label} → ${link.receiver.label}`;
      const lastDay = (e: SourceEvidence) => e.observed?.[e.observed.length - 1]?.day ?? today;
      if (dropped.length > 0) counts.dropped++;
      else if (evidence.some((e) => e.status === "recovered" || e.status === "unsettled")) counts.steady++;
      else if (evidence.some((e) => e.status === "learning")) counts.learning++;
      else counts.quiet++;
      const record = { sender: link.sender, receiver: link.receiver, sources: evidence };
      if (dropped.length > 0) {
        const first = dropped[0] as SourceEvidence;
        const baseline = first.baseline as ShareBaseline;
        const observed = first.observed ?? [];
        detections.push({
          kind: "link_share_drop",
          severity: "interruption",
          subject,
          domain: label,
          organisation: link.receiver.label,
          peerOrganisation: link.sender.label,
          day: dropped.map(lastDay).sort().at(-1) ?? today,
          firstDay: observed[0]?.day ?? today,
          lastGoodAt: `${addDays(baseline.to, 1)}T00:00:00.000Z`,
          from: `verified ${percent(baseline.share)} (${baseline.from} – ${baseline.to}, ${baseline.sessions} sessions)`,
          to: `verified ${observed.map((o) => `${percent(o.share)} on ${o.day} (${o.sessions})`).join(", ")}`,
          message: `${label} (${dropped.map((d) => d.source).join(", ")}): verified TLS ${observed.map((o) => `${percent(o.share)} on ${o.day} (${o.verified}/${o.sessions})`).join(", ")}, below ${percent(first.threshold ?? 0)} (baseline ${percent(baseline.share)} over ${baseline.days} days, ${baseline.sessions} sessions)`,
          evidence: record,
        });
      }
      if (incident && incident.state !== "resolved") {
        const mine = new Set(baselines.keys());
        const recovered = evidence.filter(
          (e) =>
            mine.has(e.source) && e.status === "recovered" && lastDay(e) > incident.lastSeenAt.slice(0, 10),
        );
        if (dropped.length > 0)
          statuses.push({
            subject,
            kind: "link_share_drop",
            state: "present",
            day: dropped.map(lastDay).sort().at(-1) ?? today,
            message: `${label}: still below the baseline`,
            evidence: record,
          });
        else if (recovered.length > 0) {
          const r = recovered[0] as SourceEvidence;
          const o = r.observed?.at(-1);
          statuses.push({
            subject,
            kind: "link_share_drop",
            state: "recovered",
            day: lastDay(r),
            message: `${label} (${r.source}): verified TLS ${percent(o?.share ?? 0)} on ${o?.day ?? today} (${o?.verified ?? 0}/${o?.sessions ?? 0}), back at or above ${percent(r.threshold ?? 0)}`,
            evidence: record,
          });
        }
      }
    }
    return { detections, statuses, counts };
  }

  /** New TLS-RPT failure types and the statuses of their incidents. */
  private async types(
    reports: TlsRptStore,
    directory: PartyDirectory,
    today: string,
    known: readonly Incident[],
  ) {
    const limits = this.limits;
    const { baselineFrom } = typeWindows(today, limits);
    const { failures, reported } = await reports.failuresByReport(baselineFrom, today);
    const domains = [...directory.domains.keys()];
    const signatoryByName = new Map([...directory.names.values()].map((n) => [n.toLowerCase(), n]));
    const owner = (domain: string) => {
      const id = directory.domains.get(domain.toLowerCase());
      return id === undefined ? null : (directory.names.get(id) ?? null);
    };
    const live = new Map(
      known
        .filter((i) => i.kind === "tlsrpt_new_failure_type" && i.state !== "resolved")
        .map((i) => [i.subject, i]),
    );
    const statusOf = (policyDomain: string, resultType: string, lastKnown: string) =>
      typeStatus(policyDomain, resultType, lastKnown, failures, reported, limits);
    const detections: IndicatorDetection[] = [];
    for (const n of newFailureTypes(failures, reported, domains, today, limits)) {
      // Over already: reports on enough later days no longer show it (and no incident to resolve).
      if (!live.has(n.subject) && statusOf(n.policyDomain, n.resultType, n.lastDay).resolved) continue;
      detections.push(typeDetection(n, owner(n.policyDomain), signatoryByName));
    }
    const statuses: IndicatorStatus[] = [];
    for (const [subject, incident] of live) {
      const evidence = incident.evidence as {
        policyDomain?: string;
        resultType?: string;
        lastDay?: string;
      } | null;
      if (!evidence?.policyDomain || !evidence.resultType) continue;
      const s = statusOf(
        evidence.policyDomain,
        evidence.resultType,
        evidence.lastDay ?? incident.lastSeenAt.slice(0, 10),
      );
      if (s.resolved)
        statuses.push({
          subject,
          kind: "tlsrpt_new_failure_type",
          state: "recovered",
          day: s.cleanDays.at(-1) ?? today,
          message: `${evidence.policyDomain}: no ${evidence.resultType} in the reports of ${s.cleanDays.join(", ")} (last reported ${s.lastDay})`,
          evidence: { lastDay: s.lastDay, cleanDays: s.cleanDays },
        });
      else
        statuses.push({
          subject,
          kind: "tlsrpt_new_failure_type",
          state: "present",
          day: s.lastDay,
          message: `${evidence.policyDomain}: ${evidence.resultType} reported again on ${s.lastDay}`,
          evidence: { lastDay: s.lastDay },
        });
    }
    return { detections, statuses, domains: domains.length };
  }
}

function frozenBaselines(incident: Incident | undefined): Map<FigureSource, ShareBaseline> {
  const out = new Map<FigureSource, ShareBaseline>();
  const sources = (incident?.evidence as { sources?: SourceEvidence[] } | null)?.sources ?? [];
  for (const s of sources) if (s.status === "dropped" && s.baseline) out.set(s.source, s.baseline);
  return out;
}

function typeDetection(
  n: NewTypeDetection,
  organisation: string | null,
  signatories: ReadonlyMap<string, string>,
): IndicatorDetection {
  const reporters = [...new Set(n.reports.map((r) => r.organization))];
  const peer = reporters.map((r) => signatories.get(r.toLowerCase())).find((x) => x !== undefined) ?? null;
  const ids = n.reports.map((r) => `#${r.reportRow} ${r.organization} ${r.reportId}`).join(", ");
  return {
    kind: "tlsrpt_new_failure_type",
    severity: "warning",
    subject: n.subject,
    domain: n.policyDomain,
    organisation,
    peerOrganisation: peer === organisation ? null : peer,
    day: n.lastDay,
    firstDay: n.reports[0]?.day ?? n.lastDay,
    lastGoodAt: null,
    from: n.baselineTypes.length > 0 ? n.baselineTypes.join(",") : "none",
    to: n.resultType,
    message:
      `${n.policyDomain}: ${n.resultType} reported (${n.failed} failed session(s), by ${reporters.join(", ")}), never in the ${n.baselineReports} report(s) of ${n.baselineFrom} – ${n.baselineTo}; reports ${ids}`.slice(
        0,
        480,
      ),
    evidence: {
      policyDomain: n.policyDomain,
      resultType: n.resultType,
      failed: n.failed,
      reports: n.reports,
      baselineFrom: n.baselineFrom,
      baselineTo: n.baselineTo,
      baselineReports: n.baselineReports,
      baselineTypes: n.baselineTypes,
      lastDay: n.lastDay,
    },
  };
}
