/**
 * The syslog frame around a Postfix (or Exim-through-syslog) message: `STAMP HOST PROGRAM[PID]: TEXT`
 * (RFC 3164 §4.1 as written by rsyslog, syslog-ng, journald's forwarders and Postfix's postlogd).
 * PROGRAM is `postfix/smtp` or, for a second instance, `postfix-out/smtp` (Postfix MULTI_INSTANCE_
 * README: syslog_name); deeper names (`postfix/submission/smtpd`) keep the last part as the service.
 *
 * The classic frame is scanned by hand, not by a regular expression: a busy MX writes millions of
 * lines a day and most are of programs no session is read from (qmgr, cleanup, pickup…). The scan
 * (`scanSyslogLine`) gives offsets into the line and allocates nothing but the time (cached per
 * distinct stamp), so such a line is dropped before any substring is made. It accepts exactly what
 * this expression does (test/unit/indicators/syslog-scan.test.ts holds it and compares the two):
 *
 *   ^(?:<\d{1,3}>)?([^\s\d]{3,6}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$
 *
 * (`\s` and `.` as JavaScript reads them: Unicode white space; anything but a line terminator).
 */
import { rfc3339Time, syslogTimeIn, type YearInference } from "./timestamp.js";

export interface SyslogLine {
  readonly time: string;
  readonly host: string;
  /** `postfix`, `postfix-out`, `exim`… (the part before the first `/`). */
  readonly instance: string;
  /** `smtp`, `smtpd`, `tlsproxy`… (the last part), or the program itself when it has no `/`. */
  readonly service: string;
  /** Empty when the program logs without one (`dovecot: …`). */
  readonly pid: string;
  readonly text: string;
}

/** Offsets of a frame's parts in its line (`[start, end)`), valid until the next scan. */
export interface SyslogFrame {
  time: string;
  hostStart: number;
  hostEnd: number;
  programStart: number;
  programEnd: number;
  /** Start of the last `/`-part of the program (the service). */
  serviceStart: number;
  pidStart: number;
  pidEnd: number;
  textStart: number;
}

// RFC 3339: "2026-12-01T23:16:06.123456+01:00 host program[pid]: text" (or a space for the "T",
// as RFC 3339 §5.6 allows and some collectors write). Rare enough to stay an expression.
const modern =
  /^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\d(?:T\S+| \d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;

/**
 * journalctl's own lines between the entries — `-- Logs begin at … --` / `-- Journal begins at … --`
 * (systemd < 250 / ≥ 250), `-- Reboot --`, `-- Boot 3f2a… --`, `-- No entries --`: not log lines of
 * the MTA, so not "not understood" either (`journalctl -u postfix | … ingest-log -` has them).
 */
export const isJournalMarker = (line: string): boolean => /^-- .+ --$/.test(line.trimEnd());

/** JavaScript's `\s` (ECMA-262 WhiteSpace and LineTerminator). */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** `.` does not match a line terminator: a line holding one matches neither frame. */
const hasTerminator = (line: string) =>
  line.indexOf("\r") >= 0 || line.indexOf("\u2028") >= 0 || line.indexOf("\u2029") >= 0;

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

/** `^(?:<\d{1,3}>)?`: where the stamp starts. */
function afterPriority(line: string): number {
  if (line.charCodeAt(0) !== 60) return 0;
  let j = 1;
  while (j <= 3 && isDigit(line.charCodeAt(j))) j++;
  return j > 1 && line.charCodeAt(j) === 62 ? j + 1 : 0;
}

/** `HOST PROGRAM[PID]: ` from `i` (just past the stamp's space) into `frame`; false if not there. */
function scanRest(line: string, from: number): boolean {
  const n = line.length;
  let i = from;
  for (; i < n; i++) {
    // \S: a control character that is not white space (U+0001) belongs to the host.
    const c = line.charCodeAt(i);
    if (c === 32 || (c < 32 ? c >= 9 && c <= 13 : c >= 127 && isSpace(c))) break;
  }
  if (i === from || line.charCodeAt(i) !== 32) return false;
  frame.hostStart = from;
  frame.hostEnd = i;
  const p0 = i + 1;
  i = p0;
  let service = p0;
  for (; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === 91 || c === 58 || c === 32 || (c < 32 ? c >= 9 && c <= 13 : c >= 127 && isSpace(c))) break; // [ :
    if (c === 47) service = i + 1; // /
  }
  if (i === p0) return false;
  frame.programStart = p0;
  frame.programEnd = i;
  frame.serviceStart = service;
  if (line.charCodeAt(i) === 91) {
    let k = i + 1;
    while (isDigit(line.charCodeAt(k))) k++;
    if (
      k === i + 1 ||
      line.charCodeAt(k) !== 93 ||
      line.charCodeAt(k + 1) !== 58 ||
      line.charCodeAt(k + 2) !== 32
    )
      return false;
    frame.pidStart = i + 1;
    frame.pidEnd = k;
    frame.textStart = k + 3;
    return true;
  }
  if (line.charCodeAt(i) !== 58 || line.charCodeAt(i + 1) !== 32) return false;
  frame.pidStart = i;
  frame.pidEnd = i;
  frame.textStart = i + 2;
  return true;
}

