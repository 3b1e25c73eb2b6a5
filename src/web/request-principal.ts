/**
 * Who is asking, for every request: an `Authorization: Bearer` API token (RFC 6750 §2.1), else the
 * account of the session cookie, judged against the idle and absolute timeouts, else the public.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Accounts } from "../accounts/accounts.js";
import { bearerToken } from "../accounts/api-token.js";
import { type Principal, publicPrincipal } from "../accounts/principal.js";
import { judgeSession, type SessionTimeoutLimits } from "../accounts/session-timeouts.js";
import { ApiError } from "./api-error.js";
import { loginTimes, type SessionData } from "./session-store-adapter.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
    /** Why the session's login ended on this request, if it just did. */
    sessionEnded: "idle" | "absolute" | null;
  }
  interface Session extends SessionData {}
}

export function resolvePrincipals(
  app: FastifyInstance,
  accounts: Accounts,
  now: () => Date,
  limits: SessionTimeoutLimits,
  metricsToken: () => Buffer | null = () => null,
): void {
  app.decorateRequest("principal", null as never);
  app.decorateRequest("sessionEnded", null);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    request.principal = publicPrincipal;
    request.sessionEnded = null;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const token = bearerToken(authorization);
      if (!token)
        throw new ApiError(401, "unauthenticated", "the Authorization header is not Bearer <token>");
      const scraper = metricsToken();
      if (scraper && sameSecret(Buffer.from(token), scraper)) {
        request.principal = { kind: "metrics" };
        return;
      }
      const principal = await accounts.tokenPrincipal(token);
      if (!principal) throw new ApiError(401, "unauthenticated", "unknown or revoked API token");
      request.principal = principal;
      return;
    }
    const session = request.session;
    const times = session ? loginTimes(session) : null;
    if (!session || !times) return;
    const at = now().getTime();
    const verdict = judgeSession(times, at, limits);
    const account = verdict.ok ? await accounts.active(session.accountId as number) : undefined;
    if (!verdict.ok || !account) {
      // A fresh anonymous session replaces the ended one (its row is deleted).
      await session.regenerate();
      request.sessionEnded = verdict.ok ? null : verdict.reason;
      return;
    }
    if (verdict.touch) session.lastSeenAt = at;
    request.principal = {
      kind: "account",
      accountId: account.id,
      email: account.email,
      role: account.role,
      organisationId: account.organisationId,
      via: "session",
    };
  });
}

/** Constant-time comparison of two secrets of any length (their SHA-256 digests are compared). */
export function sameSecret(given: Buffer, expected: Buffer): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
