/**
 * Session timeouts (OWASP session management cheat sheet §"Session Expiration"), pure: a login ends
 * after `sessionIdleMs` without a request, and `sessionAbsoluteMs` after it began, whatever the
 * activity. The reason is kept so the login page can say why the user is asked to log in again.
 */
import { serviceLimits } from "../core/limits.js";

export interface LoginTimes {
  /** When the password was checked (ms since the epoch). */
  readonly authenticatedAt: number;
  readonly lastSeenAt: number;
}

export interface SessionTimeoutLimits {
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly sessionTouchMs: number;
  readonly sessionPurgeGraceMs: number;
}

export type SessionVerdict =
  | { readonly ok: true /** whether to record this request as the last seen */; readonly touch: boolean }
  | { readonly ok: false; readonly reason: "idle" | "absolute" };

export function judgeSession(
  times: LoginTimes,
  now: number,
  limits: SessionTimeoutLimits = serviceLimits,
): SessionVerdict {
  if (now - times.authenticatedAt >= limits.sessionAbsoluteMs) return { ok: false, reason: "absolute" };
  if (now - times.lastSeenAt >= limits.sessionIdleMs) return { ok: false, reason: "idle" };
  return { ok: true, touch: now - times.lastSeenAt >= limits.sessionTouchMs };
}

/**
 * When the stored row may be purged: the end of the login (the earlier timeout) plus a grace period
 * during which the reason can still be told; a session without a login (it only holds the CSRF
 * secret of a login form) at the idle timeout, with no grace (crawlers of the public pages make many).
 */
export function sessionRowExpiry(
  times: LoginTimes | null,
  now: number,
  limits: SessionTimeoutLimits = serviceLimits,
): number {
  if (!times) return now + limits.sessionIdleMs;
  return (
    Math.min(times.lastSeenAt + limits.sessionIdleMs, times.authenticatedAt + limits.sessionAbsoluteMs) +
    limits.sessionPurgeGraceMs
  );
}
