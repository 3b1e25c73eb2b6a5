/**
 * Tables of the MTA-log indicators (migration `2026-12-04-indicators-log`): the session records read
 * from Postfix and Exim logs, one cursor per log file read (resumable ingestion), and the per-day,
 * per-link figures kept up to date as sessions arrive. Only src/indicators reads and writes them.
 */
import type { Generated } from "kysely";

export interface LogSessionTable {
  id: Generated<number>;
  /** SHA-256 (hex, 32 chars) of the organisation and the log line that completed the record: the
   * same line ingested twice is stored once. */
  key: string;
  /** The organisation whose MTA wrote the log (`--org`), or null. */
  organisation_id: number | null;
  /** ISO 8601 UTC. */
  time: string;
  /** YYYY-MM-DD (UTC) of `time`. */
  day: string;
  direction: "outbound" | "inbound";
  mta: "postfix" | "exim";
  log_host: string | null;
  instance: string;
  queue_id: string | null;
  peer_domain: string | null;
  peer_host: string | null;
  peer_ip: string | null;
  peer_port: number | null;
  tls_class: "verified" | "trusted" | "untrusted" | "anonymous" | "none";
  tls_version: string | null;
  tls_cipher: string | null;
  outcome: "sent" | "deferred" | "bounced" | "accepted" | "failed";
  /** RFC 8460 §4.3 result type. */
  failure_type: string | null;
  failure_detail: string | null;
  tls_level: string | null;
  policy_domain: string | null;
}

export interface LogCursorTable {
  /** The file's absolute path. */
  path: string;
  format: "postfix" | "exim";
  organisation_id: number | null;
  /** `dev:ino` of the file the offset is in: another inode at that path is a rotated log. */
  inode: string;
  /** Bytes read and committed, at a line boundary. */
  byte_offset: number;
  /** The parser's join state at `offset` (JSON). */
  state: string;
  updated_at: string;
}

export interface LinkFigureTable {
  day: string;
  /** `o:<organisation id>` or `d:<domain or host>`. */
  sender: string;
  receiver: string;
  sender_org_id: number | null;
  receiver_org_id: number | null;
  /** Who saw it: `sender-log` (the sender's outbound log), `receiver-log` (the receiver's inbound
   * log), `tlsrpt` (a TLS-RPT report). */
  source: string;
  /** `class`, `outcome`, `failure`, `version`, `suite`. */
  metric: string;
  value: string;
  count: number;
}

export interface IndicatorsLogTables {
  log_sessions: LogSessionTable;
  log_cursors: LogCursorTable;
  link_figures: LinkFigureTable;
}
