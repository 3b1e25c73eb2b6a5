/**
 * The syslog frame (syslog-line.ts) scanned in the bytes of a line, before the line is decoded: on a
 * busy MX most lines are of programs no session is read from (qmgr, cleanup, pickup…), and this scan
 * lets the parser drop them without ever making a string of them.
 *
 * It reads exactly what `scanSyslogLine` reads, and answers `decodeFirst` whenever it could not be
 * sure of that in bytes: a byte outside ASCII inside the frame (a French `déc.`, a host name in UTF-8),
 * a stamp of a shape it does not know. The caller then decodes the line and scans the text as before,
 * so the two can only differ in speed (test/unit/indicators/syslog-scan.test.ts compares them).
 *
 * In the frame, every byte is ASCII, so its offsets are those of the decoded line's characters too.
 */
import type { SyslogFrame } from "./syslog-line.js";
import { rfc3339Time, syslogTimeIn, type YearInference } from "./timestamp.js";

/** The frame cannot be read in bytes: decode the line and scan its text. */
export const decodeFirst = Symbol("decode the line first");

const frame: SyslogFrame = {
  time: "",
  hostStart: 0,
  hostEnd: 0,
  programStart: 0,
  programEnd: 0,
  serviceStart: 0,
  pidStart: 0,
  pidEnd: 0,
  textStart: 0,
};

const isDigit = (c: number) => c >= 48 && c <= 57;
/** JavaScript's `\s` among ASCII bytes. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Where the line holds a character `.` does not match (CR, U+2028, U+2029): such a line is no frame
 * at all. The next such position in the current buffer is kept, so a buffer is searched once.
 */
class Terminators {
  private buffer: Uint8Array | null = null;
  private nextCr = -1;
  private nextE2 = -1;
  private from = 0;

  within(b: Buffer, s: number, e: number): boolean {
    if (b !== this.buffer || s < this.from) {
      this.buffer = b;
      this.nextCr = b.indexOf(13, s);
      this.nextE2 = b.indexOf(0xe2, s);
    }
    this.from = s;
    if (this.nextCr >= 0 && this.nextCr < s) this.nextCr = b.indexOf(13, s);
    if (this.nextCr >= 0 && this.nextCr < e) return true;
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8 (E2 always starts a character).
    while (this.nextE2 >= 0 && this.nextE2 < e) {
      if (this.nextE2 >= s && b[this.nextE2 + 1] === 0x80) {
        const third = b[this.nextE2 + 2];
        if ((third === 0xa8 || third === 0xa9) && this.nextE2 + 2 < e) return true;
      }
      this.nextE2 = b.indexOf(0xe2, this.nextE2 + 1);
    }
    return false;
  }
}

const terminators = new Terminators();

/** `^(?:<\d{1,3}>)?`: where the stamp starts. */
function afterPriority(b: Buffer, s: number, e: number): number {
  if (s >= e || b[s] !== 60) return s;
  let j = s + 1;
  while (j <= s + 3 && j < e && isDigit(b[j] as number)) j++;
  return j > s + 1 && j < e && b[j] === 62 ? j + 1 : s;
}

/** `HOST PROGRAM[PID]: ` from `from` into `frame`: true, false, or decodeFirst (a byte over 127). */
function scanRest(b: Buffer, from: number, e: number): boolean | typeof decodeFirst {
  let i = from;
  for (; i < e; i++) {
    const c = b[i] as number;
    if (c > 127) return decodeFirst;
    if (isSpace(c)) break;
  }
  if (i === from || i >= e || b[i] !== 32) return false;
  frame.hostStart = from;
  frame.hostEnd = i;
  const p0 = i + 1;
  i = p0;
  let service = p0;
  for (; i < e; i++) {
    const c = b[i] as number;
    if (c > 127) return decodeFirst;
    if (c === 91 || c === 58 || isSpace(c)) break; // [ :
    if (c === 47) service = i + 1; // /
  }
  if (i === p0 || i >= e) return false;
  frame.programStart = p0;
  frame.programEnd = i;
  frame.serviceStart = service;
  if (b[i] === 91) {
    let k = i + 1;
    while (k < e && isDigit(b[k] as number)) k++;
    if (k === i + 1 || k + 2 >= e || b[k] !== 93 || b[k + 1] !== 58 || b[k + 2] !== 32) return false;
    frame.pidStart = i + 1;
    frame.pidEnd = k;
    frame.textStart = k + 3;
    return true;
  }
  if (b[i] !== 58 || i + 1 >= e || b[i + 1] !== 32) return false;
  frame.pidStart = i;
  frame.pidEnd = i;
  frame.textStart = i + 2;
  return true;
}

