/**
 * Storage of MTA-log sessions (indicators-log-tables.ts): a batch of session records, the link
 * figures they add and the file's cursor are committed in one transaction, so a crash leaves either
 * nothing or everything of a batch, and the batch is read again from the previous cursor. A record
 * already stored (same organisation and log line) is skipped, with its figures. On SQLite a batch is
 * prepared single-row statements on the better-sqlite3 handle (the ingestion's hot path: Kysely's
 * compilation of multi-row statements cost more than SQLite's work); on PostgreSQL multi-row inserts.
 * The figures of a batch are summed in memory and written once per key.
 */
import * as crypto from "node:crypto";
import { sql } from "kysely";
import type { Store } from "../../store/database.js";
import { migrate } from "../../store/migrations.js";
import { addSessionFigures, type FigureIncrement } from "../links/figures.js";
import type { PartyDirectory } from "../links/parties.js";
import type { LogFormat } from "./parser.js";
import type { FailureType, SessionRecord, TlsClass } from "./session.js";

export interface LogCursor {
  readonly path: string;
  readonly format: LogFormat;
  readonly organisationId: number | null;
  readonly inode: string;
  readonly offset: number;
  readonly state: unknown;
}

/** One group of `outboundSessions`: what i1's TLS-RPT generation (RFC 8460 §4) needs per MX. */
export interface OutboundGroup {
  /** The recipient domain (RFC 8460 "policy-domain" when no `TLSRPT:` line named another). */
  readonly recipientDomain: string;
  /** The Postfix 3.10+ `TLSRPT:` policy domain, when logged; else null. */
  readonly policyDomain: string | null;
  readonly mxHost: string | null;
  readonly mxIp: string | null;
  readonly tlsClass: TlsClass;
  /** Postfix 3.11 `tls=` level (may, encrypt, secure, dane…), when logged: the policy applied. */
  readonly tlsLevel: string | null;
  readonly outcome: "sent" | "deferred" | "bounced";
  readonly failureType: FailureType | null;
  readonly failureDetail: string | null;
  readonly sessions: number;
}

/** `crypto.hash` (Node 20.12+) digests in one call, without a Hash object per line. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/** The idempotency key: organisation and line, and the repeat number of a line written again. */
const key = (organisationId: number | null, s: SessionRecord) =>
  sha256Hex(`${organisationId ?? ""}\n${s.line}${s.repeat ? `\n${s.repeat}` : ""}`).slice(0, 32);

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface Batch {
  readonly organisationId: number | null;
  readonly sessions: readonly SessionRecord[];
  readonly directory: PartyDirectory | null;
  readonly cursor: LogCursor | null;
  readonly updatedAt: string;
}

type SqliteDatabase = NonNullable<Store["sqlite"]>;
type Statements = ReturnType<typeof prepare>;

/** The three statements of a batch on SQLite, prepared once per store. */
function prepare(sqlite: SqliteDatabase) {
  return {
    session: sqlite.prepare(
      `insert into log_sessions (key, organisation_id, time, day, direction, mta, log_host, instance,
         queue_id, peer_domain, peer_host, peer_ip, peer_port, tls_class, tls_version, tls_cipher,
         outcome, failure_type, failure_detail, tls_level, policy_domain)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (key) do nothing`,
    ),
    figure: sqlite.prepare(
      `insert into link_figures (day, sender, receiver, sender_org_id, receiver_org_id, source, metric,
         value, count)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (day, sender, receiver, source, metric, value)
       do update set count = link_figures.count + excluded.count`,
    ),
    cursor: sqlite.prepare(
      `insert into log_cursors (path, format, organisation_id, inode, byte_offset, state, updated_at)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (path) do update set format = excluded.format,
         organisation_id = excluded.organisation_id, inode = excluded.inode,
         byte_offset = excluded.byte_offset, state = excluded.state, updated_at = excluded.updated_at`,
    ),
  };
}

export class LogStore {
  private statements: Statements | undefined;
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<LogStore> {
    await migrate(store.db as never, store.engine);
    return new LogStore(store);
  }

