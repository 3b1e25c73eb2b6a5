/**
 * Lines of a byte stream with the offset just past each one, in constant memory: chunks are split
 * on LF (a CR before it is dropped), a line longer than `logLimits.lineBytes` is cut and reported
 * as `overlong`. An unterminated last line is returned only when `final` says the input has ended
 * (stdin); a file's is left for the next read (the MTA may be writing it).
 *
 * Lines are handed over as byte ranges, not decoded: the parser decodes only the lines it reads
 * (syslog-bytes.ts), and most lines of a busy MX's log are never made into a string.
 */
import { logLimits } from "../../core/limits.js";

const LF = 0x0a;
const CR = 0x0d;

/**
 * Called for each line: `bytes[start, end)` is the line without its LF (or a CR before it), valid
 * only during the call; `overlong`: the line was cut (the range is then empty).
 */
export type EachLine = (bytes: Buffer, start: number, end: number, overlong: boolean) => void;

/** A line's text, decoded as UTF-8 (malformed sequences become U+FFFD). */
export const lineText = (bytes: Buffer, start: number, end: number): string =>
  bytes.toString("utf8", start, end);

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overlong = false;
  private consumed = 0;
  private lastEnd = 0;

  /** Feeds one chunk; calls `each` for every complete line in it. */
  push(chunk: Buffer, each: EachLine): void {
    let start = 0;
    const first = chunk.indexOf(LF);
    if (first >= 0 && (this.pendingBytes > 0 || this.overlong)) {
      let all = empty;
      let overlong = this.overlong;
      if (!overlong) {
        this.pending.push(chunk.subarray(0, first));
        all = Buffer.concat(this.pending);
        overlong = all.length > logLimits.lineBytes;
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.overlong = false;
      this.consumed += first + 1;
      this.lastEnd = this.consumed;
      if (overlong) each(empty, 0, 0, true);
      else each(all, 0, withoutCr(all, 0, all.length), false);
      start = first + 1;
    }
    const last = first >= 0 ? chunk.lastIndexOf(LF) : -1;
    if (last >= start) this.lines(chunk, start, last, each);
    if (last + 1 > start) start = last + 1;
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** The lines of `chunk` from `start` to the LF at `last`, all complete. */
  private lines(chunk: Buffer, start: number, last: number, each: EachLine): void {
    let b = start;
    for (;;) {
      const nb = b === last ? last : chunk.indexOf(LF, b);
      const overlong = nb - b > logLimits.lineBytes;
      this.consumed += nb + 1 - b;
      this.lastEnd = this.consumed;
      if (overlong) each(empty, 0, 0, true);
      else each(chunk, b, withoutCr(chunk, b, nb), false);
      if (nb === last) return;
      b = nb + 1;
    }
  }

  /** An unterminated tail, kept for the next chunk (or dropped as overlong). */
  private keep(rest: Buffer): void {
    this.consumed += rest.length;
    if (this.overlong || this.pendingBytes + rest.length > logLimits.lineBytes) {
      this.overlong = true;
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
  }

  /** Offset just past the last complete line returned. */
  get lineEnd(): number {
    return this.lastEnd;
  }

  /** The input ended: the unterminated line, if any. */
  finish(each: EachLine): void {
    if (this.pendingBytes === 0 && !this.overlong) return;
    const all = Buffer.concat(this.pending);
    const overlong = this.overlong;
    this.pending = [];
    this.pendingBytes = 0;
    this.overlong = false;
    this.lastEnd = this.consumed;
    if (overlong) each(empty, 0, 0, true);
    else each(all, 0, withoutCr(all, 0, all.length), false);
  }
}

const empty = Buffer.alloc(0);

/** The end of the line `[start, end)` without a CR before its LF. */
const withoutCr = (buffer: Buffer, start: number, end: number): number =>
  end > start && buffer[end - 1] === CR ? end - 1 : end;
