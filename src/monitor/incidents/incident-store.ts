/**
 * Storage of the monitoring of interruptions: last good states, "could not check" counters,
 * suspicions, incidents and their timeline. A plan (plan.ts) is applied in one transaction; each audit
 * is processed once (`claimRun`), whichever process stored it. An acknowledgement (the pages' and the
 * API's, src/web/app/incident-views.ts) is recorded with its notice in one transaction, once per opening
 * of the incident. Only this module reaches the tables.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, Store } from "../../store/database.js";
import type { IncidentEventTable, IncidentTable } from "../../store/incident-tables.js";
import { migrate } from "../../store/migrations.js";
import type { Baseline } from "../detection/detect.js";
import type { DetectionKind } from "../detection/detection.js";
import type { SubjectState } from "../detection/subject-state.js";
import type { Incident, IncidentEvent, IncidentEventType, IncidentState, Suspicion } from "./incident.js";
import type { NoticeSink } from "./incident-notice.js";
import { outboxSink } from "./outbox-notice.js";
import type { Action, UnknownCounter } from "./plan.js";

/** What the store tells of an applied plan: incidents touched, and why (for notices and the CLI). */
export interface Applied {
  readonly incidentId: number;
  readonly change: "opened" | "reopened" | "resolved" | "threshold";
}

export type IncidentRow = Omit<IncidentTable, "id" | "basis" | "peer_organisation"> & {
  id: number;
  basis: "audit" | "indicators";
  peer_organisation: string | null;
};

/** Tells of an applied change inside its transaction; true when a notice was queued. */
export type Teller = (db: Kysely<Database>, applied: Applied, incident: Incident) => Promise<boolean>;

const isUniqueViolation = (error: unknown) => {
  const code = String((error as { code?: unknown }).code ?? "");
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
};

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export interface IncidentFilter {
  readonly state?: IncidentState | "unresolved";
  readonly domain?: string;
  /** Operators: their organisation's incidents, and those told to every signatory. */
  readonly organisation?: string;
  readonly limit?: number;
  readonly ids?: readonly number[];
}

export interface IncidentStoreOptions {
  /** Where the acknowledgements' notices go (default: the notification outbox, src/notify). */
  readonly notify?: NoticeSink;
}

/** The de-duplication key of an acknowledgement's notice: one per incident and opening (a reopened
 * incident is open again and may be acknowledged again, and told again). */
export const acknowledgementKey = (incident: Pick<Incident, "id" | "reopened">) =>
  `incident:${incident.id}:acknowledged:${incident.reopened}`;

export class IncidentStore {
  private constructor(
    private readonly store: Store,
    private readonly notify: NoticeSink,
  ) {}

