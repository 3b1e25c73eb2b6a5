/**
 * The audit history: every audit of a registered domain, from the moment it is queued to its stored
 * report (the full JSON of the contract, one row per measure status, one row per endpoint). Writes are
 * keyed by the run's job key: a retried job finds its run already done and writes nothing twice; a
 * finished audit is stored in one transaction (report, measures, endpoints, next due time) or not at all.
 */
import type { Kysely, Transaction } from "kysely";
import type { AuditReport } from "../audit/audit.js";
import { type MeasureStatus, worst } from "../audit/measures/measure.js";
import { inForceAt } from "../registry/model.js";
import { Registry } from "../registry/repository.js";
import type { AuditRunTable } from "../store/audit-history-tables.js";
import type { Database, Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import { charterMeasureIds } from "./charter-measures.js";

export type Trigger = AuditRunTable["trigger"];
export type RunStatus = AuditRunTable["status"];
export type Verdict = AuditReport["verdict"];

export interface AuditRunSummary {
  readonly id: number;
  readonly jobKey: string;
  readonly domain: string;
  readonly organisation: string | null;
  readonly trigger: Trigger;
  readonly requestedBy: string;
  readonly cycleId: number | null;
  readonly status: RunStatus;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly verdict: Verdict | null;
  readonly error: string | null;
}

export interface AuditRun extends AuditRunSummary {
  /** The stored report (mailcharter/audit/1); null until the run is done. */
  readonly report: AuditReport | null;
}

export interface RunRequest {
  readonly jobKey: string;
  readonly domain: string;
  readonly trigger: Trigger;
  readonly requestedBy: string;
  readonly cycleId?: number | null;
}

export interface Enqueued {
  readonly run: AuditRunSummary;
  /** False when the job key was known or the domain was already queued or running. */
  readonly created: boolean;
}

export interface Saved {
  readonly runId: number;
  /** False when the run was already done: a retried job writes nothing. */
  readonly written: boolean;
}

export interface LatestAudit {
  readonly domain: string;
  readonly organisation: string | null;
  readonly runId: number;
  readonly verdict: Verdict;
  readonly finishedAt: string;
}

export interface MatrixDomain {
  readonly domain: string;
  /** null: never audited. */
  readonly runId: number | null;
  readonly verdict: Verdict | null;
  readonly finishedAt: string | null;
  readonly measures: Readonly<Record<string, MeasureStatus>>;
}

export interface MatrixRow {
  readonly organisation: string;
  /** Worst status over the organisation's audited domains, per charter measure. */
  readonly measures: Readonly<Record<string, MeasureStatus>>;
  readonly domains: readonly MatrixDomain[];
}

export interface StatusMatrix {
  readonly at: string;
  readonly measures: readonly string[];
  readonly rows: readonly MatrixRow[];
}

const iso = (ms: number) => new Date(ms).toISOString();

type Row = Pick<
  AuditRunTable,
  | "job_key"
  | "domain"
  | "organisation"
  | "trigger"
  | "requested_by"
  | "cycle_id"
  | "status"
  | "queued_at"
  | "started_at"
  | "finished_at"
  | "verdict"
  | "error"
> & { id: number };

const summaryColumns = [
  "id",
  "job_key",
  "domain",
  "organisation",
  "trigger",
  "requested_by",
  "cycle_id",
  "status",
  "queued_at",
  "started_at",
  "finished_at",
  "verdict",
  "error",
] as const;

function summary(row: Row): AuditRunSummary {
  return {
    id: Number(row.id),
    jobKey: row.job_key,
    domain: row.domain,
    organisation: row.organisation,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    cycleId: row.cycle_id === null ? null : Number(row.cycle_id),
    status: row.status,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    verdict: row.verdict,
    error: row.error,
  };
}

/** Unique violations of both engines (SQLite's constraint codes, PostgreSQL's 23505). */
const isUniqueViolation = (error: unknown) => {
  const code = String((error as { code?: unknown }).code ?? "");
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
};

export class AuditHistory {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<AuditHistory> {
    await migrate(store.db as never, store.engine);
    return new AuditHistory(store);
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  /** The registered domain and its organisation, when the domain is in the registry. */
  private async registered(
    db: Kysely<Database>,
    domain: string,
  ): Promise<{ id: number; organisation: string } | undefined> {
    const row = await db
      .selectFrom("domains")
      .innerJoin("organisations", "organisations.id", "domains.organisation_id")
      .select(["domains.id as id", "organisations.name as organisation"])
      .where("domains.domain", "=", domain)
      .executeTakeFirst();
    return row ? { id: Number(row.id), organisation: row.organisation } : undefined;
  }

  private async byKey(db: Kysely<Database>, jobKey: string): Promise<AuditRunSummary | undefined> {
    const row = await db
      .selectFrom("audit_runs")
      .select(summaryColumns)
      .where("job_key", "=", jobKey)
      .executeTakeFirst();
    return row ? summary(row) : undefined;
  }

  /** The queued or running audit of a domain, if there is one. */
  async active(domain: string, db: Kysely<Database> = this.db): Promise<AuditRunSummary | undefined> {
    const row = await db
      .selectFrom("audit_runs")
      .select(summaryColumns)
      .where("domain", "=", domain)
      .where("status", "in", ["queued", "running"])
      .executeTakeFirst();
    return row ? summary(row) : undefined;
  }

  private async insertQueued(
    trx: Transaction<Database>,
    request: RunRequest,
    now: number,
  ): Promise<Enqueued> {
    const known = await this.byKey(trx, request.jobKey);
    if (known) return { run: known, created: false };
    const busy = await this.active(request.domain, trx);
    if (busy) return { run: busy, created: false };
    const reg = await this.registered(trx, request.domain);
    const row = await trx
      .insertInto("audit_runs")
      .values({
        job_key: request.jobKey,
        domain_id: reg?.id ?? null,
        domain: request.domain,
        organisation: reg?.organisation ?? null,
        trigger: request.trigger,
        requested_by: request.requestedBy,
        cycle_id: request.cycleId ?? null,
        status: "queued",
        queued_at: iso(now),
        started_at: null,
        finished_at: null,
        verdict: null,
        report: null,
        error: null,
        claimed_by: null,
        claim_expires_at: null,
      })
      .returning(summaryColumns)
      .executeTakeFirstOrThrow();
    return { run: summary(row), created: true };
  }

  /**
   * Queues an audit. The same job key, or a domain already queued or running, gives back the run that
   * exists (a unique index holds the second rule even between processes).
   */
  async enqueue(request: RunRequest, now: number): Promise<Enqueued> {
    try {
      return await this.db.transaction().execute((trx) => this.insertQueued(trx, request, now));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = (await this.byKey(this.db, request.jobKey)) ?? (await this.active(request.domain));
      if (!existing) throw error;
      return { run: existing, created: false };
    }
  }

  /**
   * An audit asked for by a person or a client: the same idempotency key is the same run (a retried
   * request queues nothing new); a domain already queued or running is not queued twice.
   */
  async requestOnDemand(
    request: { readonly idempotencyKey: string; readonly domain: string; readonly requestedBy: string },
    now: number,
  ): Promise<Enqueued> {
    const attempt = () =>
      this.db.transaction().execute(async (trx) => {
        const prior = await trx
          .selectFrom("audit_requests")
          .innerJoin("audit_runs", "audit_runs.id", "audit_requests.run_id")
          .select(summaryColumns.map((c) => `audit_runs.${c}` as const))
          .where("audit_requests.idempotency_key", "=", request.idempotencyKey)
          .executeTakeFirst();
        if (prior) return { run: summary(prior), created: false };
        const enqueued = await this.insertQueued(
          trx,
          {
            jobKey: `on_demand:${request.idempotencyKey}`,
            domain: request.domain,
            trigger: "on_demand",
            requestedBy: request.requestedBy,
          },
          now,
        );
        await trx
          .insertInto("audit_requests")
          .values({
            idempotency_key: request.idempotencyKey,
            domain: request.domain,
            requested_by: request.requestedBy,
            requested_at: iso(now),
            run_id: enqueued.run.id,
          })
          .execute();
        return enqueued;
      });
    try {
      return await attempt();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return attempt(); // another process won the race: its rows are now visible
    }
  }

  /**
   * Takes a queued run (or a running one whose holder's lease has passed) for `holder` until
   * `now + leaseMs`. False when someone else holds it or it is finished.
   */
  async claim(runId: number, holder: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable("audit_runs")
      .set({
        status: "running",
        claimed_by: holder,
        claim_expires_at: iso(now + leaseMs),
        started_at: iso(now),
      })
      .where("id", "=", runId)
      .where((eb) =>
        eb.or([
          eb("status", "=", "queued"),
          eb.and([eb("status", "=", "running"), eb("claim_expires_at", "<", iso(now))]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Extends the lease of the runs `holder` is running. */
  async renew(holder: string, now: number, leaseMs: number): Promise<void> {
    await this.db
      .updateTable("audit_runs")
      .set({ claim_expires_at: iso(now + leaseMs) })
      .where("status", "=", "running")
      .where("claimed_by", "=", holder)
      .execute();
  }

  /** Puts running runs back in the queue: those of `holders` (stopped or dead), or whose lease passed. */
  async requeue(options: {
    readonly holders?: readonly string[];
    readonly expiredAt?: number;
  }): Promise<number> {
    const { holders = [], expiredAt } = options;
    if (holders.length === 0 && expiredAt === undefined) return 0;
    const result = await this.db
      .updateTable("audit_runs")
      .set({ status: "queued", claimed_by: null, claim_expires_at: null, started_at: null })
      .where("status", "=", "running")
      .where((eb) =>
        eb.or([
          ...(holders.length > 0 ? [eb("claimed_by", "in", [...holders])] : []),
          ...(expiredAt !== undefined ? [eb("claim_expires_at", "<", iso(expiredAt))] : []),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * `requeue` that returns the runs it put back (the distributed mode sends each one to the workers
   * again).
   */
  async reclaim(options: {
    readonly holders?: readonly string[];
    readonly expiredAt?: number;
  }): Promise<AuditRunSummary[]> {
    const { holders = [], expiredAt } = options;
    if (holders.length === 0 && expiredAt === undefined) return [];
    const rows = await this.db
      .updateTable("audit_runs")
      .set({ status: "queued", claimed_by: null, claim_expires_at: null, started_at: null })
      .where("status", "=", "running")
      .where((eb) =>
        eb.or([
          ...(holders.length > 0 ? [eb("claimed_by", "in", [...holders])] : []),
          ...(expiredAt !== undefined ? [eb("claim_expires_at", "<", iso(expiredAt))] : []),
        ]),
      )
      .returning(summaryColumns)
      .execute();
    return rows.map(summary);
  }

  /** Puts one run that `holder` runs back in the queue (its job failed on the store): the run, or none. */
  async requeueRun(runId: number, holder: string): Promise<AuditRunSummary | undefined> {
    const row = await this.db
      .updateTable("audit_runs")
      .set({ status: "queued", claimed_by: null, claim_expires_at: null, started_at: null })
      .where("id", "=", runId)
      .where("status", "=", "running")
      .where("claimed_by", "=", holder)
      .returning(summaryColumns)
      .executeTakeFirst();
    return row ? summary(row) : undefined;
  }

  /** Holders of running runs, for the caller to tell the dead from the living. */
  async runningHolders(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("audit_runs")
      .select("claimed_by")
      .distinct()
      .where("status", "=", "running")
      .execute();
    return rows.map((r) => r.claimed_by).filter((h): h is string => h !== null);
  }

  /** Queued runs, oldest first (optionally those of one cycle). */
  async queued(
    options: { readonly cycleId?: number; readonly limit?: number } = {},
  ): Promise<AuditRunSummary[]> {
    let query = this.db
      .selectFrom("audit_runs")
      .select(summaryColumns)
      .where("status", "=", "queued")
      .orderBy("queued_at")
      .orderBy("id");
    if (options.cycleId !== undefined) query = query.where("cycle_id", "=", options.cycleId);
    return (await query.limit(options.limit ?? 10_000).execute()).map(summary);
  }

  /**
   * Stores a finished audit: the report, one row per measure, one per endpoint, and the domain's next
   * due time, in one transaction. A run already done under this job key is left as it is.
   */
  async save(
    request: RunRequest,
    report: AuditReport,
    options: { readonly now: number; readonly nextDueAt?: number | null },
  ): Promise<Saved> {
    const finishedAt = report.finishedAt;
    return this.db.transaction().execute(async (trx) => {
      let run = await this.byKey(trx, request.jobKey);
      if (run?.status === "done") return { runId: run.id, written: false };
      if (!run) {
        // A run that was never queued (the CLI's own audits): created here, done at once.
        const reg = await this.registered(trx, request.domain);
        const row = await trx
          .insertInto("audit_runs")
          .values({
            job_key: request.jobKey,
            domain_id: reg?.id ?? null,
            domain: request.domain,
            organisation: reg?.organisation ?? null,
            trigger: request.trigger,
            requested_by: request.requestedBy,
            cycle_id: request.cycleId ?? null,
            status: "done",
            queued_at: report.startedAt,
            started_at: report.startedAt,
            finished_at: finishedAt,
            verdict: report.verdict,
            report: JSON.stringify(report),
            error: null,
            claimed_by: null,
            claim_expires_at: null,
          })
          .returning(summaryColumns)
          .executeTakeFirstOrThrow();
        run = summary(row);
      } else {
        await trx
          .updateTable("audit_runs")
          .set({
            status: "done",
            started_at: report.startedAt,
            finished_at: finishedAt,
            verdict: report.verdict,
            report: JSON.stringify(report),
            error: null,
            claimed_by: null,
            claim_expires_at: null,
          })
          .where("id", "=", run.id)
          .execute();
      }
      const runId = run.id;
      // One row per measure id: should a report name a measure twice, its first statement counts.
      const measures = report.measures.filter(
        (m, i) => report.measures.findIndex((n) => n.id === m.id) === i,
      );
      if (measures.length > 0)
        await trx
          .insertInto("audit_measures")
          .values(
            measures.map((m) => ({
              run_id: runId,
              domain: run.domain,
              measure_id: m.id,
              charter: m.charter ? 1 : 0,
              status: m.status,
              finished_at: finishedAt,
            })),
          )
          .execute();
      if (report.endpoints.length > 0)
        await trx
          .insertInto("audit_endpoints")
          .values(
            report.endpoints.map((e, position) => ({
              run_id: runId,
              position,
              host: e.host,
              address: e.address,
              port: e.port,
              service: e.service,
              tls_mode: e.tlsMode,
              starttls_advertised: e.starttlsAdvertised === null ? null : e.starttlsAdvertised ? 1 : 0,
              tls_version: e.tls?.negotiated?.version ?? null,
              cipher_suite: e.tls?.negotiated?.cipherSuite ?? null,
              versions: e.tls?.versions ? JSON.stringify(e.tls.versions) : null,
              certificate_status: e.tls?.certificate?.status ?? null,
              certificate_not_after: e.tls?.certificate?.notAfter ?? null,
              certificate_sha256: e.tls?.certificate?.fingerprintSha256 ?? null,
              outcome: e.outcome,
              error_step: e.error?.step ?? null,
              error_reason: e.error?.reason ?? null,
              connections: e.stats.connections,
            })),
          )
          .execute();
      if (options.nextDueAt !== undefined)
        await this.setNextDue(trx, run.domain, options.nextDueAt, runId, options.now);
      return { runId, written: true };
    });
  }

  private async setNextDue(
    trx: Transaction<Database>,
    domain: string,
    nextDueAt: number | null,
    runId: number,
    now: number,
  ): Promise<void> {
    const next = nextDueAt === null ? null : iso(nextDueAt);
    const updated = await trx
      .updateTable("monitor_schedule")
      .set({ next_due_at: next, last_run_id: runId, updated_at: iso(now) })
      .where("domain", "=", domain)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      await trx
        .insertInto("monitor_schedule")
        .values({
          domain,
          cadence_seconds: defaultCadenceSeconds,
          next_due_at: next,
          last_run_id: runId,
          updated_at: iso(now),
        })
        .execute();
  }

  /** A run that could not complete (a bug in us, or the store): kept with its error, never a verdict. */
  async fail(jobKey: string, message: string, now: number): Promise<void> {
    await this.db
      .updateTable("audit_runs")
      .set({
        status: "failed",
        finished_at: iso(now),
        error: message,
        claimed_by: null,
        claim_expires_at: null,
      })
      .where("job_key", "=", jobKey)
      .where("status", "in", ["queued", "running"])
      .execute();
  }

  /** The runs of a scheduler cycle, in the order they were queued. */
  async runsOfCycle(cycleId: number): Promise<AuditRunSummary[]> {
    const rows = await this.db
      .selectFrom("audit_runs")
      .select(summaryColumns)
      .where("cycle_id", "=", cycleId)
      .orderBy("id")
      .execute();
    return rows.map(summary);
  }

  /** The audits of a domain, newest first (every status), `limit` at a time. */
  async listAudits(
    domain: string,
    options: { readonly limit?: number; readonly offset?: number } = {},
  ): Promise<AuditRunSummary[]> {
    const rows = await this.db
      .selectFrom("audit_runs")
      .select(summaryColumns)
      .where("domain", "=", domain)
      .orderBy("queued_at", "desc")
      .orderBy("id", "desc")
      .limit(Math.min(Math.max(options.limit ?? 50, 1), 500))
      .offset(Math.max(options.offset ?? 0, 0))
      .execute();
    return rows.map(summary);
  }

  async getAudit(id: number): Promise<AuditRun | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const row = await this.db
      .selectFrom("audit_runs")
      .select([...summaryColumns, "report"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    return { ...summary(row), report: row.report === null ? null : (JSON.parse(row.report) as AuditReport) };
  }

  async getAuditByKey(jobKey: string): Promise<AuditRun | null> {
    const found = await this.byKey(this.db, jobKey);
    return found ? this.getAudit(found.id) : null;
  }

  /** The latest finished audit of every domain that has one (verdict and date, for the public list). */
  async latestPerDomain(): Promise<LatestAudit[]> {
    const rows = await this.db
      .selectFrom("audit_runs as r")
      .select(["r.id", "r.domain", "r.organisation", "r.verdict", "r.finished_at"])
      .where("r.status", "=", "done")
      .where("r.id", "=", (eb) =>
        eb
          .selectFrom("audit_runs as r2")
          .select("r2.id")
          .whereRef("r2.domain", "=", "r.domain")
          .where("r2.status", "=", "done")
          .orderBy("r2.finished_at", "desc")
          .orderBy("r2.id", "desc")
          .limit(1),
      )
      .orderBy("r.domain")
      .execute();
    return rows.map((r) => ({
      domain: r.domain,
      organisation: r.organisation,
      runId: Number(r.id),
      verdict: r.verdict as Verdict,
      finishedAt: r.finished_at as string,
    }));
  }

  /** The latest finished audit of each of `domains` that has one (the public list's verdict and date). */
  async latestVerdicts(
    domains: readonly string[],
  ): Promise<
    ReadonlyMap<string, { readonly verdict: Verdict; readonly finishedAt: string; readonly runId: number }>
  > {
    const wanted = new Set(domains);
    const found = new Map<string, { verdict: Verdict; finishedAt: string; runId: number }>();
    for (const l of await this.latestPerDomain())
      if (wanted.has(l.domain))
        found.set(l.domain, { verdict: l.verdict, finishedAt: l.finishedAt, runId: l.runId });
    return found;
  }

  /**
   * Signatories in force at `at` × charter measures, from each domain's latest audit: per domain, and
   * per organisation the worst status over its audited domains. A domain never audited has no status.
   */
  async statusMatrix(at: string = new Date().toISOString().slice(0, 10)): Promise<StatusMatrix> {
    const signatories = (await (await Registry.open(this.store)).list()).filter((s) => inForceAt(s, at));
    const latest = new Map((await this.latestPerDomain()).map((l) => [l.domain, l]));
    const runIds = [...latest.values()].map((l) => l.runId);
    const statuses = new Map<number, Record<string, MeasureStatus>>();
    for (let i = 0; i < runIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("audit_measures")
        .select(["run_id", "measure_id", "status"])
        .where("charter", "=", 1)
        .where("run_id", "in", runIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const id = Number(r.run_id);
        const map = statuses.get(id) ?? {};
        map[r.measure_id] = r.status;
        statuses.set(id, map);
      }
    }
    const rows: MatrixRow[] = signatories.map((s) => {
      const domains: MatrixDomain[] = s.domains.map((d) => {
        const l = latest.get(d.domain);
        return {
          domain: d.domain,
          runId: l?.runId ?? null,
          verdict: l?.verdict ?? null,
          finishedAt: l?.finishedAt ?? null,
          measures: l ? (statuses.get(l.runId) ?? {}) : {},
        };
      });
      const measures: Record<string, MeasureStatus> = {};
      for (const id of charterMeasureIds) {
        const seen = domains.map((d) => d.measures[id]).filter((x): x is MeasureStatus => x !== undefined);
        if (seen.length > 0) measures[id] = worst(seen);
      }
      return { organisation: s.name, measures, domains };
    });
    return { at, measures: charterMeasureIds, rows };
  }
}

/** Charter art. 4.1 asks for permanent compliance; a daily audit is the default cadence. */
export const defaultCadenceSeconds = 86_400;
