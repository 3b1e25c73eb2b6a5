/**
 * Tolerance with a name: each way real senders depart from RFC 8460 §4 is read by one small piece here,
 * which records the deviation as a warning. What no piece can read is refused (Refusal) with a reason.
 *
 * - Field names: RFC 8460 §4.4 spells them in lower-case kebab (`organization-name`); senders and
 *   hand-made tools write `organisation-name`, `organizationName`, `organization_name`, and for MX
 *   names `mx-host-pattern` (the draft's name). They are matched after canonicalising (canonicalKey).
 * - Numbers: RFC 8460 §4.4 counts are integers; some producers quote them ("12").
 * - Dates: RFC 8460 §4.4 asks for RFC 3339 date-times. Microsoft has sent them without a time zone
 *   (`2024-09-09T00:00:00`, RFC 3339 §5.6 requires the offset): read as UTC, warned. Epoch numbers too.
 * - Lists: `policy-string` and `mx-host` are lists of strings; a single string is read as one entry
 *   (for a policy-string, one per line), as the RFC's own example did before errata 6241.
 */
import type { Warning, WarningCode } from "./outcome.js";
import { Refusal } from "./outcome.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `organizationName`, `Organization_Name`, `organisation-name` → `organization-name`. */
export function canonicalKey(key: string): string {
  return key
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[_\s]+/g, "-")
    .replace(/organisation/g, "organization");
}

/** Other names seen for a field, beyond the spelling variants canonicalKey folds. */
const aliases: Readonly<Record<string, readonly string[]>> = {
  "mx-host": ["mx-host-pattern", "mx-hosts", "mx"],
  "start-datetime": ["start-date-time", "start", "begin", "start-date"],
  "end-datetime": ["end-date-time", "end", "end-date"],
  "contact-info": ["contact"],
  "organization-name": ["org-name", "organization"],
  "failure-details": ["failure-detail", "failures"],
};

/**
 * Reads the fields of one JSON object: `take` finds a field under its RFC name or a variant (warned),
 * and `finish` warns about the fields no one asked for.
 */
export class FieldReader {
  private readonly used = new Set<string>();
  constructor(
    private readonly object: JsonObject,
    private readonly path: string,
    private readonly warnings: Warning[],
  ) {}

  private at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  /** The value of the field (undefined when absent), under its RFC name or a variant of it. */
  take(name: string): Json | undefined {
    if (Object.hasOwn(this.object, name)) {
      this.used.add(name);
      return this.object[name];
    }
    const wanted = new Set([name, ...(aliases[name] ?? [])]);
    for (const key of Object.keys(this.object)) {
      if (this.used.has(key)) continue;
      if (wanted.has(canonicalKey(key))) {
        this.used.add(key);
        warn(this.warnings, "field-name-variant", this.at(name), `"${key}" read as "${name}"`);
        return this.object[key];
      }
    }
    return undefined;
  }

  /** Warns about a required field absent or null; returns the value when present. */
  required(name: string): Json | undefined {
    const value = this.take(name);
    if (value === undefined) warn(this.warnings, "field-missing", this.at(name), `"${name}" is absent`);
    else if (value === null) warn(this.warnings, "field-null", this.at(name), `"${name}" is null`);
    return value ?? undefined;
  }

  /** An optional field: absent is fine, null is warned. */
  optional(name: string): Json | undefined {
    const value = this.take(name);
    if (value === null) warn(this.warnings, "field-null", this.at(name), `"${name}" is null`);
    return value ?? undefined;
  }

  has(name: string): boolean {
    return this.take(name) !== undefined;
  }

  finish(): void {
    for (const key of Object.keys(this.object))
      if (!this.used.has(key))
        warn(this.warnings, "unknown-field", this.at(key), `"${key}" is not an RFC 8460 field (ignored)`);
  }

  child(name: string): string {
    return this.at(name);
  }
}

export function warn(warnings: Warning[], code: WarningCode, path: string, detail: string): void {
  warnings.push({ code, path, detail });
}