  async cursor(path: string): Promise<LogCursor | null> {
    const row = await this.store.db
      .selectFrom("log_cursors")
      .selectAll()
      .where("path", "=", path)
      .executeTakeFirst();
    if (!row) return null;
    return {
      path: row.path,
      format: row.format,
      organisationId: row.organisation_id,
      inode: row.inode,
      offset: Number(row.byte_offset),
      state: JSON.parse(row.state),
    };
  }

  /**
   * Commits `sessions` of organisation `organisationId`, the link figures of those not seen before,
   * and (when given) the cursor — all or nothing. Returns how many records were new.
   */
  async commit(
    organisationId: number | null,
    sessions: readonly SessionRecord[],
    directory: PartyDirectory | null,
    cursor: LogCursor | null,
    now: Date = new Date(),
  ): Promise<number> {
    const batch: Batch = { organisationId, sessions, directory, cursor, updatedAt: now.toISOString() };
    const { sqlite } = this.store;
    if (sqlite) return this.store.db.connection().execute(async () => this.sqliteCommit(sqlite, batch));
    return this.kyselyCommit(batch);
  }

  /**
   * SQLite: one transaction of prepared single-row statements on the better-sqlite3 handle (held
   * through Kysely's connection, so no other query runs meanwhile). Compiling and preparing a
   * 400-row statement per chunk cost more than SQLite's own work; a prepared row costs a few µs.
   * `synchronous = NORMAL` for the batch: in WAL mode a killed process loses no committed
   * transaction, and a power cut can only lose whole last transactions — rows and cursor together,
   * so the lines are read again and nothing is counted twice.
   */
  private sqliteCommit(sqlite: SqliteDatabase, batch: Batch): number {
    if (this.statements === undefined) this.statements = prepare(sqlite);
    const statements = this.statements;
    const synchronous = sqlite.pragma("synchronous", { simple: true });
    sqlite.pragma("synchronous = NORMAL");
    try {
      return sqlite.transaction(() => {
        const { organisationId, directory } = batch;
        let added = 0;
        const figures = new Map<string, FigureIncrement>();
        for (const s of batch.sessions) {
          const { changes } = statements.session.run(
            key(organisationId, s),
            organisationId,
            s.time,
            s.time.slice(0, 10),
            s.direction,
            s.mta,
            s.logHost,
            s.instance,
            s.queueId,
            s.peerDomain,
            s.peerHost,
            s.peerIp,
            s.peerPort,
            s.tlsClass,
            s.tlsVersion,
            s.tlsCipher,
            s.outcome,
            s.failureType,
            s.failureDetail,
            s.tlsLevel,
            s.policyDomain,
          );
          if (changes === 0) continue;
          added += 1;
          if (organisationId !== null && directory !== null)
            addSessionFigures(figures, s, organisationId, directory);
        }
        for (const f of figures.values())
          statements.figure.run(
            f.day,
            f.sender,
            f.receiver,
            f.senderOrgId,
            f.receiverOrgId,
            f.source,
            f.metric,
            f.value,
            f.count,
          );
        const { cursor } = batch;
        if (cursor !== null)
          statements.cursor.run(
            cursor.path,
            cursor.format,
            cursor.organisationId,
            cursor.inode,
            cursor.offset,
            JSON.stringify(cursor.state),
            batch.updatedAt,
          );
        return added;
      })();
    } finally {
      sqlite.pragma(`synchronous = ${Number(synchronous)}`);
    }
  }

