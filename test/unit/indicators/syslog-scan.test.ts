/**
 * The hand-written syslog frame scan (src/indicators/log/syslog-line.ts) against the regular
 * expressions it replaced, kept here as the reference: every line of the log fixtures, a generated
 * busy MX's log (bench/logs.ts) and mutations of them with the characters the expressions treat
 * specially (Unicode white space, line terminators, digits, brackets, colons, dots) must give the
 * same frame — or the same refusal — and the same time. And the line splitter gives the same lines
 * whatever the chunk boundaries (a UTF-8 character, a CRLF cut across two chunks).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatePostfixLog } from "../../../bench/logs.js";
import { LineSplitter, lineText } from "../../../src/indicators/log/line-reader.js";
import { isoSeconds, PostfixSessions } from "../../../src/indicators/log/postfix-sessions.js";
import { decodeFirst, scanSyslogBytes } from "../../../src/indicators/log/syslog-bytes.js";
import {
  parseSyslogLine,
  type SyslogFrame,
  type SyslogLine,
} from "../../../src/indicators/log/syslog-line.js";
import { rfc3339Time, syslogTime, YearInference } from "../../../src/indicators/log/timestamp.js";

// The expressions of the frame before the scan (commit 80d114e), verbatim.
const classic =
  /^(?:<\d{1,3}>)?([^\s\d]{3,6}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;
const modern =
  /^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\d(?:T\S+| \d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;

function program(name: string): { instance: string; service: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { instance: name, service: name };
  return { instance: name.slice(0, slash), service: name.slice(name.lastIndexOf("/") + 1) };
}

function referenceParse(line: string, years: YearInference): SyslogLine | null {
  let match = classic.exec(line);
  if (match) {
    const time = syslogTime(match[1] as string, match[2] as string, match[3] as string, years);
    if (time === null) return null;
    const { instance, service } = program(match[5] as string);
    return {
      time,
      host: match[4] as string,
      instance,
      service,
      pid: match[6] ?? "",
      text: match[7] as string,
    };
  }
  match = modern.exec(line);
  if (match) {
    const time = rfc3339Time(match[1] as string);
    if (time === null) return null;
    const { instance, service } = program(match[3] as string);
    return {
      time,
      host: match[2] as string,
      instance,
      service,
      pid: match[4] ?? "",
      text: match[5] as string,
    };
  }
  return null;
}

const fixtureDir = new URL("../../fixtures/logs/", import.meta.url);
const fixtureLines = readdirSync(fixtureDir).flatMap((name) =>
  readFileSync(new URL(name, fixtureDir), "utf8")
    .split("\n")
    .filter((l) => l !== ""),
);

const handMade = [
  "<22>Dec  1 23:16:06 mx1 postfix/smtp[12]: 3F1A: to=<a@b>, relay=none, status=sent",
  "<1234>Dec  1 23:16:06 mx1 postfix/smtp[12]: x",
  "<a>Dec 1 23:16:06 mx1 postfix/smtp[12]: x",
  "déc. 02 05:23:35 mx1 postfix/smtpd[3]: connect from a[192.0.2.1]",
  "авг 09 05:23:35 mx1 postfix/smtpd[3]: connect from a[192.0.2.1]",
  "Decembr 1 23:16:06 mx1 postfix/smtp[12]: x",
  "Dec 123 23:16:06 mx1 postfix/smtp[12]: x",
  "Dec   1 23:16:06 mx1 postfix/smtp[12]: x",
  "Dec  1 23:16:06.123456789 mx1 postfix/smtp[12]: x",
  "Dec  1 23:16:06.1234567890 mx1 postfix/smtp[12]: x",
  "Dec  1 23:16:06. mx1 postfix/smtp[12]: x",
  "Dec  1 23:16:06 mx1 postfix/smtp[12a]: x",
  "Dec  1 23:16:06 mx1 postfix/smtp[]: x",
  "Dec  1 23:16:06 mx1 postfix/smtp[12]:x",
  "Dec  1 23:16:06 mx1 postfix/smtp:x",
  "Dec  1 23:16:06 mx1 postfix/smtp: ",
  "Dec  1 23:16:06 mx1 dovecot: imap-login: x",
  "Dec  1 23:16:06 mx1 : x",
  "Dec  1 23:16:06  mx1 postfix/smtp[1]: x",
  "Dec  1 23:16:06 mx1\u00a0x postfix/smtp[1]: x",
  "Dec  1 23:16:06 mx1 postfix/smtp[1]: a\rb",
  "Dec  1 23:16:06 mx1 postfix/smtp[1]: a\u2028b",
  "Dec  1 23:16:06 mx1 postfix/smtp[1]: a\u2029b",
  "Dec  1 23:16:06 mx1 postfix/sub/mission/smtpd[1]: x",
  "Dec 32 23:16:06 mx1 postfix/smtp[1]: x",
  "Dec  1 24:16:06 mx1 postfix/smtp[1]: x",
  "Foo  1 23:16:06 mx1 postfix/smtp[1]: x",
  "2026-12-01T23:16:06.123456+01:00 mx1 postfix/smtp[1]: x",
  "<30>2026-12-01 23:16:06+0100 mx1 postfix/smtp[1]: x",
  "2026-12-01T23:16:06Z mx1 postfix/smtp: x",
  "2026-13-01T23:16:06Z mx1 postfix/smtp[1]: x",
  "",
  "Dec",
  "Dec  1",
  "Dec  1 23:16:06",
  "Dec  1 23:16:06 mx1",
  "Dec  1 23:16:06 mx1 postfix/smtp[1]",
];

/** Characters the expressions read specially, and a few plain ones. */
const alphabet = [
  " ",
  "\t",
  "\u00a0",
  "\u2003",
  "\u200a",
  "\u1680",
  "\u202f",
  "\u205f",
  "\u3000",
  "\u0085",
  "\ufeff",
  "\r",
  "\u2028",
  "\u2029",
  "\v",
  "0",
  "7",
  "[",
  "]",
  ":",
  ".",
  "/",
  "<",
  ">",
  "é",
  "a",
  "T",
  "-",
  "+",
  "\u0001",
  "\u00e9",
];

