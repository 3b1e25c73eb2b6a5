/**
 * Replays a transcript fixture through a pure dialogue, without sockets: the server's lines are
 * framed by the dialogue's own framer, and the commands the dialogue sends are checked against the
 * fixture's client lines in order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Action, Dialogue } from "../../src/audit/dialogue/dialogue.js";

export interface Fixture {
  readonly mode: "starttls" | "implicit" | "none";
  readonly lines: readonly string[];
}

export function loadFixture(name: string): Fixture {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", "transcripts", name), "utf8");
  const all = text.split("\n").filter((l) => l.length > 0);
  const mode = /^# mode: (\w+)/m.exec(text)?.[1] as Fixture["mode"] | undefined;
  return { mode: mode ?? "starttls", lines: all.filter((l) => !l.startsWith("#")) };
}

export interface Replay<F> {
  readonly facts: F;
  readonly commands: readonly string[];
  readonly last: Action<unknown>;
}

export function replay<S, R, E, F>(dialogue: Dialogue<S, R, E, F>, fixture: Fixture): Replay<F> {
  let { state, action } = dialogue.start(fixture.mode === "implicit") as { state: S; action: Action<E> };
  const commands: string[] = [];
  let i = 0;
  const serverBlock = (): Buffer => {
    const lines: string[] = [];
    while (i < fixture.lines.length && fixture.lines[i]?.startsWith("S: "))
      lines.push((fixture.lines[i++] ?? "").slice(3));
    return Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
  };
  for (let guard = 0; guard < 100; guard++) {
    if (action.kind === "done" || action.kind === "fail") break;
    if (action.kind === "starttls") {
      if (fixture.lines[i] !== "*: TLS handshake")
        throw new Error(`fixture line ${i}: expected the TLS handshake, got ${fixture.lines[i]}`);
      i++;
      ({ state, action } = dialogue.step(state, { kind: "tls-ready" }));
      continue;
    }
    if (action.kind === "send") {
      const expected = fixture.lines[i++];
      const command = action.command.replace(/\r\n$/, "");
      if (expected !== `C: ${command}`)
        throw new Error(`fixture line ${i - 1}: expected "${expected}", dialogue sent "${command}"`);
      commands.push(command);
    }
    const block = serverBlock();
    const frame = dialogue.framer(action.expect)(block, true);
    if (frame.kind !== "frame") throw new Error(`fixture line ${i}: framer says ${frame.kind}`);
    if (frame.consumed !== block.length)
      throw new Error(`fixture line ${i}: ${block.length - frame.consumed} bytes left over`);
    ({ state, action } = dialogue.step(state, { kind: "reply", reply: frame.value }));
  }
  return { facts: dialogue.facts(state), commands, last: action as Action<unknown> };
}
