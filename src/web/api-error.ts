/**
 * Errors of the service's HTTP interface: a status and a stable code, rendered as
 * `{ "error": { "code", "message" } }` by the API and as an error page by the pages. Where one code
 * has several causes a client may act on differently (a body too large as sent, or once inflated),
 * `reason` names the cause, also stable.
 */
export type ApiErrorCode =
  | "invalid_request" // the body, query or parameters do not match the route's schema
  | "invalid_json" // the body is not JSON
  | "unsupported_media_type"
  | "body_too_large"
  | "unauthenticated" // no session or token (or a bad token)
  | "session_expired" // the session ended (idle or absolute timeout)
  | "forbidden" // the role may not use this route or make this change
  | "csrf_invalid" // a state change without the session's CSRF token
  | "not_found" // no such route or resource, or one the viewer may not see (no IDOR)
  | "conflict" // the resource exists already
  | "registry_rejected" // the registry refused the change (its message says why)
  | "rate_limited"
  | "unavailable" // a part of the service is not there (yet), e.g. the audit history
  | "internal";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `no ${what}`);

export interface ErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly reason?: string };
}

export const errorBody = (code: ApiErrorCode, message: string, reason?: string): ErrorBody => ({
  error: reason === undefined ? { code, message } : { code, message, reason },
});
