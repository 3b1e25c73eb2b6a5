/**
 * POP3 responses (RFC 1939 §3): a status line "+OK …" or "-ERR …"; for multi-line commands (CAPA,
 * RFC 2449 §5) a "+OK" is followed by lines ended by a line holding a single ".", with dot-stuffing.
 */
import { type Frame, lineEnd, lineText } from "../../net/framer.js";

export interface Pop3Response {
  readonly ok: boolean;
  readonly text: string;
  readonly lines: readonly string[];
}

export function framePop3Response(multiline: boolean): (buffer: Buffer) => Frame<Pop3Response> {
  return (buffer) => {
    const first = lineEnd(buffer, 0);
    if (first === -1) return { kind: "incomplete" };
    const status = lineText(buffer, 0, first);
    const match = /^([+-]OK|-ERR)\b ?(.*)$/i.exec(status);
    if (!match) return { kind: "invalid", message: `not a POP3 status line: "${status.slice(0, 80)}"` };
    const ok = (match[1] ?? "").toUpperCase() === "+OK";
    const text = match[2] ?? "";
    if (!multiline || !ok) return { kind: "frame", value: { ok, text, lines: [] }, consumed: first };
    const lines: string[] = [];
    let offset = first;
    for (;;) {
      const end = lineEnd(buffer, offset);
      if (end === -1) return { kind: "incomplete" };
      const line = lineText(buffer, offset, end);
      offset = end;
      if (line === ".") return { kind: "frame", value: { ok, text, lines }, consumed: offset };
      lines.push(line.startsWith("..") ? line.slice(1) : line);
    }
  };
}
