/**
 * HTTP/1.1 responses (RFC 9112): status line, header fields, then a body delimited by
 * Transfer-Encoding: chunked (§7.1), Content-Length (§6.3), or the end of the connection. The body
 * kept is capped (limits.maxHttpBodyBytes); a longer body is framed as truncated, not as a failure.
 */
import { limits } from "../../core/limits.js";
import type { Frame } from "../../net/framer.js";

export interface HttpHeader {
  readonly name: string;
  readonly value: string;
}

export interface HttpResponse {
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** Header fields in order, names lower-cased; repeated fields (Set-Cookie) stay separate. */
  readonly headers: readonly HttpHeader[];
  readonly body: Buffer;
  readonly truncated: boolean;
}

export const headerValues = (response: Pick<HttpResponse, "headers">, name: string): string[] =>
  response.headers.filter((h) => h.name === name.toLowerCase()).map((h) => h.value);

export const headerValue = (response: Pick<HttpResponse, "headers">, name: string): string | undefined =>
  headerValues(response, name)[0];

function headEnd(buffer: Buffer): { end: number; sep: number } | null {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf === -1 && lf === -1) return null;
  if (lf !== -1 && (crlf === -1 || lf < crlf)) return { end: lf, sep: 2 };
  return { end: crlf, sep: 4 };
}

type Body = { body: Buffer; consumed: number; truncated: boolean } | "incomplete" | { invalid: string };

function chunkedBody(buffer: Buffer, start: number, maxBody: number): Body {
  const parts: Buffer[] = [];
  let size = 0;
  let offset = start;
  for (;;) {
    const lineEndAt = buffer.indexOf("\n", offset);
    if (lineEndAt === -1) return "incomplete";
    const sizeText = buffer.toString("latin1", offset, lineEndAt).trim().split(";")[0] ?? "";
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return { invalid: `bad chunk size "${sizeText.slice(0, 20)}"` };
    const chunk = Number.parseInt(sizeText, 16);
    const dataStart = lineEndAt + 1;
    if (chunk === 0) {
      // Trailer section then an empty line (RFC 9112 §7.1.2); accept its absence at EOF.
      const trailerEnd = buffer.indexOf("\n", dataStart);
      return {
        body: Buffer.concat(parts),
        consumed: trailerEnd === -1 ? buffer.length : trailerEnd + 1,
        truncated: false,
      };
    }
    if (size + chunk > maxBody) {
      const room = maxBody - size;
      if (buffer.length < dataStart + room) return "incomplete";
      parts.push(buffer.subarray(dataStart, dataStart + room));
      return { body: Buffer.concat(parts), consumed: buffer.length, truncated: true };
    }
    if (buffer.length < dataStart + chunk + 1) return "incomplete";
    parts.push(buffer.subarray(dataStart, dataStart + chunk));
    size += chunk;
    const after = buffer.indexOf("\n", dataStart + chunk);
    if (after === -1) return "incomplete";
    offset = after + 1;
  }
}

export function frameHttpResponse(options: { readonly head: boolean; readonly maxBody?: number }) {
  const maxBody = options.maxBody ?? limits.maxHttpBodyBytes;
  return function frame(buffer: Buffer, eof: boolean): Frame<HttpResponse> {
    const head = headEnd(buffer);
    if (!head) {
      if (eof && buffer.length > 0)
        return { kind: "invalid", message: "connection closed inside the response head" };
      return { kind: "incomplete" };
    }
    const lines = buffer.toString("latin1", 0, head.end).split(/\r?\n/);
    const statusMatch = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
    if (!statusMatch)
      return { kind: "invalid", message: `not an HTTP status line: "${(lines[0] ?? "").slice(0, 80)}"` };
    const headers: HttpHeader[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) return { kind: "invalid", message: `bad header line: "${line.slice(0, 80)}"` };
      headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
    const status = Number(statusMatch[2]);
    const bodyStart = head.end + head.sep;
    const base = { httpVersion: statusMatch[1] ?? "", status, reason: statusMatch[3] ?? "", headers };
    if (status >= 100 && status < 200 && status !== 101) {
      // Interim response (RFC 9110 §15.2): skip it and frame the final one.
      const rest = frame(buffer.subarray(bodyStart), eof);
      return rest.kind === "frame" ? { ...rest, consumed: rest.consumed + bodyStart } : rest;
    }
    if (options.head || status === 204 || status === 304) {
      return {
        kind: "frame",
        value: { ...base, body: Buffer.alloc(0), truncated: false },
        consumed: bodyStart,
      };
    }
    const transferEncoding = headerValue(base, "transfer-encoding")?.toLowerCase() ?? "";
    const contentLength = headerValue(base, "content-length");
    let body: Body;
    if (transferEncoding.includes("chunked")) {
      body = chunkedBody(buffer, bodyStart, maxBody);
      if (body === "incomplete" && eof)
        return { kind: "invalid", message: "connection closed inside a chunked body" };
    } else if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength))
        return { kind: "invalid", message: `bad Content-Length "${contentLength}"` };
      const length = Number(contentLength);
      const want = Math.min(length, maxBody);
      if (buffer.length - bodyStart >= want) {
        body = {
          body: buffer.subarray(bodyStart, bodyStart + want),
          consumed: bodyStart + want,
          truncated: length > maxBody,
        };
      } else if (eof) {
        return {
          kind: "invalid",
          message: `connection closed after ${buffer.length - bodyStart} of ${length} body bytes`,
        };
      } else {
        body = "incomplete";
      }
    } else if (buffer.length - bodyStart >= maxBody) {
      body = {
        body: buffer.subarray(bodyStart, bodyStart + maxBody),
        consumed: buffer.length,
        truncated: true,
      };
    } else {
      body = eof
        ? { body: buffer.subarray(bodyStart), consumed: buffer.length, truncated: false }
        : "incomplete";
    }
    if (body === "incomplete") return { kind: "incomplete" };
    if ("invalid" in body) return { kind: "invalid", message: body.invalid };
    return {
      kind: "frame",
      value: { ...base, body: Buffer.from(body.body), truncated: body.truncated },
      consumed: body.consumed,
    };
  };
}

/** Cookies from Set-Cookie (RFC 6265 §5.2): name, value and attributes, for the session checks. */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: Readonly<Record<string, string | true>>;
}

export function parseSetCookie(header: string): SetCookie | null {
  const [pair = "", ...attributeParts] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const attributes: Record<string, string | true> = {};
  for (const part of attributeParts) {
    const [name = "", ...value] = part.split("=");
    const key = name.trim().toLowerCase();
    if (key) attributes[key] = value.length ? value.join("=").trim() : true;
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}
