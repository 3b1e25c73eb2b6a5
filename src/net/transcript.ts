import { limits } from "../core/limits.js";

/** One line of a dialogue as seen on the wire: S: server, C: client, *: an event of ours. */
export interface TranscriptLine {
  readonly from: "S" | "C" | "*";
  readonly text: string;
}

/** A bounded transcript: lines beyond the byte budget are dropped and counted. */
export class Transcript {
  readonly lines: TranscriptLine[] = [];
  private bytes = 0;
  private dropped = 0;

  add(from: TranscriptLine["from"], text: string): void {
    for (const raw of text.split(/\r?\n/)) {
      if (raw === "" && from !== "*") continue;
      const line =
        raw.length > limits.maxTranscriptLineChars
          ? `${raw.slice(0, limits.maxTranscriptLineChars)}… (${raw.length} chars)`
          : raw;
      if (this.bytes + line.length > limits.maxTranscriptBytes) {
        this.dropped++;
        continue;
      }
      this.bytes += line.length;
      this.lines.push({ from, text: printable(line) });
    }
  }

  toJSON(): readonly string[] {
    const out = this.lines.map((line) => `${line.from}: ${line.text}`);
    if (this.dropped > 0) out.push(`*: (${this.dropped} more lines not kept)`);
    return out;
  }
}

/** Control bytes other than tab are shown as \xNN so that a transcript never drives a terminal. */
export function printable(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }
  return out;
}