/** Deterministic mutations: each line with one character inserted, replaced or removed. */
function mutations(lines: readonly string[], count: number): string[] {
  let x = 7;
  const next = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const line = lines[next(lines.length)] as string;
    const at = next(Math.min(line.length + 1, 70));
    const c = alphabet[next(alphabet.length)] as string;
    const how = next(3);
    out.push(
      how === 0
        ? line.slice(0, at) + c + line.slice(at)
        : how === 1
          ? line.slice(0, at) + c + line.slice(at + 1)
          : line.slice(0, at) + line.slice(at + 1),
    );
  }
  return out;
}

function compare(lines: readonly string[]): number {
  const ours = new YearInference(new Date("2027-01-02T00:00:00Z"));
  const theirs = new YearInference(new Date("2027-01-02T00:00:00Z"));
  let framed = 0;
  for (const line of lines) {
    const expected = referenceParse(line, theirs);
    expect({ line, frame: parseSyslogLine(line, ours) }).toEqual({ line, frame: expected });
    if (expected) framed += 1;
  }
  expect(ours.snapshot()).toEqual(theirs.snapshot());
  return framed;
}

describe("the syslog frame scan", () => {
  it("reads every fixture line as the expressions do", () => {
    expect(compare(fixtureLines)).toBeGreaterThan(100);
  });

  it("reads a generated MX log as the expressions do", () => {
    const lines = generatePostfixLog(20_000).split("\n").slice(0, -1);
    expect(compare(lines)).toBe(20_000);
  });

  it("accepts and refuses what the expressions accept and refuse, hand-made edge cases", () => {
    const framed = compare(handMade);
    expect(framed).toBeGreaterThan(5);
    expect(framed).toBeLessThan(handMade.length - 10);
  });

  it("accepts and refuses what the expressions accept and refuse, 20,000 mutated lines", () => {
    const framed = compare(mutations([...fixtureLines, ...handMade], 20_000));
    // Both outcomes are exercised: many mutations break the frame, many leave it whole.
    expect(framed).toBeGreaterThan(2_000);
    expect(framed).toBeLessThan(18_000);
  });
});