/** The classic stamp `Mmm dd hh:mm:ss[.f]`, then the rest; undefined: not this shape. */
function scanClassic(
  b: Buffer,
  s: number,
  e: number,
  years: YearInference,
): SyslogFrame | null | undefined | typeof decodeFirst {
  const m0 = afterPriority(b, s, e);
  // The stamp of the line before (most lines share theirs): its bytes were read and converted.
  const last = years.lastStamp;
  const stampEnd = m0 + last.length;
  if (last.length > 0 && stampEnd < e && b[stampEnd] === 32 && sameAscii(b, m0, last)) {
    const rest = scanRest(b, stampEnd + 1, e);
    if (rest === decodeFirst) return decodeFirst;
    if (!rest || terminators.within(b, s, e)) return undefined;
    if (years.lastTime === null) return null;
    frame.time = years.lastTime;
    return frame;
  }
  let i = m0;
  for (; i - m0 < 7 && i < e; i++) {
    const c = b[i] as number;
    if (c > 127) return decodeFirst;
    if (isSpace(c) || isDigit(c)) break;
  }
  const monthEnd = i;
  if (monthEnd - m0 < 3 || monthEnd - m0 > 6 || i >= e || b[i] !== 32) return undefined;
  i++;
  if (i < e && b[i] === 32) i++;
  const d0 = i;
  if (i < e && isDigit(b[i] as number)) i++;
  if (i < e && isDigit(b[i] as number)) i++;
  const dayEnd = i;
  if (dayEnd === d0 || i >= e || b[i] !== 32) return undefined;
  const c0 = i + 1;
  if (
    c0 + 8 > e ||
    !isDigit(b[c0] as number) ||
    !isDigit(b[c0 + 1] as number) ||
    b[c0 + 2] !== 58 ||
    !isDigit(b[c0 + 3] as number) ||
    !isDigit(b[c0 + 4] as number) ||
    b[c0 + 5] !== 58 ||
    !isDigit(b[c0 + 6] as number) ||
    !isDigit(b[c0 + 7] as number)
  )
    return undefined;
  i = c0 + 8;
  if (i < e && b[i] === 46) {
    let j = i + 1;
    while (j - i <= 10 && j < e && isDigit(b[j] as number)) j++;
    if (j === i + 1 || j - i > 10) return undefined;
    i = j;
  }
  if (i >= e || b[i] !== 32) return undefined;
  const rest = scanRest(b, i + 1, e);
  if (rest === decodeFirst) return decodeFirst;
  if (!rest || terminators.within(b, s, e)) return undefined;
  const time = stampTime(b, m0, monthEnd, d0, dayEnd, c0, i, years);
  if (time === null) return null;
  frame.time = time;
  return frame;
}

/** Whether `b` holds the ASCII text `text` at `at` (a non-ASCII `text` never matches). */
function sameAscii(b: Buffer, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = b[at + k] as number;
    if (c > 127 || c !== text.charCodeAt(k)) return false;
  }
  return true;
}

/** The stamp's time, through the same cache as the text scan (the last stamp, compared in place). */
function stampTime(
  b: Buffer,
  m0: number,
  monthEnd: number,
  d0: number,
  dayEnd: number,
  c0: number,
  end: number,
  years: YearInference,
): string | null {
  const stamp = b.toString("latin1", m0, end);
  return syslogTimeIn(stamp, 0, monthEnd - m0, d0 - m0, dayEnd - m0, c0 - m0, end - m0, years);
}

