/**
 * The @fastify/session store over our database (src/accounts/session-store.ts), so sessions survive a
 * restart and are shared by every process on PostgreSQL. The session object is stored as JSON; the
 * account id and expiry are also columns, so disabling an account ends its sessions and old rows are
 * purged.
 */
import type * as fastifySession from "@fastify/session";
import type { Session } from "fastify";
import type { SessionStore } from "../accounts/session-store.js";
import {
  type LoginTimes,
  type SessionTimeoutLimits,
  sessionRowExpiry,
} from "../accounts/session-timeouts.js";
import type { LogUploadResult } from "./pages/log-upload-page.js";

export interface SessionData {
  accountId?: number;
  authenticatedAt?: number;
  lastSeenAt?: number;
  /** The last MTA log uploaded from the page, shown by its result page (Post/Redirect/Get). */
  lastLogUpload?: LogUploadResult;
}

export const loginTimes = (s: SessionData): LoginTimes | null =>
  typeof s.accountId === "number" && typeof s.authenticatedAt === "number" && typeof s.lastSeenAt === "number"
    ? { authenticatedAt: s.authenticatedAt, lastSeenAt: s.lastSeenAt }
    : null;

export class DatabaseSessionStore implements fastifySession.SessionStore {
  constructor(
    private readonly sessions: SessionStore,
    private readonly now: () => Date,
    private readonly limits: SessionTimeoutLimits,
  ) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const data = session as unknown as SessionData;
    const now = this.now();
    const times = loginTimes(data);
    this.sessions
      .set(
        {
          id: sessionId,
          data: JSON.stringify(session),
          accountId: times ? (data.accountId as number) : null,
          expiresAt: new Date(sessionRowExpiry(times, now.getTime(), this.limits)).toISOString(),
        },
        now.toISOString(),
      )
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.sessions.get(sessionId).then((row) => {
      if (!row || row.expiresAt < this.now().toISOString()) return callback(null, null);
      try {
        callback(null, JSON.parse(row.data) as Session);
      } catch {
        callback(null, null);
      }
    }, callback);
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.sessions.destroy(sessionId).then(() => callback(), callback);
  }
}
