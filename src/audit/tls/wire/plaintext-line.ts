/**
 * A line of text where a TLS record was expected. Mail servers that limit concurrent connections
 * refuse the extra ones in their own protocol before any TLS, also on implicit-TLS ports: Exim writes
 * `421 Too many concurrent SMTP connections…` on 465, Courier-IMAP `* BYE Too many connections…`,
 * POP3 servers `-ERR …`. Such a line is the server pushing back (throttling), not an answer about
 * the ClientHello; any other text means the port does not speak TLS where we expected it.
 */

/** Printable ASCII: TLS records start with a content type of 20–24 and SSL 2.0 with a high bit. */
export const startsAsText = (byte: number | undefined): boolean =>
  byte !== undefined && byte >= 0x20 && byte <= 0x7e;

/** The longest line we wait for before judging (RFC 5321 §4.5.3.1.5: 512 octets with CRLF). */
export const maxTextLine = 512;

/** RFC 5321 §4.2.1 4yz/5yz replies, RFC 9051 §7.1.5 BYE (and NO), RFC 1939 §3 -ERR. */
export function isRefusalLine(line: string): boolean {
  return /^[45]\d\d(?:[ -]|$)/.test(line) || /^\* (?:BYE|NO)\b/i.test(line) || /^-ERR\b/i.test(line);
}
