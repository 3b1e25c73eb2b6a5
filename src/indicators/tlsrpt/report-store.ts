/**
 * Received TLS-RPT reports in the store (tables in src/store/tlsrpt-tables.ts). One report is one
 * transaction: the report row, its policies and failure details are committed together or not at all,
 * and a report whose (organization-name, report-id) is already there is a duplicate — by the unique
 * constraint, so two doors receiving it at once still store it once.
 *
 * For the per-link figures (src/indicators/links), `dailyPolicyFigures(from, to)` gives per UTC day,
 * reporting organisation, policy domain and policy type: the successful and failed sessions and the
 * failed ones by RFC 8460 result type. A report counts for the day its `start-datetime` falls on
 * (senders report whole UTC days, RFC 8460 §4.1).
 */
import type { Kysely } from "kysely";
import type { Database, Store } from "../../store/database.js";
import { migrate } from "../../store/migrations.js";
import type { Warning } from "./outcome.js";
import type { TlsRptReport } from "./report-schema.js";
import type { MailDomain } from "./reporter.js";
import type { PolicyType, ResultType } from "./wire.js";

export type Door = "https" | "imap" | "file";
export type RawKind = "json" | "gzip" | "mail";

export interface Received {
  readonly report: TlsRptReport;
  readonly warnings: readonly Warning[];
  readonly raw: Buffer;
  readonly rawKind: RawKind;
  readonly door: Door;
  readonly source: string;
  readonly receivedAt: string;
  /** A mailed report's sender domains, in evidence order (reporter.ts); [] when not mailed. */
  readonly mailDomains?: readonly MailDomain[];
}

export type StoreOutcome =
  | { readonly status: "accepted"; readonly id: number }
  | { readonly status: "duplicate"; readonly id: number };

export interface DailyPolicyFigure {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** The reporting organisation (RFC 8460 §4.4 organization-name): the sender of the mail traffic. */
  readonly organization: string;
  /** The report's contact-info and its mail's sender domains: the evidence of who sent it (reporter.ts). */
  readonly contactInfo?: string | null;
  readonly mailDomains?: readonly MailDomain[];
  /** The recipient policy domain the sessions went to. */
  readonly policyDomain: string;
  readonly policyType: PolicyType;
  readonly successful: number;
  readonly failed: number;
  /** Failed sessions by result type, as the failure details say (they may not add up to `failed`). */
  readonly failures: Readonly<Partial<Record<ResultType, number>>>;
  readonly reports: number;
}

export interface StoredReportSummary {
  readonly id: number;
  readonly organization: string;
  readonly reportId: string;
  readonly startDatetime: string;
  readonly endDatetime: string;
  readonly door: Door;
  readonly receivedAt: string;
  readonly successful: number;
  readonly failed: number;
  readonly warnings: number;
}

/** One policy of a stored report, with what the report says of its sender (the received-reports page). */
export interface ReceivedPolicy {
  readonly id: number;
  readonly organization: string;
  readonly contactInfo: string | null;
  readonly reportId: string;
  readonly startDatetime: string;
  readonly endDatetime: string;
  readonly receivedAt: string;
  readonly door: Door;
  readonly warnings: number;
  readonly policyDomain: string;
  readonly policyType: PolicyType;
  readonly successful: number;
  readonly failed: number;
  /** Failed sessions by result type, as the failure details say. */
  readonly failures: Readonly<Partial<Record<ResultType, number>>>;
}

/** Unique violations of both engines (SQLite's constraint codes, PostgreSQL's 23505). */
const isUniqueViolation = (error: unknown) => {
  const code = String((error as { code?: unknown }).code ?? "");
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
};