  static async open(store: Store, options: IncidentStoreOptions = {}): Promise<IncidentStore> {
    await migrate(store.db as never, store.engine);
    return new IncidentStore(store, options.notify ?? outboxSink);
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  async isProcessed(runId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom("monitor_processed_runs")
      .select("run_id")
      .where("run_id", "=", runId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Done audits of the monitor (scheduled, on demand) finished since `since` and not processed yet,
   * oldest first. Older history is left alone: replaying it would tell of interruptions long over.
   */
  async unprocessedRuns(since: string, limit = 200): Promise<number[]> {
    const rows = await this.db
      .selectFrom("audit_runs")
      .select("id")
      .where("status", "=", "done")
      .where("finished_at", ">=", since)
      .where("trigger", "in", ["schedule", "on_demand"])
      .where("id", "not in", (qb) => qb.selectFrom("monitor_processed_runs").select("run_id"))
      .orderBy("finished_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  async baselines(domain: string): Promise<{ baselines: Baseline[]; counters: UnknownCounter[] }> {
    const rows = await this.db
      .selectFrom("monitor_baselines")
      .selectAll()
      .where("domain", "=", domain)
      .execute();
    return {
      baselines: rows
        .filter((r) => r.run_id > 0)
        .map((r) => ({
          subject: r.subject,
          runId: Number(r.run_id),
          at: r.observed_at,
          state: JSON.parse(r.state) as SubjectState,
        })),
      counters: rows.map((r) => ({
        subject: r.subject,
        since: r.unknown_since,
        count: Number(r.unknown_count),
      })),
    };
  }

  /** The domain's incidents not resolved, and those resolved since `resolvedSince`. */
  async incidentsOf(domain: string, resolvedSince: string): Promise<Incident[]> {
    const rows = await this.db
      .selectFrom("incidents")
      .selectAll()
      .where("domain", "=", domain)
      .where("basis", "=", "audit")
      .where((eb) => eb.or([eb("state", "!=", "resolved"), eb("resolved_at", ">=", resolvedSince)]))
      .execute();
    return this.withThresholds(rows as IncidentRow[]);
  }

  private async withThresholds(
    rows: readonly IncidentRow[],
    db: Kysely<Database> = this.db,
  ): Promise<Incident[]> {
    const ids = rows.map((r) => Number(r.id));
    const thresholds = new Map<number, number[]>();
    if (ids.length > 0) {
      const events = await db
        .selectFrom("incident_events")
        .select(["incident_id", "data"])
        .where("incident_id", "in", ids)
        .where("type", "=", "threshold")
        .execute();
      for (const e of events) {
        const days = (JSON.parse(e.data ?? "{}") as { days?: number }).days;
        if (typeof days === "number")
          thresholds.set(Number(e.incident_id), [...(thresholds.get(Number(e.incident_id)) ?? []), days]);
      }
    }
    return rows.map((r) => incidentOf(r, thresholds.get(Number(r.id)) ?? []));
  }

  async pendingSuspicions(domain?: string): Promise<Suspicion[]> {
    let q = this.db.selectFrom("monitor_suspicions").selectAll().where("status", "=", "pending");
    if (domain !== undefined) q = q.where("domain", "=", domain);
    const rows = await q.orderBy("id").execute();
    return rows.map((r) => ({
      id: Number(r.id),
      domain: r.domain,
      subject: r.subject,
      kind: r.kind as DetectionKind,
      runId: Number(r.run_id),
      observedAt: r.observed_at,
      confirmAt: r.confirm_at,
      status: r.status,
      confirmRunId: r.confirm_run_id === null ? null : Number(r.confirm_run_id),
    }));
  }

  async setConfirmRun(suspicionId: number, runId: number): Promise<void> {
    await this.db
      .updateTable("monitor_suspicions")
      .set({ confirm_run_id: runId })
      .where("id", "=", suspicionId)
      .execute();
  }

  /**
   * Applies the plan of an audit in one transaction, with the mark that the audit was processed: a
   * second process applying the same audit fails on that mark and writes nothing (null).
   */
  async apply(
    context: {
      readonly domain: string;
      readonly organisation: string | null;
      readonly runId: number;
      readonly at: string;
    },
    actions: readonly Action[],
    now: string,
    tell?: Teller,
  ): Promise<Applied[] | null> {
    try {
      return await this.applyOnce(context, actions, now, tell);
    } catch (error) {
      if (isUniqueViolation(error) && (await this.isProcessed(context.runId))) return null;
      throw error;
    }
  }

  private applyOnce(
    context: {
      readonly domain: string;
      readonly organisation: string | null;
      readonly runId: number;
      readonly at: string;
    },
    actions: readonly Action[],
    now: string,
    tell?: Teller,
  ): Promise<Applied[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("monitor_processed_runs")
        .values({ run_id: context.runId, processed_at: now })
        .execute();
      const applied: Applied[] = [];
      const event = (
        incidentId: number,
        type: IncidentEventType,
        extra: Partial<Pick<IncidentEventTable, "text" | "data" | "author">> = {},
      ) =>
        trx
          .insertInto("incident_events")
          .values({
            incident_id: incidentId,
            at: context.at,
            type,
            run_id: context.runId,
            author: null,
            text: null,
            data: null,
            ...extra,
          })
          .execute();
      for (const a of actions) {
        switch (a.type) {
          case "suspect":
            await trx
              .insertInto("monitor_suspicions")
              .values({
                domain: context.domain,
                subject: a.detection.subject,
                kind: a.detection.kind,
                run_id: a.detection.runId,
                observed_at: a.detection.at,
                confirm_at: a.confirmAt,
                status: "pending",
                confirm_run_id: null,
                settled_at: null,
                detection: JSON.stringify(a.detection),
              })
              .execute();
            break;
          case "clear":
            await trx
              .updateTable("monitor_suspicions")
              .set({ status: "cleared", settled_at: context.at, confirm_run_id: context.runId })
              .where("id", "=", a.suspicion.id)
              .execute();
            break;
          case "open": {
            const d = a.detection;
            const severity = d.severity === "warning" ? "warning" : "interruption";
            const row = await trx
              .insertInto("incidents")
              .values({
                domain: context.domain,
                organisation: context.organisation,
                subject: d.subject,
                kind: d.kind,
                severity,
                state: "open",
                audience: a.audience,
                last_good_at: a.lastGood?.at ?? null,
                last_good_run_id: a.lastGood?.runId ?? null,
                first_observed_at: a.firstObservedAt,
                first_run_id: a.firstRunId,
                opened_at: context.at,
                confirm_run_id: context.runId,
                acknowledged_at: null,
                acknowledged_by: null,
                resolved_at: null,
                resolve_run_id: null,
                last_seen_at: context.at,
                reopened: 0,
                details: JSON.stringify({ endpoint: d.endpoint, from: d.from, to: d.to, message: d.message }),
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            const id = Number(row.id);
            if (a.suspicion) {
              await trx
                .insertInto("incident_events")
                .values({
                  incident_id: id,
                  at: a.suspicion.observedAt,
                  type: "observed",
                  run_id: a.suspicion.runId,
                  author: null,
                  text: null,
                  data: JSON.stringify({ suspicion: a.suspicion.id }),
                })
                .execute();
              await trx
                .updateTable("monitor_suspicions")
                .set({ status: "confirmed", settled_at: context.at, confirm_run_id: context.runId })
                .where("id", "=", a.suspicion.id)
                .execute();
              await event(id, "confirmed", { text: d.message });
            }
            await event(id, "opened", { text: d.message });
            if (d.thresholdDays !== undefined)
              await event(id, "threshold", {
                data: JSON.stringify({ days: d.thresholdDays }),
                text: d.message,
              });
            applied.push({ incidentId: id, change: "opened" });
            break;
          }
          case "reopen":
            await trx
              .updateTable("incidents")
              .set({
                state: "open",
                resolved_at: null,
                resolve_run_id: null,
                acknowledged_at: null,
                acknowledged_by: null,
                last_seen_at: context.at,
                reopened: a.incident.reopened + 1,
              })
              .where("id", "=", a.incident.id)
              .execute();
            if (a.suspicion) {
              await trx
                .updateTable("monitor_suspicions")
                .set({ status: "confirmed", settled_at: context.at, confirm_run_id: context.runId })
                .where("id", "=", a.suspicion.id)
                .execute();
              await trx
                .insertInto("incident_events")
                .values({
                  incident_id: a.incident.id,
                  at: a.suspicion.observedAt,
                  type: "observed",
                  run_id: a.suspicion.runId,
                  author: null,
                  text: null,
                  data: JSON.stringify({ suspicion: a.suspicion.id }),
                })
                .execute();
            }
            await event(a.incident.id, "reopened", { text: a.detection.message });
            applied.push({ incidentId: a.incident.id, change: "reopened" });
            break;
          case "seen_again":
            await trx
              .updateTable("incidents")
              .set({ last_seen_at: context.at })
              .where("id", "=", a.incident.id)
              .execute();
            await event(
              a.incident.id,
              a.detection.severity === "could_not_check" ? "could_not_check" : "seen_again",
              {
                text: a.detection.message,
              },
            );
            break;
          case "threshold":
            await trx
              .updateTable("incidents")
              .set({ last_seen_at: context.at })
              .where("id", "=", a.incident.id)
              .execute();
            await event(a.incident.id, "threshold", {
              data: JSON.stringify({ days: a.detection.thresholdDays }),
              text: a.detection.message,
            });
            applied.push({ incidentId: a.incident.id, change: "threshold" });
            break;
          case "resolve":
            await trx
              .updateTable("incidents")
              .set({ state: "resolved", resolved_at: context.at, resolve_run_id: context.runId })
              .where("id", "=", a.incident.id)
              .execute();
            await event(a.incident.id, "resolved", { data: JSON.stringify({ reason: a.reason }) });
            applied.push({ incidentId: a.incident.id, change: "resolved" });
            break;
          case "baseline":
            await upsertBaseline(trx, context.domain, a.baseline.subject, {
              run_id: a.baseline.runId,
              observed_at: a.baseline.at,
              state: JSON.stringify(a.baseline.state),
            });
            break;
          case "unknown": {
            const known = await trx
              .selectFrom("monitor_baselines")
              .select("unknown_count")
              .where("domain", "=", context.domain)
              .where("subject", "=", a.subject)
              .executeTakeFirst();
            await upsertBaseline(trx, context.domain, a.subject, {
              unknown_since: a.since,
              unknown_count: Number(known?.unknown_count ?? 0) + 1,
              last_unknown_reason: a.reason,
            });
            break;
          }
          case "known":
            await trx
              .updateTable("monitor_baselines")
              .set({ unknown_since: null, unknown_count: 0 })
              .where("domain", "=", context.domain)
              .where("subject", "=", a.subject)
              .execute();
            break;
        }
      }
      // The notices, in the same transaction: told with the change, or neither.
      if (tell)
        for (const a of applied) {
          const row = await trx
            .selectFrom("incidents")
            .selectAll()
            .where("id", "=", a.incidentId)
            .executeTakeFirst();
          if (!row) continue;
          const [incident] = await this.withThresholds([row as IncidentRow], trx);
          if (incident && (await tell(trx, a, incident)))
            await recordNotice(trx, a.incidentId, now, a.change);
        }
      return applied;
    });
  }

  async list(filter: IncidentFilter = {}): Promise<Incident[]> {
    let q = this.db.selectFrom("incidents").selectAll();
    if (filter.state === "unresolved") q = q.where("state", "!=", "resolved");
    else if (filter.state) q = q.where("state", "=", filter.state);
    if (filter.domain) q = q.where("domain", "=", filter.domain);
    if (filter.ids) q = q.where("id", "in", filter.ids.length > 0 ? [...filter.ids] : [-1]);
    if (filter.organisation !== undefined) {
      const org = filter.organisation;
      q = q.where((eb) =>
        eb.or([eb("organisation", "=", org), eb("peer_organisation", "=", org), eb("audience", "=", "all")]),
      );
    }
    const rows = await q
      .orderBy("opened_at", "desc")
      .orderBy("id", "desc")
      .limit(filter.limit ?? 500)
      .execute();
    return this.withThresholds(rows as IncidentRow[]);
  }

  async get(id: number): Promise<Incident | null> {
    if (!Number.isSafeInteger(id)) return null;
    const row = await this.db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? ((await this.withThresholds([row as IncidentRow]))[0] ?? null) : null;
  }

  async timeline(id: number): Promise<IncidentEvent[]> {
    const rows = await this.db
      .selectFrom("incident_events")
      .selectAll()
      .where("incident_id", "=", id)
      .orderBy("at")
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      incidentId: Number(r.incident_id),
      at: r.at,
      type: r.type,
      runId: r.run_id === null ? null : Number(r.run_id),
      author: r.author,
      text: r.text,
      data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
    }));
  }

  /**
   * open → acknowledged (an acknowledged or resolved incident is left as it is: false), with its
   * notice to those the incident was told to, in the same transaction: recorded and told, or neither.
   */
  async acknowledge(id: number, by: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable("incidents")
        .set({ state: "acknowledged", acknowledged_at: at, acknowledged_by: by })
        .where("id", "=", id)
        .where("state", "=", "open")
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return false;
      await trx
        .insertInto("incident_events")
        .values({
          incident_id: id,
          at,
          type: "acknowledged",
          run_id: null,
          author: by,
          text: null,
          data: null,
        })
        .execute();
      const row = await trx
        .selectFrom("incidents")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      const [incident] = await this.withThresholds([row as IncidentRow], trx);
      if (incident) {
        await this.notify(
          { event: "acknowledged", key: acknowledgementKey(incident), audience: incident.audience, incident },
          trx,
        );
        await recordNotice(trx, id, at, "acknowledged");
      }
      return true;
    });
  }

  async comment(id: number, by: string, text: string, at: string): Promise<void> {
    await this.db
      .insertInto("incident_events")
      .values({ incident_id: id, at, type: "comment", run_id: null, author: by, text, data: null })
      .execute();
  }
}

