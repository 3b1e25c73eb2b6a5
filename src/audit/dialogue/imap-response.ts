/**
 * IMAP responses (RFC 3501 §7 / RFC 9051 §7): untagged lines "* …", ended by the tagged completion
 * "TAG OK|NO|BAD …". A line may carry literals "{n}\r\n" followed by n octets (RFC 3501 §4.3);
 * the framer keeps them inside the line. The greeting is one untagged line (OK, PREAUTH or BYE).
 */
import { type Frame, lineEnd, lineText } from "../../net/framer.js";

export interface ImapResponse {
  readonly untagged: readonly string[];
  readonly tagged: { readonly tag: string; readonly status: string; readonly text: string } | null;
}

/** Reads one logical line, following literals; returns its end offset or -1 if incomplete. */
function logicalLineEnd(buffer: Buffer, from: number): { end: number; text: string } | null {
  let offset = from;
  let text = "";
  for (;;) {
    const end = lineEnd(buffer, offset);
    if (end === -1) return null;
    const part = lineText(buffer, offset, end);
    const literal = /\{(\d+)\+?\}$/.exec(part);
    if (!literal) return { end, text: text + part };
    const size = Number(literal[1]);
    if (end + size > buffer.length) return null;
    text += `${part}\r\n${buffer.toString("latin1", end, end + size)}`;
    offset = end + size;
  }
}

/** `tag` null: frame the greeting; otherwise frame up to the tagged completion of `tag`. */
export function frameImapResponse(tag: string | null): (buffer: Buffer) => Frame<ImapResponse> {
  return (buffer) => {
    const untagged: string[] = [];
    let offset = 0;
    for (;;) {
      const line = logicalLineEnd(buffer, offset);
      if (!line) return { kind: "incomplete" };
      offset = line.end;
      if (line.text.startsWith("* ")) {
        untagged.push(line.text.slice(2));
        if (tag === null) return { kind: "frame", value: { untagged, tagged: null }, consumed: offset };
        continue;
      }
      if (line.text.startsWith("+")) continue; // continuation request: not expected, skipped
      const match = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line.text);
      if (tag !== null && match && match[1] === tag) {
        return {
          kind: "frame",
          value: { untagged, tagged: { tag, status: (match[2] ?? "").toUpperCase(), text: match[3] ?? "" } },
          consumed: offset,
        };
      }
      if (tag === null || !match) {
        return { kind: "invalid", message: `not an IMAP response line: "${line.text.slice(0, 80)}"` };
      }
      // A completion for another tag: a server that answers out of turn. Keep reading.
    }
  };
}

/** Capabilities from "CAPABILITY a b c" or a response code "[CAPABILITY a b c]", upper-cased. */
export function capabilitiesIn(line: string): string[] | null {
  const code = /\[CAPABILITY ([^\]]*)\]/i.exec(line);
  const untagged = /^CAPABILITY (.*)$/i.exec(line);
  const list = code?.[1] ?? untagged?.[1];
  return list === undefined
    ? null
    : list
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((c) => c.toUpperCase());
}
