/**
 * Tables of received TLS-RPT reports (migration `2026-12-03-tlsrpt`): one row per report with its
 * original bytes, one per policy of the report, one per failure-details entry. Dates are ISO strings
 * (UTC); JSON is text; bytes are a BLOB (SQLite) or BYTEA (PostgreSQL). Only src/indicators/tlsrpt
 * reads and writes them.
 */
import type { Generated } from "kysely";

export interface TlsRptReportTable {
  id: Generated<number>;
  /** RFC 8460 §4.4 `organization-name` and `report-id`: together unique (a report seen again is a duplicate). */
  organization: string;
  report_id: string;
  start_datetime: string;
  end_datetime: string;
  contact_info: string | null;
  /** The bytes as the door received them: the POST body, the file, or the whole mail. */
  raw: Buffer;
  /** What `raw` is: `json`, `gzip` or `mail` (RFC 5322 message). */
  raw_kind: "json" | "gzip" | "mail";
  /** The normalised report (mailcharter tlsrpt-report schema), JSON text. */
  normalised: string;
  /** The deviations read (JSON array of { code, path, detail }). */
  warnings: string;
  door: "https" | "imap" | "file";
  /** Who or what delivered it: the client address, the mailbox and UID, or the file name. */
  source: string;
  received_at: string;
  successful: number;
  failed: number;
  /** A mailed report's sender domains (JSON [{ domain, how: "dkim" | "from" }]); null otherwise. */
  mail_domains: string | null;
}

export interface TlsRptPolicyTable {
  report_row: number;
  position: number;
  /** The UTC day of the report's start-datetime (YYYY-MM-DD): the day its figures count for. */
  day: string;
  policy_type: "tlsa" | "sts" | "no-policy-found";
  policy_domain: string;
  /** JSON arrays of strings. */
  policy_string: string;
  mx_hosts: string;
  successful: number;
  failed: number;
}

export interface TlsRptFailureTable {
  report_row: number;
  policy_position: number;
  position: number;
  result_type: string;
  sending_mta_ip: string | null;
  receiving_mx_hostname: string | null;
  receiving_mx_helo: string | null;
  receiving_ip: string | null;
  failed_session_count: number;
  additional_information: string | null;
  failure_reason_code: string | null;
}

export interface TlsRptTables {
  tlsrpt_reports: TlsRptReportTable;
  tlsrpt_policies: TlsRptPolicyTable;
  tlsrpt_failures: TlsRptFailureTable;
}