  /** PostgreSQL: multi-row inserts of 400 sessions and 500 figures, in one transaction. */
  private kyselyCommit(batch: Batch): Promise<number> {
    const { organisationId, sessions, directory, cursor } = batch;
    return this.store.db.transaction().execute(async (trx) => {
      let added = 0;
      const figures = new Map<string, FigureIncrement>();
      for (const part of chunk(sessions, 400)) {
        const rows = part.map((s) => ({
          key: key(organisationId, s),
          organisation_id: organisationId,
          time: s.time,
          day: s.time.slice(0, 10),
          direction: s.direction,
          mta: s.mta,
          log_host: s.logHost,
          instance: s.instance,
          queue_id: s.queueId,
          peer_domain: s.peerDomain,
          peer_host: s.peerHost,
          peer_ip: s.peerIp,
          peer_port: s.peerPort,
          tls_class: s.tlsClass,
          tls_version: s.tlsVersion,
          tls_cipher: s.tlsCipher,
          outcome: s.outcome,
          failure_type: s.failureType,
          failure_detail: s.failureDetail,
          tls_level: s.tlsLevel,
          policy_domain: s.policyDomain,
        }));
        const inserted = await trx
          .insertInto("log_sessions")
          .values(rows)
          .onConflict((oc) => oc.column("key").doNothing())
          .returning("key")
          .execute();
        added += inserted.length;
        if (organisationId !== null && directory !== null && inserted.length > 0) {
          const fresh = new Set(inserted.map((r) => r.key));
          part.forEach((s, i) => {
            if (fresh.has(rows[i]?.key as string)) addSessionFigures(figures, s, organisationId, directory);
          });
        }
      }
      for (const part of chunk([...figures.values()], 500)) {
        await trx
          .insertInto("link_figures")
          .values(
            part.map((f) => ({
              day: f.day,
              sender: f.sender,
              receiver: f.receiver,
              sender_org_id: f.senderOrgId,
              receiver_org_id: f.receiverOrgId,
              source: f.source,
              metric: f.metric,
              value: f.value,
              count: f.count,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(["day", "sender", "receiver", "source", "metric", "value"])
              .doUpdateSet({ count: sql<number>`link_figures.count + excluded.count` }),
          )
          .execute();
      }
      if (cursor !== null) {
        const values = {
          format: cursor.format,
          organisation_id: cursor.organisationId,
          inode: cursor.inode,
          byte_offset: cursor.offset,
          state: JSON.stringify(cursor.state),
          updated_at: batch.updatedAt,
        };
        await trx
          .insertInto("log_cursors")
          .values({ path: cursor.path, ...values })
          .onConflict((oc) => oc.column("path").doUpdateSet(values))
          .execute();
      }
      return added;
    });
  }

  /**
   * The outbound sessions of organisation `organisationId` on `day` (YYYY-MM-DD, UTC), grouped by
   * recipient domain, MX, TLS class, policy applied, outcome and failure — the input of a daily
   * RFC 8460 report per policy domain. Ordered by domain, then MX.
   */
  async outboundSessions(organisationId: number, day: string): Promise<OutboundGroup[]> {
    const rows = await this.store.db
      .selectFrom("log_sessions")
      .select([
        "peer_domain",
        "policy_domain",
        "peer_host",
        "peer_ip",
        "tls_class",
        "tls_level",
        "outcome",
        "failure_type",
        (eb) => eb.fn.max("failure_detail").as("failure_detail"),
        (eb) => eb.fn.countAll<number>().as("sessions"),
      ])
      .where("organisation_id", "=", organisationId)
      .where("day", "=", day)
      .where("direction", "=", "outbound")
      .groupBy([
        "peer_domain",
        "policy_domain",
        "peer_host",
        "peer_ip",
        "tls_class",
        "tls_level",
        "outcome",
        "failure_type",
      ])
      .orderBy("peer_domain")
      .orderBy("peer_host")
      .orderBy("tls_class")
      .execute();
    return rows.map((r) => ({
      recipientDomain: r.peer_domain ?? "",
      policyDomain: r.policy_domain,
      mxHost: r.peer_host,
      mxIp: r.peer_ip,
      tlsClass: r.tls_class,
      tlsLevel: r.tls_level,
      outcome: r.outcome as OutboundGroup["outcome"],
      failureType: r.failure_type as FailureType | null,
      failureDetail: r.failure_detail,
      sessions: Number(r.sessions),
    }));
  }

  /** How many session records are stored (for tests and the CLI's text output). */
  async count(organisationId?: number): Promise<number> {
    let q = this.store.db.selectFrom("log_sessions").select((eb) => eb.fn.countAll<number>().as("n"));
    if (organisationId !== undefined) q = q.where("organisation_id", "=", organisationId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
