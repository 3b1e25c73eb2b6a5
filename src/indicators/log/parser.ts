/** One entry for both MTAs: a line parser with a resumable state. */
import { EximSessions } from "./exim-line.js";
import { type PostfixJoinState, PostfixSessions } from "./postfix-sessions.js";
import type { LineResult } from "./session.js";

export type LogFormat = "postfix" | "exim";
export const logFormats: readonly LogFormat[] = ["postfix", "exim"];

export interface LineParser {
  line(raw: string): LineResult;
  snapshot(): unknown;
}

export function lineParser(format: LogFormat, reference: Date, state?: unknown): LineParser {
  if (format === "postfix") return new PostfixSessions(reference, state as PostfixJoinState | undefined);
  const exim = new EximSessions(reference);
  if (state) exim.restore(state as ReturnType<EximSessions["snapshot"]>);
  return exim;
}
