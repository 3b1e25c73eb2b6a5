/**
 * What a DKIM signature covers, byte for byte (RFC 6376 §3.4, §3.7, §5.4.2). A mail is handled as a
 * latin1 string so that every byte is one character and 8-bit header text (SMTPUTF8) survives
 * unchanged; canonicalization only ever touches SP, HTAB, CR and LF.
 *
 * Line ends: the signed form is CRLF (§3.4). A mail kept as a Unix file (an `.eml` on disk, some IMAP
 * stores) has bare LF; each bare LF is read as CRLF, as the signer saw it on the wire. Pure.
 */

export interface RawField {
  /** The field name as written (case kept, for simple canonicalization). */
  readonly name: string;
  /** The whole field as received, `Name: value` with its folding, without the final CRLF. */
  readonly raw: string;
}

export interface SplitMail {
  /** Header fields, top first. */
  readonly fields: readonly RawField[];
  /** The body after the empty line, CRLF line ends. */
  readonly body: string;
  /** Bytes of the header section (to hold it to a cap before anything else is done). */
  readonly headerBytes: number;
}

/** Splits a mail into its header fields and its body (RFC 5322 §2.1), with CRLF line ends. */
export function splitMail(mail: Buffer, maxHeaderBytes: number): SplitMail | { readonly tooLarge: number } {
  // Where the header section ends is found on the bytes first, so an oversized header is refused
  // before the whole mail is copied into a string.
  const end = headerEnd(mail, maxHeaderBytes + 4);
  if (end === null) return { tooLarge: Math.min(mail.length, maxHeaderBytes + 4) };
  const head = toCrlf(mail.subarray(0, end.headerEnd).toString("latin1"));
  if (head.length > maxHeaderBytes + 2) return { tooLarge: head.length };
  const body = end.bodyStart < 0 ? "" : toCrlf(mail.subarray(end.bodyStart).toString("latin1"));
  const fields: RawField[] = [];
  for (const line of head.split("\r\n")) {
    if (line === "") continue;
    const last = fields[fields.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last) {
      fields[fields.length - 1] = { name: last.name, raw: `${last.raw}\r\n${line}` };
      continue;
    }
    const colon = line.indexOf(":");
    // A line without a colon is no field (RFC 5322 §2.2): it cannot be named in h= and is skipped.
    if (colon > 0) fields.push({ name: line.slice(0, colon).replace(/[ \t]+$/, ""), raw: line });
  }
  return { fields, body, headerBytes: head.length };
}

/** The end of the header section: the first empty line (CRLF CRLF, or LF LF in a Unix file). */
function headerEnd(mail: Buffer, within: number): { headerEnd: number; bodyStart: number } | null {
  const limit = Math.min(mail.length, within);
  for (let i = 0; i < limit; i++) {
    if (mail[i] !== 0x0a) continue;
    // Line i ends here; the next line is empty if it is "\n" or "\r\n".
    if (mail[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (mail[i + 1] === 0x0d && mail[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  // No empty line: the whole mail is header (a body-less mail), if it fits.
  return mail.length <= within ? { headerEnd: mail.length, bodyStart: -1 } : null;
}

/** Bare LF → CRLF; CRLF kept. */
export const toCrlf = (text: string): string => text.replace(/\r?\n/g, "\r\n");

/** §3.4.2 relaxed header: lower-case name, unfolded, WSP runs to one SP, none around the colon or at the end. */
export function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(":");
  const name = raw
    .slice(0, colon)
    .replace(/[ \t]+$/, "")
    .toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
  return `${name}:${value}`;
}

/** §3.4.1 simple header: the field exactly as received. */
export const canonicalHeader = (raw: string, how: "simple" | "relaxed"): string =>
  how === "simple" ? raw : relaxedHeader(raw);

/** §3.4.3 simple body: trailing empty lines removed, one CRLF at the end (an empty body is CRLF). */
export function simpleBody(body: string): string {
  let end = body.length;
  while (end >= 2 && body.charCodeAt(end - 1) === 0x0a && body.charCodeAt(end - 2) === 0x0d) end -= 2;
  return `${body.slice(0, end)}\r\n`;
}

/**
 * §3.4.4 relaxed body: WSP at line ends removed, WSP runs inside a line to one SP, trailing empty lines
 * removed; a non-empty body ends with CRLF, an empty one stays empty.
 */
export function relaxedBody(body: string): string {
  const lines = body.split("\r\n");
  for (let i = 0; i < lines.length; i++)
    lines[i] = (lines[i] ?? "").replace(/[ \t]+/g, " ").replace(/ $/, "");
  let end = lines.length;
  while (end > 0 && lines[end - 1] === "") end--;
  return end === 0 ? "" : `${lines.slice(0, end).join("\r\n")}\r\n`;
}

export const canonicalBody = (body: string, how: "simple" | "relaxed"): string =>
  how === "simple" ? simpleBody(body) : relaxedBody(body);

/**
 * §5.4.2: the fields named in h=, each name taking the next instance of that field from the bottom
 * up; a name with no instance left contributes nothing (it is how a signer forbids adding one). The
 * signature field itself is never one of them (it is hashed last, §3.7).
 */
export function selectFields(
  fields: readonly RawField[],
  names: readonly string[],
  exclude: RawField,
): RawField[] {
  const used = new Map<string, number>();
  const chosen: RawField[] = [];
  for (const name of names) {
    let from = used.get(name) ?? fields.length;
    let found: RawField | null = null;
    while (from > 0) {
      from--;
      const field = fields[from];
      if (field && field !== exclude && field.name.toLowerCase() === name) {
        found = field;
        break;
      }
    }
    used.set(name, from);
    if (found) chosen.push(found);
  }
  return chosen;
}

/** §3.7: the signature field with the value of its b= tag emptied (the rest, folding included, kept). */
export function withoutSignatureValue(raw: string): string {
  const colon = raw.indexOf(":");
  // The b tag: after the colon or a ";", FWS, "b", FWS, "=" — never "bh=".
  const value = raw.slice(colon + 1).replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, "$1$2");
  return raw.slice(0, colon + 1) + value;
}