/** The classic frame, or undefined when the line is not one (null: one, but its stamp is not a time). */
function scanClassic(line: string, years: YearInference): SyslogFrame | null | undefined {
  const m0 = afterPriority(line);
  let i = m0;
  for (; i - m0 < 7; i++) {
    const c = line.charCodeAt(i);
    if (Number.isNaN(c) || isSpace(c) || isDigit(c)) break;
  }
  const monthEnd = i;
  if (monthEnd - m0 < 3 || monthEnd - m0 > 6 || line.charCodeAt(i) !== 32) return undefined;
  i++;
  if (line.charCodeAt(i) === 32) i++;
  const d0 = i;
  if (isDigit(line.charCodeAt(i))) i++;
  if (isDigit(line.charCodeAt(i))) i++;
  const dayEnd = i;
  if (dayEnd === d0 || line.charCodeAt(i) !== 32) return undefined;
  const c0 = i + 1;
  if (
    !isDigit(line.charCodeAt(c0)) ||
    !isDigit(line.charCodeAt(c0 + 1)) ||
    line.charCodeAt(c0 + 2) !== 58 ||
    !isDigit(line.charCodeAt(c0 + 3)) ||
    !isDigit(line.charCodeAt(c0 + 4)) ||
    line.charCodeAt(c0 + 5) !== 58 ||
    !isDigit(line.charCodeAt(c0 + 6)) ||
    !isDigit(line.charCodeAt(c0 + 7))
  )
    return undefined;
  i = c0 + 8;
  if (line.charCodeAt(i) === 46) {
    let j = i + 1;
    while (j - i <= 10 && isDigit(line.charCodeAt(j))) j++;
    if (j === i + 1 || j - i > 10) return undefined;
    i = j;
  }
  if (line.charCodeAt(i) !== 32) return undefined;
  if (!scanRest(line, i + 1) || hasTerminator(line)) return undefined;
  const time = syslogTimeIn(line, m0, monthEnd, d0, dayEnd, c0, i, years);
  if (time === null) return null;
  frame.time = time;
  return frame;
}

/** The frame's offsets (the object is reused: read it before the next call), or null. */
export function scanSyslogLine(line: string, years: YearInference): SyslogFrame | null {
  const classic = scanClassic(line, years);
  if (classic !== undefined) return classic;
  const match = modern.exec(line);
  if (!match) return null;
  const time = rfc3339Time(match[1] as string);
  if (time === null) return null;
  // The expression matched (a priority it could take it took), so the rest of the line scans the
  // same way from after the stamp.
  const stampEnd = afterPriority(line) + (match[1] as string).length;
  if (!scanRest(line, stampEnd + 1)) return null;
  frame.time = time;
  return frame;
}

export function parseSyslogLine(line: string, years: YearInference): SyslogLine | null {
  const f = scanSyslogLine(line, years);
  if (f === null) return null;
  const slash = line.indexOf("/", f.programStart);
  const instanceEnd = slash >= 0 && slash < f.programEnd ? slash : f.programEnd;
  return {
    time: f.time,
    host: line.slice(f.hostStart, f.hostEnd),
    instance: line.slice(f.programStart, instanceEnd),
    service: line.slice(f.serviceStart, f.programEnd),
    pid: line.slice(f.pidStart, f.pidEnd),
    text: line.slice(f.textStart),
  };
}
