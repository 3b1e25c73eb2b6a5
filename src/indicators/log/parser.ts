/** One entry for both MTAs: a line parser with a resumable state. */

import { EximSessions } from "./exim-line.js";
import type { RelayLine } from "./line-relay.js";
import { type PostfixJoinState, PostfixSessions, type SessionSide } from "./postfix-sessions.js";
import type { LineResult, SessionRecord } from "./session.js";

export type LogFormat = "postfix" | "exim";
export const logFormats: readonly LogFormat[] = ["postfix", "exim"];

export interface LineParser {
  line(raw: string): LineResult;
  /** The same for the line `bytes[start, end)` (line-reader.ts), decoded only if it is read. */
  lineBytes(bytes: Buffer, start: number, end: number): LineResult;
  snapshot(): unknown;
}

/**
 * The same line written twice (Postfix's smtpd serving two identical sessions in one second: same
 * pid, same client, same commands) is two sessions, yet the idempotency key is the line's digest.
 * So the n-th repeat of a line within one timestamp carries `repeat: n` (the first none, so its key
 * stays the line's own), counted across batches: the counts are in the parser's state, stored with
 * the cursor.
 */
class RepeatNumbering implements LineParser {
  private time = "";
  private seen = new Map<string, number>();
  constructor(
    private readonly inner: LineParser,
    state?: RepeatState,
  ) {
    if (state) {
      this.time = state.time;
      this.seen = new Map(state.lines);
    }
  }
  line(raw: string): LineResult {
    return this.numbered(this.inner.line(raw));
  }
  lineBytes(bytes: Buffer, start: number, end: number): LineResult {
    return this.numbered(this.inner.lineBytes(bytes, start, end));
  }
  private numbered(result: LineResult): LineResult {
    if (result.kind !== "sessions") return result;
    const sessions = result.sessions;
    let numbered: SessionRecord[] | null = null;
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i] as SessionRecord;
      if (s.time !== this.time) {
        this.time = s.time;
        this.seen.clear();
      }
      const repeat = this.seen.get(s.line) ?? 0;
      this.seen.set(s.line, repeat + 1);
      if (repeat === 0) continue;
      numbered ??= [...sessions];
      numbered[i] = { ...s, repeat };
    }
    return numbered === null ? result : { kind: "sessions", sessions: numbered };
  }
  snapshot(): unknown {
    const repeats: RepeatState = { time: this.time, lines: [...this.seen] };
    return { parser: this.inner.snapshot(), repeats };
  }
}

interface RepeatState {
  readonly time: string;
  readonly lines: readonly (readonly [string, number])[];
}

function innerParser(
  format: LogFormat,
  reference: Date,
  state?: unknown,
  sessions: SessionSide = "all",
  relay: RelayLine | null = null,
): LineParser {
  if (format === "postfix")
    return new PostfixSessions(reference, state as PostfixJoinState | undefined, sessions, relay);
  if (sessions !== "all") throw new Error("one direction only: Postfix logs only");
  const exim = new EximSessions(reference);
  if (state) exim.restore(state as ReturnType<EximSessions["snapshot"]>);
  return exim;
}

/**
 * `state`: a snapshot of an earlier parser (a cursor's), or one from before repeats were numbered.
 * `numberRepeats: false` (a summary, nothing stored): the numbers only make storage keys, skip them.
 */
export function lineParser(
  format: LogFormat,
  reference: Date,
  state?: unknown,
  options: {
    readonly numberRepeats?: boolean;
    readonly sessions?: SessionSide;
    /** The smtpd lines handed on, not read (line-relay.ts; with `sessions: "outbound"`). */
    readonly relay?: RelayLine;
  } = {},
): LineParser {
  if (options.numberRepeats === false && state === undefined)
    return innerParser(format, reference, undefined, options.sessions, options.relay ?? null);
  if (options.sessions !== undefined && options.sessions !== "all")
    throw new Error("one direction only: without numbering (a summary)");
  const saved = state as { parser?: unknown; repeats?: RepeatState } | undefined;
  if (saved && typeof saved === "object" && "repeats" in saved && saved.repeats)
    return new RepeatNumbering(innerParser(format, reference, saved.parser), saved.repeats);
  return new RepeatNumbering(innerParser(format, reference, state));
}
