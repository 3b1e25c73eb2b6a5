/**
 * Two readers of the same log share the check of its frames (parallel-summary.ts): each reads with
 * `frames = false` the lines the other checks, and may pass over those of services it does not read
 * (PostfixSessions.skippable). Whatever it passes over, its sessions (times included) and its state
 * at the end are those of a reader that checks every line: on a log whose months change and whose
 * year turns, with late lines of the month before, RFC 3339 stamps among classic ones, and mangled
 * lines.
 */
import { describe, expect, it } from "vitest";
import { PostfixSessions, type SessionSide } from "../../../src/indicators/log/postfix-sessions.js";
import type { LineResult, SessionRecord } from "../../../src/indicators/log/session.js";
import { turningLog } from "../../support/logs.js";

const reference = new Date("2027-03-01T00:00:00Z");

interface Read {
  readonly sessions: SessionRecord[];
  readonly results: LineResult["kind"][];
  readonly state: unknown;
}

function read(lines: readonly string[], side: SessionSide, checked: (i: number) => boolean): Read {
  const parser = new PostfixSessions(reference, undefined, side);
  const sessions: SessionRecord[] = [];
  const results: LineResult["kind"][] = [];
  lines.forEach((line, i) => {
    const bytes = Buffer.from(line);
    const result = parser.lineBytes(bytes, 0, bytes.length, checked(i));
    results.push(result.kind);
    if (result.kind === "sessions") sessions.push(...result.sessions);
  });
  return { sessions, results, state: parser.snapshot() };
}

describe("readers sharing the check of the frames", () => {
  const lines = turningLog(12_000);
  for (const side of ["inbound", "outbound"] as const)
    for (const parity of [0, 1])
      it(`${side}, checking the ${parity ? "odd" : "even"} lines: the same as checking all`, () => {
        const all = read(lines, side, () => true);
        const shared = read(lines, side, (i) => (i & 1) === parity);
        expect(all.sessions.length).toBeGreaterThan(1_000);
        // The year turned: sessions of both years, in the order of the log.
        const years = new Set(all.sessions.map((s) => s.time.slice(0, 4)));
        expect([...years].sort()).toEqual(["2026", "2027"]);
        expect(shared.sessions).toEqual(all.sessions);
        expect(shared.state).toEqual(all.state);
        // The lines checked are judged alike; the others at most not counted as not understood.
        lines.forEach((_, i) => {
          const a = all.results[i];
          const b = shared.results[i];
          if ((i & 1) === parity || a !== "unparsed") expect(`${i}: ${b}`).toBe(`${i}: ${a}`);
          else expect(["unparsed", "ignored"]).toContain(b);
        });
        expect(all.results.filter((r) => r === "unparsed").length).toBeGreaterThan(100);
      });

  it("a line of another program in the month the reader is at is passed over unread", () => {
    const parser = new PostfixSessions(reference, undefined, "outbound");
    const settle = Buffer.from("Feb 10 10:00:00 mx1 postfix/qmgr[900]: 4QABC: removed");
    expect(parser.lineBytes(settle, 0, settle.length, true).kind).toBe("ignored");
    // A clock no stamp has: not understood when checked, passed over when the other reader checks it.
    for (const text of [
      "Feb 10 99:99:99 mx1 postfix/cleanup[12]: 4QABC: message-id=<a@b>",
      "2027-02-31T99:00:00Z mx1 postfix/cleanup[12]: 4QABC: message-id=<a@b>",
    ]) {
      const bad = Buffer.from(text);
      expect(parser.lineBytes(bad, 0, bad.length, true).kind).toBe("unparsed");
      expect(parser.lineBytes(bad, 0, bad.length, false).kind).toBe("ignored");
    }
    // Its own program's line, another month's, or a byte beyond ASCII before the program: read.
    for (const text of [
      "Feb 10 99:99:99 mx1 postfix/smtp[12]: 4QABC: to=<a@b>, relay=none, status=deferred",
      "Mar 10 99:99:99 mx1 postfix/cleanup[12]: 4QABC: message-id=<a@b>",
      "Feb 10 99:99:99 mx\u00e91 postfix/cleanup[12]: 4QABC: message-id=<a@b>",
    ]) {
      const own = Buffer.from(text);
      expect(`${text}: ${parser.lineBytes(own, 0, own.length, false).kind}`).toBe(`${text}: unparsed`);
    }
  });
});