describe("the line splitter", () => {
  const text = "ab\r\ncd\n\nd\u00e9c. 02 \u0430\u0432\u0433\r\nlast\r\nunterminated";
  const whole = Buffer.from(text, "utf8");

  function split(chunk: number): [string, boolean][] {
    const splitter = new LineSplitter();
    const out: [string, boolean][] = [];
    const each = (bytes: Buffer, start: number, end: number, overlong: boolean) =>
      out.push([lineText(bytes, start, end), overlong]);
    for (let i = 0; i < whole.length; i += chunk) splitter.push(whole.subarray(i, i + chunk), each);
    expect(splitter.lineEnd).toBe(whole.lastIndexOf(0x0a) + 1);
    splitter.finish(each);
    return out;
  }

  it("gives the same lines whatever the chunk size", () => {
    const expected: [string, boolean][] = [
      ["ab", false],
      ["cd", false],
      ["", false],
      ["d\u00e9c. 02 \u0430\u0432\u0433", false],
      ["last", false],
      ["unterminated", false],
    ];
    for (let chunk = 1; chunk <= whole.length; chunk++) expect(split(chunk)).toEqual(expected);
  });
});

/** A byte frame (syslog-bytes.ts) as the text scan's SyslogLine, its offsets read in `bytes`. */
function fromBytes(bytes: Buffer, f: SyslogFrame): SyslogLine {
  const text = (a: number, b: number) => bytes.toString("utf8", a, b);
  const slash = bytes.indexOf(0x2f, f.programStart);
  const instanceEnd = slash >= 0 && slash < f.programEnd ? slash : f.programEnd;
  return {
    time: f.time,
    host: text(f.hostStart, f.hostEnd),
    instance: text(f.programStart, instanceEnd),
    service: text(f.serviceStart, f.programEnd),
    pid: text(f.pidStart, f.pidEnd),
    text: text(f.textStart, bytes.length),
  };
}

/**
 * Each line scanned in bytes, inside a buffer where the next line follows it (bytes past its end
 * must never be read as its own: digits, a space, a bracket), and scanned as text: the same frame or
 * refusal, or `decodeFirst` (then the text scan decides, so that answer is always right). Returns
 * how many lines the bytes scan decided itself.
 */
function compareBytes(lines: readonly string[]): number {
  const ours = new YearInference(new Date("2027-01-02T00:00:00Z"));
  const theirs = new YearInference(new Date("2027-01-02T00:00:00Z"));
  let decided = 0;
  const trap = Buffer.from("\n0123 ]: [9] x\n");
  for (const line of lines) {
    const bytes = Buffer.from(line, "utf8");
    const inBuffer = Buffer.concat([bytes, trap]);
    const frame = scanSyslogBytes(inBuffer, 0, bytes.length, ours);
    if (frame !== decodeFirst) decided += 1;
    const got =
      frame === decodeFirst
        ? parseSyslogLine(bytes.toString("utf8"), ours)
        : frame === null
          ? null
          : fromBytes(bytes, frame);
    const expected = parseSyslogLine(line, theirs);
    expect({ line, frame: got }).toEqual({ line, frame: expected });
  }
  expect(ours.snapshot()).toEqual(theirs.snapshot());
  return decided;
}

