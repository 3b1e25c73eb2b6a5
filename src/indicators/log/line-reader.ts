/**
 * Lines of a byte stream with the offset just past each one, in constant memory: chunks are split
 * on LF (a CR before it is dropped), a line longer than `logLimits.lineBytes` is cut and reported
 * as `overlong`. An unterminated last line is returned only when `final` says the input has ended
 * (stdin); a file's is left for the next read (the MTA may be writing it).
 */
import { logLimits } from "../../core/limits.js";

const LF = 0x0a;
const CR = 0x0d;

export interface Line {
  readonly text: string;
  /** Byte offset just past the line's LF, relative to the first byte given. */
  readonly end: number;
  readonly overlong: boolean;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overlong = false;
  private consumed = 0;
  private lastEnd = 0;

  /** Feeds one chunk; calls `each` for every complete line in it. */
  push(chunk: Buffer, each: (line: Line) => void): void {
    let start = 0;
    let nl = chunk.indexOf(LF, start);
    while (nl >= 0) {
      let text: string;
      let overlong = this.overlong;
      if (this.pendingBytes > 0 || overlong) {
        if (!overlong) {
          this.pending.push(chunk.subarray(start, nl));
          const all = Buffer.concat(this.pending);
          overlong = all.length > logLimits.lineBytes;
          text = overlong ? "" : decode(all, 0, all.length);
        } else text = "";
        this.pending = [];
        this.pendingBytes = 0;
        this.overlong = false;
      } else {
        overlong = nl - start > logLimits.lineBytes;
        text = overlong ? "" : decode(chunk, start, nl);
      }
      this.consumed += nl + 1 - start;
      this.lastEnd = this.consumed;
      each({ text, end: this.consumed, overlong });
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
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
  }

  /** Offset just past the last complete line returned. */
  get lineEnd(): number {
    return this.lastEnd;
  }

  /** The input ended: the unterminated line, if any. */
  finish(each: (line: Line) => void): void {
    if (this.pendingBytes === 0 && !this.overlong) return;
    const all = Buffer.concat(this.pending);
    const overlong = this.overlong;
    this.pending = [];
    this.pendingBytes = 0;
    this.overlong = false;
    this.lastEnd = this.consumed;
    each({ text: overlong ? "" : decode(all, 0, all.length), end: this.consumed, overlong });
  }
}

function decode(buffer: Buffer, start: number, end: number): string {
  const stop = end > start && buffer[end - 1] === CR ? end - 1 : end;
  return buffer.toString("utf8", start, stop);
}
