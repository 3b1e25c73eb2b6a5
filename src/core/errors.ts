/**
 * One error base with stable codes. Misbehaving servers are *findings* (see audit/probe/outcome.ts),
 * never exceptions; a MailcharterError means bad input from our own user, or a bug in us.
 */
export type ErrorCode =
  | "usage" // wrong command-line arguments or options
  | "config" // unreadable file, bad CA file, bad resolver address
  | "target_not_allowed" // the target guard refused an address (SSRF protection)
  | "internal"; // a bug in mailcharter

export class MailcharterError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MailcharterError";
    this.code = code;
  }
}

export class UsageError extends MailcharterError {
  constructor(message: string) {
    super("usage", message);
    this.name = "UsageError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