/** The RFC 3339 times seen, to the second (a fraction is added to them): one conversion per second. */
let lastModernKey = "";
let lastModernTime: string | null = null;

/**
 * `YYYY-MM-DD(T| )hh:mm:ss[.f{1,9}][Z|±hh[:]mm]` then a space, as syslog-line.ts's `modern` and
 * rfc3339Time() read it together (the `T` form takes a `z` too); the rest as the classic frame.
 */
function scanModern(b: Buffer, s: number, e: number): SyslogFrame | null | undefined | typeof decodeFirst {
  const y0 = afterPriority(b, s, e);
  // Bytes past the line's end are the next line's: never read as this one's.
  const at = (k: number) => (k < e ? (b[k] as number) : -1);
  const digitsAt = (from: number, n: number) => {
    for (let k = 0; k < n; k++) if (!isDigit(at(from + k))) return false;
    return true;
  };
  if (
    !digitsAt(y0, 4) ||
    at(y0 + 4) !== 45 ||
    !digitsAt(y0 + 5, 2) ||
    at(y0 + 7) !== 45 ||
    !digitsAt(y0 + 8, 2)
  )
    return undefined;
  const sep = at(y0 + 10);
  if (sep !== 84 && sep !== 32) return undefined; // T or space
  // From here on, a shape we do not know in bytes is left to the expressions (decodeFirst).
  const t0 = y0 + 11;
  if (
    !digitsAt(t0, 2) ||
    at(t0 + 2) !== 58 ||
    !digitsAt(t0 + 3, 2) ||
    at(t0 + 5) !== 58 ||
    !digitsAt(t0 + 6, 2)
  )
    return decodeFirst;
  let i = t0 + 8;
  let fracStart = -1;
  let fracEnd = -1;
  if (at(i) === 46) {
    let j = i + 1;
    while (j - i <= 9 && isDigit(at(j))) j++;
    if (j === i + 1 || isDigit(at(j))) return decodeFirst;
    fracStart = i + 1;
    fracEnd = j;
    i = j;
  }
  const zoneStart = i;
  const z = at(i);
  if (z === 90 || (z === 122 && sep === 84)) i += 1;
  else if (z === 43 || z === 45) {
    if (!digitsAt(i + 1, 2)) return decodeFirst;
    i += 3;
    if (at(i) === 58) i++;
    if (!digitsAt(i, 2)) return decodeFirst;
    i += 2;
  }
  if (at(i) !== 32) return decodeFirst;
  const rest = scanRest(b, i + 1, e);
  if (rest === decodeFirst) return decodeFirst;
  if (!rest || terminators.within(b, s, e)) return null;
  // The second and zone without the fraction: what the fraction does to the result is fixed.
  const key =
    fracStart < 0
      ? b.toString("latin1", y0, i)
      : b.toString("latin1", y0, fracStart - 1) + b.toString("latin1", zoneStart, i);
  if (key !== lastModernKey) {
    lastModernKey = key;
    lastModernTime = rfc3339Time(key);
  }
  const base = lastModernTime;
  if (base === null) return null;
  frame.time =
    fracStart < 0
      ? base
      : `${base.slice(0, -1)}.${b.toString("latin1", fracStart, Math.min(fracEnd, fracStart + 3)).padEnd(3, "0")}Z`;
  return frame;
}

/**
 * The frame of the line `b[s, e)` (offsets into `b`; the object is reused), null when the line is no
 * frame or its stamp no time, or decodeFirst.
 */
export function scanSyslogBytes(
  b: Buffer,
  s: number,
  e: number,
  years: YearInference,
): SyslogFrame | null | typeof decodeFirst {
  const classic = scanClassic(b, s, e, years);
  if (classic !== undefined) return classic;
  const modern = scanModern(b, s, e);
  if (modern !== undefined) return modern;
  // Neither stamp: a line with a byte over 127 may still be a frame the text scan reads.
  for (let i = s; i < e; i++) if ((b[i] as number) > 127) return decodeFirst;
  return null;
}
