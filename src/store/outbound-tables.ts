/**
 * Tables of the outbound STARTTLS test (migration `2026-12-07-outbound-tests`). Dates are ISO strings
 * (UTC), booleans 0/1 integers, JSON text. Only src/outbound reads and writes them. Messages are never
 * stored: one row records how each one arrived.
 */
import type { Generated } from "kysely";

export interface OutboundTestTable {
  id: Generated<number>;
  domain: string;
  /** The registry's organisation id of the domain when the test started (null if unregistered). */
  organisation_id: number | null;
  organisation: string | null;
  /** 128-bit random local part, unique: the key the listener looks a recipient up by. */
  local_part: string;
  /** JSON array of { kind, address }. */
  addresses: string;
  requested_by: string;
  created_at: string;
  expires_at: string;
}

export interface OutboundMessageTable {
  id: Generated<number>;
  test_id: number;
  variant: string;
  received_at: string;
  remote_address: string;
  reverse_name: string | null;
  reverse_lookup: string;
  ehlo: string;
  mail_from: string;
  starttls: number;
  tls_version: string | null;
  cipher_suite: string | null;
  tls_group: string | null;
  /** JSON { subject, issuer, notAfter, sha256 } or null. */
  client_certificate: string | null;
  size_bytes: number;
}

export interface OutboundTables {
  outbound_tests: OutboundTestTable;
  outbound_messages: OutboundMessageTable;
}
