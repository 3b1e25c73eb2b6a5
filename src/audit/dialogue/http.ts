/**
 * HTTP dialogue for the https/http service: one request after the TLS handshake (or in plaintext),
 * one response. There is no greeting and no STARTTLS (RFC 2817 upgrades are not used by browsers).
 */
import { limits } from "../../core/limits.js";
import type { Dialogue, DialogueEvent, Transition } from "./dialogue.js";
import { frameHttpResponse, type HttpResponse } from "./http-response.js";

export interface HttpFacts {
  readonly request: { readonly method: string; readonly target: string; readonly host: string } | null;
  readonly response: (Omit<HttpResponse, "body"> & { readonly bodyBytes: number }) | null;
  readonly body: Buffer | null;
}

export interface HttpState {
  readonly done: boolean;
  readonly facts: HttpFacts;
}

export interface HttpRequestOptions {
  readonly host: string;
  readonly port: number;
  readonly defaultPort: number;
  readonly method?: "GET" | "HEAD";
  readonly target?: string;
  readonly userAgent?: string;
  /** Body bytes kept (default limits.maxHttpBodyBytes); a longer body is framed as truncated. */
  readonly maxBody?: number;
}

/** RFC 9112 §3.2: the Host field carries the port when it is not the scheme's default. */
export function buildHttpRequest(options: HttpRequestOptions): string {
  const host =
    options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host;
  const hostField = options.port === options.defaultPort ? host : `${host}:${options.port}`;
  return [
    `${options.method ?? "GET"} ${options.target ?? "/"} HTTP/1.1`,
    `Host: ${hostField}`,
    `User-Agent: ${options.userAgent ?? "mailcharter (+https://github.com/mailcharter)"}`,
    "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding: identity",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
}

export function httpDialogue(
  options: HttpRequestOptions,
): Dialogue<HttpState, HttpResponse, null, HttpFacts> {
  const method = options.method ?? "GET";
  const target = options.target ?? "/";
  const maxBody = options.maxBody ?? limits.maxHttpBodyBytes;
  const request = buildHttpRequest(options);
  return {
    name: "HTTP",
    maxReplyBytes: limits.maxHttpHeadBytes + maxBody,
    framer: () => frameHttpResponse({ head: method === "HEAD", maxBody }),
    start(tlsActive) {
      return {
        state: {
          done: false,
          facts: { request: { method, target, host: options.host }, response: null, body: null },
        },
        action: {
          kind: "send",
          // The request ends in CRLF CRLF already; the session appends nothing for HTTP.
          command: request,
          expect: null,
          step: tlsActive ? "post-tls" : "greeting",
          what: "HTTP response",
        },
      };
    },
    step(state, event: DialogueEvent<HttpResponse>): Transition<HttpState, null> {
      if (event.kind === "tls-ready") return { state, action: { kind: "done" } };
      const { body, ...rest } = event.reply;
      return {
        state: { done: true, facts: { ...state.facts, response: { ...rest, bodyBytes: body.length }, body } },
        action: { kind: "done" },
      };
    },
    facts: (state) => state.facts,
  };
}