describe("the syslog frame scanned in bytes", () => {
  it("reads every fixture line as the text scan does", () => {
    expect(compareBytes(fixtureLines)).toBeGreaterThan(100);
  });

  it("reads a generated MX log in bytes alone, as the text scan does", () => {
    const lines = generatePostfixLog(20_000).split("\n").slice(0, -1);
    expect(compareBytes(lines)).toBe(20_000);
  });

  it("reads RFC 3339 stamps in bytes, fractions and zones as rfc3339Time() does", () => {
    const stamps = [
      "2026-12-01T23:16:06.123456+01:00",
      "2026-12-01T23:16:06.1+01:00",
      "2026-12-01T23:16:06.9999+0100",
      "2026-12-01T23:16:06Z",
      "2026-12-01T23:16:06z",
      "2026-12-01T23:16:06",
      "2026-12-01 23:16:06",
      "2026-12-01 23:16:06.5Z",
      "2026-12-01 23:16:06-0530",
      "2026-12-01 23:16:06z",
      "2026-12-31T23:59:60Z",
      "2026-02-30T10:00:00Z",
      "2026-12-01T23:16:06.1234567890Z",
      "2026-12-01T23:16+01:00",
      "2026-12-01t23:16:06Z",
    ];
    const lines = stamps.flatMap((s) => [
      `${s} mx1 postfix/smtp[1]: x`,
      `<30>${s} mx1 postfix/smtpd[2]: connect from a[192.0.2.1]`,
    ]);
    expect(compareBytes(lines)).toBeGreaterThan(lines.length / 2);
  });

  it("accepts and refuses what the text scan does, hand-made and 20,000 mutated lines", () => {
    const extra = [
      "Dec  1 23:16:06 mx\u00011 postfix/smtp[1]: x",
      "Dec  1 23:16:06 mx1 post\u0001fix/smtp[1]: x",
      "Dec  1 23:16:06 h\u00e9 postfix/smtp[1]: x",
      "Dec  1 23:16:06 mx1 postfix/smtp[1]: d\u00e9j\u00e0 \u2028",
    ];
    const lines = [...handMade, ...extra, ...mutations([...fixtureLines, ...handMade, ...extra], 20_000)];
    const decided = compareBytes(lines);
    expect(decided).toBeGreaterThan(lines.length / 2);
  });
});

describe("Postfix sessions read from bytes", () => {
  it("give the same records and state as read from text, line after line", () => {
    const lines = [
      ...fixtureLines,
      ...generatePostfixLog(5_000).split("\n").slice(0, -1),
      ...mutations(fixtureLines, 5_000),
    ];
    const reference = new Date("2027-01-02T00:00:00Z");
    const fromText = new PostfixSessions(reference);
    const fromBytesParser = new PostfixSessions(reference);
    let sessions = 0;
    for (const line of lines) {
      const bytes = Buffer.concat([Buffer.from(line, "utf8"), Buffer.from("\nDec  1 x")]);
      const expected = fromText.line(line);
      expect({ line, result: fromBytesParser.lineBytes(bytes, 0, bytes.length - 9) }).toEqual({
        line,
        result: expected,
      });
      if (expected.kind === "sessions") sessions += expected.sessions.length;
    }
    expect(sessions).toBeGreaterThan(1_000);
    expect(fromBytesParser.snapshot()).toEqual(fromText.snapshot());
  });
});

describe("seconds of an ISO time", () => {
  it("are Date.parse's, for every shape the stamp readers write and a few they never do", () => {
    const times: string[] = [];
    let x = 11;
    for (let i = 0; i < 5_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const ms = Date.UTC(1990, 0, 1) + (x % 1_500_000) * 1_000_000 + (i % 1000);
      const iso = new Date(ms).toISOString();
      times.push(iso, iso.replace(/\.\d{3}Z$/, "Z"));
    }
    times.push(
      "2026-12-31T23:59:60Z",
      "2026-02-30T10:00:00Z",
      "0050-01-01T00:00:00Z",
      "2026-12-01T23:16:06+01:00",
      "nonsense",
    );
    for (const t of times) expect({ t, s: isoSeconds(t) }).toEqual({ t, s: Date.parse(t) / 1000 });
  });
});