export class TlsRptStore {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<TlsRptStore> {
    await migrate(store.db as never, store.engine);
    return new TlsRptStore(store);
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  private async existing(organization: string, reportId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("tlsrpt_reports")
      .select("id")
      .where("organization", "=", organization)
      .where("report_id", "=", reportId)
      .executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** Stores a report once: `accepted` after the commit, `duplicate` when it was already there. */
  async save(received: Received): Promise<StoreOutcome> {
    const { report } = received;
    const organization = report["organization-name"];
    const reportId = report["report-id"];
    const known = await this.existing(organization, reportId);
    if (known !== undefined) return { status: "duplicate", id: known };
    const successful = report.policies.reduce((n, p) => n + p.summary["total-successful-session-count"], 0);
    const failed = report.policies.reduce((n, p) => n + p.summary["total-failure-session-count"], 0);
    const day = report["date-range"]["start-datetime"].slice(0, 10);
    try {
      const id = await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto("tlsrpt_reports")
          .values({
            organization,
            report_id: reportId,
            start_datetime: report["date-range"]["start-datetime"],
            end_datetime: report["date-range"]["end-datetime"],
            contact_info: report["contact-info"],
            raw: received.raw,
            raw_kind: received.rawKind,
            normalised: JSON.stringify(report),
            warnings: JSON.stringify(received.warnings),
            door: received.door,
            source: received.source,
            received_at: received.receivedAt,
            successful,
            failed,
            mail_domains:
              received.mailDomains && received.mailDomains.length > 0
                ? JSON.stringify(received.mailDomains)
                : null,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const reportRow = Number(row.id);
        for (const [position, p] of report.policies.entries()) {
          await trx
            .insertInto("tlsrpt_policies")
            .values({
              report_row: reportRow,
              position,
              day,
              policy_type: p.policy["policy-type"],
              policy_domain: p.policy["policy-domain"],
              policy_string: JSON.stringify(p.policy["policy-string"]),
              mx_hosts: JSON.stringify(p.policy["mx-host"]),
              successful: p.summary["total-successful-session-count"],
              failed: p.summary["total-failure-session-count"],
            })
            .execute();
          for (const [i, f] of p["failure-details"].entries())
            await trx
              .insertInto("tlsrpt_failures")
              .values({
                report_row: reportRow,
                policy_position: position,
                position: i,
                result_type: f["result-type"],
                sending_mta_ip: f["sending-mta-ip"],
                receiving_mx_hostname: f["receiving-mx-hostname"],
                receiving_mx_helo: f["receiving-mx-helo"],
                receiving_ip: f["receiving-ip"],
                failed_session_count: f["failed-session-count"],
                additional_information: f["additional-information"],
                failure_reason_code: f["failure-reason-code"],
              })
              .execute();
        }
        return reportRow;
      });
      return { status: "accepted", id };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another door committed the same report between our look and our insert.
      const other = await this.existing(organization, reportId);
      if (other === undefined) throw error;
      return { status: "duplicate", id: other };
    }
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("tlsrpt_reports")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(
    page: { readonly limit: number; readonly offset: number } = { limit: 100, offset: 0 },
  ): Promise<StoredReportSummary[]> {
    const rows = await this.db
      .selectFrom("tlsrpt_reports")
      .select([
        "id",
        "organization",
        "report_id",
        "start_datetime",
        "end_datetime",
        "door",
        "received_at",
        "successful",
        "failed",
        "warnings",
      ])
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      organization: r.organization,
      reportId: r.report_id,
      startDatetime: r.start_datetime,
      endDatetime: r.end_datetime,
      door: r.door,
      receivedAt: r.received_at,
      successful: Number(r.successful),
      failed: Number(r.failed),
      warnings: (JSON.parse(r.warnings) as unknown[]).length,
    }));
  }