/** The timeline step saying a notice of `change` was queued for the incident. */
export async function recordNotice(
  trx: Transaction<Database>,
  incidentId: number,
  at: string,
  change: string,
): Promise<void> {
  await trx
    .insertInto("incident_events")
    .values({
      incident_id: incidentId,
      at,
      type: "notice",
      run_id: null,
      author: null,
      text: null,
      data: JSON.stringify({ change }),
    })
    .execute();
}

async function upsertBaseline(
  trx: Transaction<Database>,
  domain: string,
  subject: string,
  set: Partial<{
    run_id: number;
    observed_at: string;
    state: string;
    unknown_since: string | null;
    unknown_count: number;
    last_unknown_reason: string | null;
  }>,
): Promise<void> {
  const updated = await trx
    .updateTable("monitor_baselines")
    .set(set)
    .where("domain", "=", domain)
    .where("subject", "=", subject)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  // A subject never seen good: a row with no state yet (run 0) that only counts "could not check".
  await trx
    .insertInto("monitor_baselines")
    .values({
      domain,
      subject,
      run_id: 0,
      observed_at: set.observed_at ?? "",
      state: "null",
      unknown_since: null,
      unknown_count: 0,
      last_unknown_reason: null,
      ...set,
    })
    .execute();
}

export function incidentOf(r: IncidentRow, thresholds: readonly number[]): Incident {
  const details = JSON.parse(r.details) as {
    endpoint?: string | null;
    from?: string | null;
    to?: string | null;
    message?: string;
    evidence?: Record<string, unknown>;
  };
  const resolved = ms(r.resolved_at);
  const lastGood = ms(r.last_good_at);
  return {
    id: Number(r.id),
    domain: r.domain,
    organisation: r.organisation,
    subject: r.subject,
    kind: r.kind as DetectionKind,
    severity: r.severity,
    state: r.state,
    audience: r.audience,
    endpoint: details.endpoint ?? null,
    from: details.from ?? null,
    to: details.to ?? null,
    message: details.message ?? "",
    lastGoodAt: r.last_good_at,
    lastGoodRunId: r.last_good_run_id === null ? null : Number(r.last_good_run_id),
    firstObservedAt: r.first_observed_at,
    firstRunId: Number(r.first_run_id),
    openedAt: r.opened_at,
    confirmRunId: Number(r.confirm_run_id),
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolveRunId: r.resolve_run_id === null ? null : Number(r.resolve_run_id),
    lastSeenAt: r.last_seen_at,
    reopened: Number(r.reopened),
    timeToDetectMs: lastGood === null ? null : Date.parse(r.opened_at) - lastGood,
    timeToRestoreMs: resolved === null ? null : resolved - Date.parse(r.first_observed_at),
    thresholds: [...thresholds].sort((a, b) => b - a),
    basis: r.basis,
    peerOrganisation: r.peer_organisation,
    evidence: details.evidence ?? null,
  };
}
