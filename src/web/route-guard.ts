/**
 * Applies the authorisation table to every route as it is registered (Fastify's onRoute hook): the
 * role check runs on each request before the body is read, and every state change made with the
 * session cookie (an ambient credential) must carry the session's CSRF token. API tokens are sent
 * explicitly by their client, so a cross-site page cannot use them: they need no CSRF token.
 */
import "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { ApiError } from "./api-error.js";
import { type Access, accessOf, decide } from "./authorization.js";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

export interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function guardRoutes(app: FastifyInstance, collected: CollectedRoute[]): void {
  app.addHook("onRoute", (route) => {
    const methods = asArray(route.method as string | string[]);
    const accesses = methods.map((method) => accessOf(method, route.url));
    const access = accesses[0] as Access;
    for (const method of methods) collected.push({ method, url: route.url, access });
    const check = async (request: FastifyRequest) => {
      const decision = decide(access, request.principal);
      if (decision === "unauthenticated")
        throw request.sessionEnded
          ? new ApiError(
              401,
              "session_expired",
              `the session ended (${request.sessionEnded} timeout): log in again`,
            )
          : new ApiError(401, "unauthenticated", "log in, or send an API token (Authorization: Bearer)");
      if (decision === "forbidden")
        throw new ApiError(
          403,
          "forbidden",
          `a ${request.principal.kind === "account" ? request.principal.role : "public"} account may not use this route`,
        );
    };
    route.onRequest = [...asArray(route.onRequest), check] as NonNullable<typeof route.onRequest>;
    if (methods.some((m) => !safeMethods.has(m)) && !("noCredentials" in access)) {
      const csrf = function (
        this: FastifyInstance,
        request: FastifyRequest,
        reply: FastifyReply,
        done: HookHandlerDoneFunction,
      ) {
        if (request.principal.kind === "account" && request.principal.via === "token") return done();
        app.csrfProtection.call(this, request, reply, done);
      };
      route.preValidation = [...asArray(route.preValidation), csrf] as NonNullable<
        typeof route.preValidation
      >;
    }
  });
}