  /**
   * Every policy of the reports whose day (start-datetime's) is from ≤ day ≤ to, newest report first,
   * at most `limit` policies: whoever sent them, signatory or not.
   */
  async receivedPolicies(from: string, to: string, limit: number): Promise<ReceivedPolicy[]> {
    const rows = await this.db
      .selectFrom("tlsrpt_policies")
      .innerJoin("tlsrpt_reports", "tlsrpt_reports.id", "tlsrpt_policies.report_row")
      .select([
        "tlsrpt_reports.id as id",
        "tlsrpt_reports.organization as organization",
        "tlsrpt_reports.contact_info as contactInfo",
        "tlsrpt_reports.report_id as reportId",
        "tlsrpt_reports.start_datetime as startDatetime",
        "tlsrpt_reports.end_datetime as endDatetime",
        "tlsrpt_reports.received_at as receivedAt",
        "tlsrpt_reports.door as door",
        "tlsrpt_reports.warnings as warnings",
        "tlsrpt_policies.position as position",
        "tlsrpt_policies.policy_domain as policyDomain",
        "tlsrpt_policies.policy_type as policyType",
        "tlsrpt_policies.successful as successful",
        "tlsrpt_policies.failed as failed",
      ])
      .where("tlsrpt_policies.day", ">=", from)
      .where("tlsrpt_policies.day", "<=", to)
      .orderBy("tlsrpt_reports.start_datetime", "desc")
      .orderBy("tlsrpt_reports.id", "desc")
      .orderBy("tlsrpt_policies.position")
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.map((r) => Number(r.id)))];
    const byType = await this.db
      .selectFrom("tlsrpt_failures")
      .select((eb) => [
        "report_row",
        "policy_position",
        "result_type",
        eb.fn.sum<number | string>("failed_session_count").as("n"),
      ])
      .where("report_row", "in", ids)
      .groupBy(["report_row", "policy_position", "result_type"])
      .execute();
    const failures = new Map<string, Partial<Record<ResultType, number>>>();
    for (const f of byType) {
      const key = `${Number(f.report_row)}:${Number(f.policy_position)}`;
      const entry = failures.get(key) ?? {};
      entry[f.result_type as ResultType] = Number(f.n);
      failures.set(key, entry);
    }
    return rows.map((r) => ({
      id: Number(r.id),
      organization: r.organization,
      contactInfo: r.contactInfo,
      reportId: r.reportId,
      startDatetime: r.startDatetime,
      endDatetime: r.endDatetime,
      receivedAt: r.receivedAt,
      door: r.door,
      warnings: (JSON.parse(r.warnings) as unknown[]).length,
      policyDomain: r.policyDomain,
      policyType: r.policyType,
      successful: Number(r.successful),
      failed: Number(r.failed),
      failures: failures.get(`${Number(r.id)}:${Number(r.position)}`) ?? {},
    }));
  }

  /** The stored report: its normalised form, warnings and original bytes. */
  async get(id: number): Promise<{
    report: TlsRptReport;
    warnings: Warning[];
    raw: Buffer;
    rawKind: RawKind;
    door: Door;
    receivedAt: string;
  } | null> {
    const row = await this.db
      .selectFrom("tlsrpt_reports")
      .select(["normalised", "warnings", "raw", "raw_kind", "door", "received_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    return {
      report: JSON.parse(row.normalised) as TlsRptReport,
      warnings: JSON.parse(row.warnings) as Warning[],
      raw: Buffer.from(row.raw),
      rawKind: row.raw_kind,
      door: row.door,
      receivedAt: row.received_at,
    };
  }

  /**
   * The failure-details counts and the reported days of each policy domain, per report, for
   * from ≤ day ≤ to (the new-failure-type detection, src/monitor/detection/tlsrpt-new-type.ts).
   */
  async failuresByReport(
    from: string,
    to: string,
  ): Promise<{
    failures: {
      reportRow: number;
      reportId: string;
      organization: string;
      day: string;
      policyDomain: string;
      resultType: string;
      failed: number;
    }[];
    reported: { reportRow: number; policyDomain: string; day: string }[];
  }> {
    const reported = await this.db
      .selectFrom("tlsrpt_policies")
      .select(["report_row", "policy_domain", "day"])
      .where("day", ">=", from)
      .where("day", "<=", to)
      .execute();
    const failures = await this.db
      .selectFrom("tlsrpt_failures")
      .innerJoin("tlsrpt_policies", (join) =>
        join
          .onRef("tlsrpt_policies.report_row", "=", "tlsrpt_failures.report_row")
          .onRef("tlsrpt_policies.position", "=", "tlsrpt_failures.policy_position"),
      )
      .innerJoin("tlsrpt_reports", "tlsrpt_reports.id", "tlsrpt_failures.report_row")
      .select([
        "tlsrpt_reports.id as reportRow",
        "tlsrpt_reports.report_id as reportId",
        "tlsrpt_reports.organization as organization",
        "tlsrpt_policies.day as day",
        "tlsrpt_policies.policy_domain as policyDomain",
        "tlsrpt_failures.result_type as resultType",
        "tlsrpt_failures.failed_session_count as failed",
      ])
      .where("tlsrpt_policies.day", ">=", from)
      .where("tlsrpt_policies.day", "<=", to)
      .execute();
    return {
      failures: failures.map((f) => ({ ...f, reportRow: Number(f.reportRow), failed: Number(f.failed) })),
      reported: reported.map((r) => ({
        reportRow: Number(r.report_row),
        policyDomain: r.policy_domain,
        day: r.day,
      })),
    };
  }

  /** Per UTC day (from ≤ day ≤ to, YYYY-MM-DD), organisation, policy domain and type (see the header). */
  async dailyPolicyFigures(from: string, to: string): Promise<DailyPolicyFigure[]> {
    const sums = await this.db
      .selectFrom("tlsrpt_policies")
      .innerJoin("tlsrpt_reports", "tlsrpt_reports.id", "tlsrpt_policies.report_row")
      .select((eb) => [
        "tlsrpt_policies.day as day",
        "tlsrpt_reports.organization as organization",
        "tlsrpt_reports.contact_info as contactInfo",
        "tlsrpt_reports.mail_domains as mailDomains",
        "tlsrpt_policies.policy_domain as policyDomain",
        "tlsrpt_policies.policy_type as policyType",
        eb.fn.sum<number | string>("tlsrpt_policies.successful").as("successful"),
        eb.fn.sum<number | string>("tlsrpt_policies.failed").as("failed"),
        eb.fn.countAll<number | string>().as("reports"),
      ])
      .where("tlsrpt_policies.day", ">=", from)
      .where("tlsrpt_policies.day", "<=", to)
      .groupBy([
        "tlsrpt_policies.day",
        "tlsrpt_reports.organization",
        "tlsrpt_reports.contact_info",
        "tlsrpt_reports.mail_domains",
        "tlsrpt_policies.policy_domain",
        "tlsrpt_policies.policy_type",
      ])
      .orderBy("tlsrpt_policies.day")
      .orderBy("tlsrpt_reports.organization")
      .orderBy("tlsrpt_policies.policy_domain")
      .orderBy("tlsrpt_policies.policy_type")
      .execute();
    const byType = await this.db
      .selectFrom("tlsrpt_failures")
      .innerJoin("tlsrpt_policies", (join) =>
        join
          .onRef("tlsrpt_policies.report_row", "=", "tlsrpt_failures.report_row")
          .onRef("tlsrpt_policies.position", "=", "tlsrpt_failures.policy_position"),
      )
      .innerJoin("tlsrpt_reports", "tlsrpt_reports.id", "tlsrpt_failures.report_row")
      .select((eb) => [
        "tlsrpt_policies.day as day",
        "tlsrpt_reports.organization as organization",
        "tlsrpt_reports.contact_info as contactInfo",
        "tlsrpt_reports.mail_domains as mailDomains",
        "tlsrpt_policies.policy_domain as policyDomain",
        "tlsrpt_policies.policy_type as policyType",
        "tlsrpt_failures.result_type as resultType",
        eb.fn.sum<number | string>("tlsrpt_failures.failed_session_count").as("n"),
      ])
      .where("tlsrpt_policies.day", ">=", from)
      .where("tlsrpt_policies.day", "<=", to)
      .groupBy([
        "tlsrpt_policies.day",
        "tlsrpt_reports.organization",
        "tlsrpt_reports.contact_info",
        "tlsrpt_reports.mail_domains",
        "tlsrpt_policies.policy_domain",
        "tlsrpt_policies.policy_type",
        "tlsrpt_failures.result_type",
      ])
      .execute();
    const key = (r: {
      day: string;
      organization: string;
      contactInfo: string | null;
      mailDomains: string | null;
      policyDomain: string;
      policyType: string;
    }) =>
      [r.day, r.organization, r.contactInfo ?? "", r.mailDomains ?? "", r.policyDomain, r.policyType].join(
        "\u0000",
      );
    const failures = new Map<string, Partial<Record<ResultType, number>>>();
    for (const r of byType) {
      const entry = failures.get(key(r)) ?? {};
      entry[r.resultType as ResultType] = Number(r.n);
      failures.set(key(r), entry);
    }
    return sums.map((r) => ({
      day: r.day,
      organization: r.organization,
      contactInfo: r.contactInfo,
      mailDomains: r.mailDomains === null ? [] : (JSON.parse(r.mailDomains) as MailDomain[]),
      policyDomain: r.policyDomain,
      policyType: r.policyType,
      successful: Number(r.successful),
      failed: Number(r.failed),
      failures: failures.get(key(r)) ?? {},
      reports: Number(r.reports),
    }));
  }
}
