/**
 * One error handler for the whole server: every failure becomes a status and a stable code, as JSON
 * `{ "error": { "code", "message" } }` under /api and for the published list, as a page elsewhere.
 * Unexpected errors are logged (without the request's secrets) and answered as `internal`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AccountError } from "../accounts/accounts.js";
import { RegistryError } from "../registry/repository.js";
import { ApiError, type ApiErrorCode, errorBody } from "./api-error.js";
import { pageContext } from "./page-context.js";
import { errorPage } from "./pages/error.js";

const wantsJson = (request: FastifyRequest) =>
  request.url.startsWith("/api/") ||
  request.url.startsWith("/published-list") ||
  request.url.startsWith("/tlsrpt") ||
  // A scraper is told 401, not sent to the login page.
  request.url.split("?", 1)[0] === "/metrics";

function classify(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof AccountError) {
    const status = { invalid: 400, conflict: 409, not_found: 404, forbidden: 403 }[error.reason];
    const code: ApiErrorCode =
      error.reason === "invalid"
        ? "invalid_request"
        : (error.reason as "conflict" | "not_found" | "forbidden");
    return new ApiError(status, code, error.message);
  }
  if (error instanceof RegistryError) return new ApiError(422, "registry_rejected", error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation
      .map((v) => `${v.instancePath ? `${v.instancePath.slice(1).replaceAll("/", ".")}: ` : ""}${v.message}`)
      .join("; ");
    return new ApiError(400, "invalid_request", `${error.validationContext ?? "request"}: ${issues}`);
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case "FST_CSRF_INVALID_TOKEN":
    case "FST_CSRF_MISSING_SECRET":
      return new ApiError(
        403,
        "csrf_invalid",
        "missing or invalid CSRF token: reload the page and try again",
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "body_too_large", "the request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "unsupported_media_type", "send application/json (or a form for the pages)");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "invalid_json", "the body is not valid JSON");
  }
  if (fastifyError.validation)
    return new ApiError(400, "invalid_request", fastifyError.message ?? "invalid request");
  if (fastifyError.statusCode === 429)
    return new ApiError(429, "rate_limited", fastifyError.message ?? "too many requests");
  if (
    typeof fastifyError.statusCode === "number" &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  )
    return new ApiError(fastifyError.statusCode, "invalid_request", fastifyError.message ?? "bad request");
  return null;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  reply.code(error.status);
  if (wantsJson(request))
    return reply
      .type("application/json; charset=utf-8")
      .send(errorBody(error.code, error.message, error.reason));
  if (error.status === 401) {
    const ended =
      error.code === "session_expired" && request.sessionEnded ? `?ended=${request.sessionEnded}` : "";
    return reply.code(303).redirect(`/login${ended}`);
  }
  let html: string;
  try {
    html = errorPage(pageContext(request, reply), error.status, error.status < 500 ? error.message : null);
  } catch {
    html = `<!doctype html><title>${error.status}</title><p>${error.status}</p>`;
  }
  return reply.type("text/html; charset=utf-8").send(html);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = classify(error);
    if (!known) request.log.error({ err: error }, "internal error");
    return sendError(request, reply, known ?? new ApiError(500, "internal", "internal error (logged)"));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError(404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`),
    ),
  );
}
