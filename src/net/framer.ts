/**
 * A framer is a pure function that looks at the bytes received so far and says whether they hold one
 * complete protocol unit (an SMTP reply, an IMAP response, an HTTP response). Protocol parsers are
 * framers, so they are tested on strings without a socket.
 */
export type Frame<T> =
  | { readonly kind: "incomplete" }
  | { readonly kind: "frame"; readonly value: T; readonly consumed: number }
  | { readonly kind: "invalid"; readonly message: string };

/** `eof` is true once the peer has closed its side: a framer may then accept what it has. */
export type Framer<T> = (buffer: Buffer, eof: boolean) => Frame<T>;

export const CR = 0x0d;
export const LF = 0x0a;

/** Index just past the next LF at or after `from`, or -1. Lines end in CRLF; bare LF is tolerated. */
export function lineEnd(buffer: Buffer, from: number): number {
  const index = buffer.indexOf(LF, from);
  return index === -1 ? -1 : index + 1;
}

/** The text of a line without its CRLF/LF, decoded as latin1 so that any byte survives. */
export function lineText(buffer: Buffer, start: number, end: number): string {
  let stop = end;
  if (stop > start && buffer[stop - 1] === LF) stop--;
  if (stop > start && buffer[stop - 1] === CR) stop--;
  return buffer.toString("latin1", start, stop);
}
