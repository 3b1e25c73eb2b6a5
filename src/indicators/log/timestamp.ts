/**
 * Log timestamps. Classic syslog (RFC 3164 §4.1.2: `Mmm dd hh:mm:ss`, no year, no zone; Postfix's
 * own postlogd adds `.uuuuuu`) and RFC 3339 (rsyslog's high-precision format, `2026-12-01T23:16:06
 * .123456+01:00`). Exim's mainlog writes `YYYY-MM-DD hh:mm:ss` with an optional `+hhmm` zone.
 * Times without a zone are read as UTC (docs/mta-logs.md says why).
 *
 * `journalctl` (its default `short` output) and some syslog daemons write the month in the
 * machine's locale (`%b`): a French server logs `déc. 02 05:23:35`, a Russian one `авг 09 …`. The
 * abbreviations of glibc's locale files (LC_TIME `abmon`) for the languages below are read too,
 * case-insensitively and with or without their final dot; no two of them name different months.
 */

const months: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * `abmon` of glibc 2.36's fr_FR, de_DE, es_ES, it_IT, nl_NL, pt_PT/pt_BR, pl_PL and ru_RU locales,
 * lower-cased, final dot dropped; index = month (0 = January). English is the table above.
 */
const localeMonths: readonly (readonly string[])[] = [
  ["janv", "ene", "gen", "sty", "янв"],
  ["févr", "fév", "fev", "lut", "фев"],
  ["mars", "mär", "mrt", "мар"],
  ["avril", "avr", "abr", "kwi", "апр"],
  ["mai", "mag", "mei", "maj", "may", "мая", "май"],
  ["juin", "giu", "cze", "июн"],
  ["juil", "lug", "lip", "июл"],
  ["août", "ago", "sie", "авг"],
  ["sept", "set", "wrz", "сен"],
  ["okt", "ott", "out", "paź", "окт"],
  ["lis", "ноя"],
  ["déc", "dez", "dic", "gru", "дек"],
];

const monthByName = new Map<string, number>();
for (const [name, index] of Object.entries(months)) monthByName.set(name.toLowerCase(), index);
localeMonths.forEach((names, index) => {
  for (const name of names) monthByName.set(name, index);
});

/** A month abbreviation in English or one of the locales above (`Dec`, `déc.`, `DEZ`) → 0–11. */
export function monthIndex(name: string): number | undefined {
  const english = months[name];
  if (english !== undefined) return english;
  const key = (name.endsWith(".") ? name.slice(0, -1) : name).toLowerCase();
  return monthByName.get(key);
}

/**
 * Infers the year of year-less syslog stamps in a stream read in order. The stream starts in the
 * reference's year (the file's modification time), or the year before when its first month is
 * later than the reference's month (a log written in December, read in January). A month that drops
 * by more than six (Dec → Jan) starts the next year; a month that jumps forward by more than six (a
 * late December line after January ones, from a host with a slow clock or a merged file) belongs to
 * the year before, without moving the stream's year.
 */
export class YearInference {
  /** The last stamp converted and its result: consecutive lines mostly share their second. */
  lastStamp = "";
  lastTime: string | null = null;
  private year: number | null = null;
  private month = 0;
  constructor(private readonly reference: Date) {}

  yearFor(month: number): number {
    if (this.year === null) {
      const refYear = this.reference.getUTCFullYear();
      this.year = month > this.reference.getUTCMonth() ? refYear - 1 : refYear;
      this.month = month;
      return this.year;
    }
    if (month < this.month - 6) {
      this.year += 1;
      this.month = month;
      return this.year;
    }
    if (month > this.month + 6) return this.year - 1;
    if (month > this.month) this.month = month;
    return this.year;
  }

  /** The state to keep across runs (resumable ingestion). */
  snapshot(): { year: number | null; month: number } {
    return { year: this.year, month: this.month };
  }
  restore(state: { year: number | null; month: number }): void {
    this.year = state.year;
    this.month = state.month;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `Dec  1 23:16:06[.123456]` → ISO UTC, or null. `text` is exactly the stamp. */
export function syslogTime(month: string, day: string, clock: string, years: YearInference): string | null {
  const stamp = `${month}${day}${clock}`;
  if (stamp === years.lastStamp) return years.lastTime;
  const time = convert(month, day, clock, years);
  years.lastStamp = stamp;
  years.lastTime = time;
  return time;
}

/**
 * The same, the stamp given as offsets in `line` (month, day, clock: `[start, end)` each): a stamp
 * equal to the last one converted is not cut out of the line at all. The cache's key is the stamp's
 * text (spaces included), so it never answers for another stamp.
 */
export function syslogTimeIn(
  line: string,
  monthStart: number,
  monthEnd: number,
  dayStart: number,
  dayEnd: number,
  clockStart: number,
  clockEnd: number,
  years: YearInference,
): string | null {
  const last = years.lastStamp;
  if (clockEnd - monthStart === last.length && line.startsWith(last, monthStart)) return years.lastTime;
  const stamp = line.slice(monthStart, clockEnd);
  const time = convert(
    line.slice(monthStart, monthEnd),
    line.slice(dayStart, dayEnd),
    line.slice(clockStart, clockEnd),
    years,
  );
  years.lastStamp = stamp;
  years.lastTime = time;
  return time;
}

const twoDigits = Array.from({ length: 32 }, (_, n) => pad(n));
const digitAt = (text: string, i: number) => text.charCodeAt(i) - 48;
const isDigitAt = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** `hh:mm:ss` then nothing or `.` and 1 to 9 digits (what the expression of the frame took). */
function clockShape(clock: string): boolean {
  const n = clock.length;
  if (n < 8 || n === 9 || n > 18) return false;
  if (clock.charCodeAt(2) !== 58 || clock.charCodeAt(5) !== 58) return false;
  for (const i of [0, 1, 3, 4, 6, 7]) if (!isDigitAt(clock, i)) return false;
  if (n === 8) return true;
  if (clock.charCodeAt(8) !== 46) return false;
  for (let i = 9; i < n; i++) if (!isDigitAt(clock, i)) return false;
  return true;
}

// Once per distinct stamp (a busy MX changes it every few lines): no expression, no padding call.
function convert(month: string, day: string, clock: string, years: YearInference): string | null {
  const m = monthIndex(month);
  if (m === undefined) return null;
  const d = Number(day);
  if (!clockShape(clock) || d < 1 || d > 31) return null;
  const h = digitAt(clock, 0) * 10 + digitAt(clock, 1);
  const mi = digitAt(clock, 3) * 10 + digitAt(clock, 4);
  const s = digitAt(clock, 6) * 10 + digitAt(clock, 7);
  if (h > 23 || mi > 59 || s > 60) return null;
  const y = years.yearFor(m);
  const frac = clock.length > 8 ? clock.slice(8, 12).padEnd(4, "0") : "";
  return `${y}-${twoDigits[m + 1]}-${twoDigits[d]}T${clock.slice(0, 8)}${frac}Z`;
}

/** RFC 3339 §5.6 date-time (`T` or space, `Z` or ±hh:mm or ±hhmm, or none = UTC) → ISO UTC, or null. */
export function rfc3339Time(text: string): string | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?$/i.exec(text);
  if (!match) return null;
  const zone = match[8] ?? "Z";
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${(match[7] ?? "").slice(0, 4)}${zone.toUpperCase() === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const out = new Date(ms).toISOString();
  return match[7] ? out : out.replace(".000Z", "Z");
}
