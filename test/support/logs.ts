/** Postfix logs made for tests that must see months change and the year turn. */
import { generatePostfixLog } from "../../bench/logs.js";

const months = ["Oct", "Nov", "Dec", "Jan", "Feb"];

/**
 * The generated MX log of `count` lines, its stamps moved through October to February (the year
 * turns), every 37th line stamped a month early (a late line), every 11th in RFC 3339, every 7th
 * mangled (a character replaced: a frame broken, a byte beyond ASCII, a control character). Read it
 * with a reference date in March 2027: its sessions are of 2026 and 2027.
 */
export function turningLog(count: number): string[] {
  const lines = generatePostfixLog(count).split("\n");
  const block = Math.ceil(lines.length / months.length);
  return lines.map((line, i) => {
    const m = Math.floor(i / block);
    const month = months[i % 37 === 0 && m > 0 ? m - 1 : m] as string;
    let out = line.replace(/^\w{3}/, month);
    if (i % 11 === 0)
      out = out.replace(
        /^\w{3} {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)/,
        (_, day: string, clock: string) => `2026-12-${day.padStart(2, "0")}T${clock}.5+01:00`,
      );
    if (i % 7 === 0 && out.length > 20) {
      const at = (i * 13) % out.length;
      out = `${out.slice(0, at)}${["é", "\u0001", " ", "[", "", "x", ":"][Math.floor(i / 7) % 7]}${out.slice(at + 1)}`;
    }
    return out;
  });
}
