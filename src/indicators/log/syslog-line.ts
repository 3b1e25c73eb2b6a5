/**
 * The syslog frame around a Postfix (or Exim-through-syslog) message: `STAMP HOST PROGRAM[PID]: TEXT`
 * (RFC 3164 §4.1 as written by rsyslog, syslog-ng, journald's forwarders and Postfix's postlogd).
 * PROGRAM is `postfix/smtp` or, for a second instance, `postfix-out/smtp` (Postfix MULTI_INSTANCE_
 * README: syslog_name); deeper names (`postfix/submission/smtpd`) keep the last part as the service.
 */
import { rfc3339Time, syslogTime, type YearInference } from "./timestamp.js";

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

// Classic: "Dec  1 23:16:06[.frac] host program[pid]: text", the month maybe in the machine's locale
// ("déc. 02 …" from journalctl on a French server: src/indicators/log/timestamp.ts). A line read off
// the wire may keep its RFC 3164 §4.1.1 priority ("<22>Dec  1 …"): it is skipped.
const classic =
  /^(?:<\d{1,3}>)?([^\s\d]{3,6}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;
// RFC 3339: "2026-12-01T23:16:06.123456+01:00 host program[pid]: text" (or a space for the "T",
// as RFC 3339 §5.6 allows and some collectors write).
const modern =
  /^(?:<\d{1,3}>)?(\d{4}-\d\d-\d\d(?:T\S+| \d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: (.*)$/;

/**
 * journalctl's own lines between the entries — `-- Logs begin at … --` / `-- Journal begins at … --`
 * (systemd < 250 / ≥ 250), `-- Reboot --`, `-- Boot 3f2a… --`, `-- No entries --`: not log lines of
 * the MTA, so not "not understood" either (`journalctl -u postfix | … ingest-log -` has them).
 */
export const isJournalMarker = (line: string): boolean => /^-- .+ --$/.test(line.trimEnd());

function program(name: string): { instance: string; service: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { instance: name, service: name };
  return { instance: name.slice(0, slash), service: name.slice(name.lastIndexOf("/") + 1) };
}

export function parseSyslogLine(line: string, years: YearInference): SyslogLine | null {
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
