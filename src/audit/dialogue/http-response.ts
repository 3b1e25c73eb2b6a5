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

/**
 * The end of the head starting at `from`: the first empty line, CRLF CRLF or (tolerated) LF LF.
 * Searches at most `maxHead` bytes, so the cost of one head is bounded by its own length and a
 * stream of interim responses is framed in linear time.
 */
function headEnd(buffer: Buffer, from: number, maxHead: number): { end: number; sep: number } | null {
  const window = buffer.subarray(from, Math.min(buffer.length, from + maxHead + 4));
  const crlf = window.indexOf("\r\n\r\n");
  // An LF LF earlier than the CRLF CRLF can only lie before it: search that part only.
  const lf = (crlf === -1 ? window : window.subarray(0, crlf + 2)).indexOf("\n\n");
  if (lf !== -1) return { end: from + lf, sep: 2 };
  if (crlf !== -1) return { end: from + crlf, sep: 4 };
  return null;
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

export interface HttpFramerOptions {
  readonly head: boolean;
  readonly maxBody?: number;
  readonly maxHead?: number;
}

/**
 * Frames one final response. Interim 1xx responses before it (RFC 9110 §15.2) are skipped in a
 * loop, never by recursion: a server sending thousands of `100 Continue` must not exhaust the stack.
 * Their number is bounded by the connection's byte cap on the whole reply.
 */
export function frameHttpResponse(options: HttpFramerOptions) {
  const maxBody = options.maxBody ?? limits.maxHttpBodyBytes;
  const maxHead = options.maxHead ?? limits.maxHttpHeadBytes;
  return function frame(buffer: Buffer, eof: boolean): Frame<HttpResponse> {
    let start = 0;
    for (;;) {
      const head = headEnd(buffer, start, maxHead);
      if (!head) {
        if (buffer.length - start > maxHead)
          return { kind: "invalid", message: `response head longer than ${maxHead} bytes` };
        if (eof && buffer.length > start)
          return { kind: "invalid", message: "connection closed inside the response head" };
        if (eof && start > 0)
          return {
            kind: "invalid",
            message: "connection closed after interim responses, before the final one",
          };
        return { kind: "incomplete" };
      }
      const parsed = parseHead(buffer, start, head.end);
      if ("invalid" in parsed) return { kind: "invalid", message: parsed.invalid };
      const bodyStart = head.end + head.sep;
      const { status } = parsed;
      if (status >= 100 && status < 200 && status !== 101) {
        // Interim response (RFC 9110 §15.2): skip it and frame the next one.
        start = bodyStart;
        continue;
      }
      return frameBody(buffer, eof, parsed, bodyStart, options.head, maxBody);
    }
  };
}

type Head = Omit<HttpResponse, "body" | "truncated">;

function parseHead(buffer: Buffer, start: number, end: number): Head | { invalid: string } {
  const lines = buffer.toString("latin1", start, end).split(/\r?\n/);
  const statusMatch = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  if (!statusMatch) return { invalid: `not an HTTP status line: "${(lines[0] ?? "").slice(0, 80)}"` };
  const headers: HttpHeader[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { invalid: `bad header line: "${line.slice(0, 80)}"` };
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return {
    httpVersion: statusMatch[1] ?? "",
    status: Number(statusMatch[2]),
    reason: statusMatch[3] ?? "",
    headers,
  };
}

function frameBody(
  buffer: Buffer,
  eof: boolean,
  base: Head,
  bodyStart: number,
  headOnly: boolean,
  maxBody: number,
): Frame<HttpResponse> {
  const { status } = base;
  // RFC 9112 §6.3: a 1xx (here only 101), 204 or 304 response has no body.
  if (headOnly || status === 101 || status === 204 || status === 304) {
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