/** A free-text field: a string, a number written as one (warned), "" kept as null (warned). */
export function readText(value: Json | undefined, path: string, warnings: Warning[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") {
    warn(warnings, "type-variant", path, `${typeof value} ${String(value)} read as a string`);
    return String(value);
  }
  if (typeof value !== "string") {
    warn(warnings, "type-variant", path, `${Array.isArray(value) ? "a list" : "an object"} read as text`);
    return JSON.stringify(value);
  }
  if (value.trim() === "") {
    warn(warnings, "empty-string", path, "empty string read as absent");
    return null;
  }
  // Anyone may post a report to /tlsrpt: an ESC sequence or a CR/LF in organization-name would be
  // printed as is by the command lines (a cleared screen, a forged line). No report needs one.
  if (controlCharacters.test(value)) {
    warn(warnings, "control-characters", path, "control characters replaced by U+FFFD");
    return value.replace(new RegExp(controlCharacters.source, "g"), "\uFFFD");
  }
  return value;
}

// C0 controls, DEL and C1 controls (ECMA-48: ESC, CSI…).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/** RFC 8460 §4.4 session counts: non-negative integers; "12" is read with a warning. */
export function readCount(value: Json | undefined, path: string, warnings: Warning[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  let n: number;
  if (typeof value === "string" && /^\s*\d{1,15}\s*$/.test(value)) {
    warn(warnings, "number-as-string", path, `"${value}" read as a number`);
    n = Number(value);
  } else if (typeof value === "number") n = value;
  else throw new Refusal("bad_count", `${path}: ${JSON.stringify(value).slice(0, 40)} is not a count`);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Refusal("bad_count", `${path}: ${n} is not a non-negative integer`);
  return n;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-12-01T00:00:00Z`: the one spelling the normalised report uses (whole seconds, UTC). */
export const utcText = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * RFC 8460 §4.4 `start-datetime`/`end-datetime`: RFC 3339 date-times (any offset, converted to UTC).
 * Deviations read: no zone (as UTC, the Microsoft case), a date alone, epoch seconds or milliseconds.
 */
export function readDate(value: Json | undefined, path: string, warnings: Warning[]): string {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
    const ms = value < 1e11 ? value * 1000 : value;
    if (ms > 8.64e15) throw new Refusal("bad_date", `${path}: ${value} is not a date`);
    warn(warnings, "date-as-number", path, `${value} read as epoch ${value < 1e11 ? "seconds" : "ms"}`);
    return utcText(Math.floor(ms / 1000) * 1000);
  }
  if (typeof value !== "string")
    throw new Refusal("bad_date", `${path}: ${JSON.stringify(value ?? null).slice(0, 40)} is not a date`);
  const text = value.trim();
  const full = rfc3339.exec(text);
  const day = full ? null : dateOnly.exec(text);
  if (!full && !day) throw new Refusal("bad_date", `${path}: "${text.slice(0, 40)}" is not a date-time`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", , zone] = full ?? day ?? [];
  if (!zone) warn(warnings, "date-without-zone", path, `"${text}" has no time zone: read as UTC`);
  const offset =
    !zone || /^z$/i.test(zone)
      ? 0
      : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offset;
  // Date.UTC rolls 2024-02-31 over to March: a date that does not exist is refused.
  const check = new Date(ms + offset);
  if (
    !Number.isFinite(ms) ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 60
  )
    throw new Refusal("bad_date", `${path}: "${text}" is not a valid date-time`);
  return utcText(ms);
}

/**
 * A list of strings (RFC 8460 §4.4 `policy-string`, `mx-host`): a single string is one entry (split
 * into lines for a policy-string), warned with `code`; non-string entries are read as text.
 */
export function readStringList(
  value: Json | undefined,
  path: string,
  warnings: Warning[],
  code: WarningCode,
  splitLines: boolean,
): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    warn(warnings, code, path, "one string read as a list");
    return splitLines
      ? value
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line !== "")
      : [value.trim()].filter((v) => v !== "");
  }
  if (!Array.isArray(value)) throw new Refusal("bad_policy", `${path}: not a list of strings`);
  return value.map((entry, i) => readText(entry, `${path}[${i}]`, warnings) ?? "");
}
