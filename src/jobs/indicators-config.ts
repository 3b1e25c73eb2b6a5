/**
 * The indicators' schedule configuration: a JSON file, `indicators.json` in the service's data
 * directory (or `--indicators-config FILE`), in the style of notify.json (src/notify/config.ts): a
 * zod schema, secrets never in it but in files it names (read and checked when it is loaded: mode 600,
 * kept out of logs), relative file names read from the file's directory. A missing file means no
 * scheduled indicator work.
 *
 * ```json
 * {
 *   "fetchEverySeconds": 300,
 *   "mailboxes": [
 *     { "name": "tlsrpt", "url": "imaps://tlsrpt%40agency.example.org@imap.example.org/INBOX",
 *       "passwordFile": "imap-password", "caFile": "imap-ca.pem",
 *       "processed": "TLSRPT-processed", "setAside": "TLSRPT-set-aside" }
 *   ],
 *   "generate": {
 *     "afterMinutes": 60, "catchUpDays": 7, "checkEverySeconds": 600, "dkimSelector": "mailcharter",
 *     "organisations": [ { "name": "Alpha", "dkimSelector": "mc1" } ]
 *   }
 * }
 * ```
 * - `mailboxes`: TLS-RPT report mailboxes (RFC 8460 §5.3.1) read every `fetchEverySeconds` (or the
 *   mailbox's own `everySeconds`), as `indicators fetch` reads them.
 * - `generate`: once per UTC day, `afterMinutes` past midnight (so the last lines of the day's logs are
 *   in), each organisation's TLS-RPT for the previous day is built from its ingested MTA logs and
 *   queued to each `rua` (`tlsrpt generate`); days missed (the service was down) are caught up within
 *   `catchUpDays`. `organisations` names who sends reports (the DKIM selector of each, `d=` being its
 *   first domain; the keys are in notify.json's email.dkim); absent, every signatory with ingested logs
 *   does, with `dkimSelector`. Without a `generate` section no report is generated.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { MailcharterError } from "../core/errors.js";
import { type MailboxLocation, parseMailboxUrl } from "../indicators/tlsrpt/imap-mailbox.js";
import { readSecretFile, Secret } from "../notify/config.js";

export const indicatorsConfigName = "indicators.json";

const fileName = z.string().min(1);
/** From 5 s (a lab) to a day. */
const seconds = z.number().int().min(5).max(86_400);

const mailboxSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, dot, dash or underscore (1–64)"),
  url: z.string().min(1),
  passwordFile: fileName,
  caFile: fileName.optional(),
  processed: z.string().min(1).default("TLSRPT-processed"),
  setAside: z.string().min(1).default("TLSRPT-set-aside"),
  everySeconds: seconds.optional(),
});

const organisationSchema = z.strictObject({
  name: z.string().min(1),
  dkimSelector: z.string().min(1).optional(),
});

export const indicatorsConfigSchema = z.strictObject({
  fetchEverySeconds: seconds.default(300),
  mailboxes: z.array(mailboxSchema).default([]),
  generate: z
    .strictObject({
      afterMinutes: z.number().int().min(0).max(1_380).default(60),
      catchUpDays: z.number().int().min(1).max(31).default(7),
      checkEverySeconds: seconds.default(600),
      dkimSelector: z.string().min(1).default("mailcharter"),
      organisations: z.array(organisationSchema).min(1).optional(),
    })
    .optional(),
});

export interface MailboxConfig {
  readonly name: string;
  readonly location: MailboxLocation;
  readonly password: Secret;
  readonly ca: string | null;
  readonly processed: string;
  readonly setAside: string;
  readonly everyMs: number;
}

export interface GenerateConfig {
  readonly afterMs: number;
  readonly catchUpDays: number;
  readonly checkEveryMs: number;
  readonly dkimSelector: string;
  /** null: every signatory with ingested logs. */
  readonly organisations: readonly { readonly name: string; readonly dkimSelector: string }[] | null;
}

export interface IndicatorsConfig {
  readonly source: string | null;
  readonly mailboxes: readonly MailboxConfig[];
  readonly generate: GenerateConfig | null;
}

export const emptyIndicatorsConfig: IndicatorsConfig = { source: null, mailboxes: [], generate: null };

/** Parses and loads a configuration document; `source` names it in errors, `base` resolves file names. */
export function loadIndicatorsConfig(text: string, source: string, base: string): IndicatorsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MailcharterError("config", `${source}: not JSON (${(error as Error).message})`);
  }
  const parsed = indicatorsConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new MailcharterError(
      "config",
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
    );
  const c = parsed.data;
  const at = (file: string) => (isAbsolute(file) ? file : join(base, file));
  const names = new Set<string>();
  const mailboxes = c.mailboxes.map((m, i) => {
    if (names.has(m.name))
      throw new MailcharterError("config", `${source}: mailboxes.${i}.name: ${m.name} is named twice`);
    names.add(m.name);
    let location: MailboxLocation;
    try {
      location = parseMailboxUrl(m.url);
    } catch (error) {
      throw new MailcharterError(
        "config",
        `${source}: mailboxes.${i}.url: ${(error as Error).message.replace(/^--imap /, "")}`,
      );
    }
    const password = new Secret(
      trimEnd(readSecretFile(at(m.passwordFile), `password of mailbox ${m.name}`, source)),
    );
    if (password.reveal().length === 0)
      throw new MailcharterError("config", `${source}: the password file of mailbox ${m.name} is empty`);
    let ca: string | null = null;
    if (m.caFile) {
      try {
        ca = readFileSync(at(m.caFile), "utf8");
      } catch (error) {
        throw new MailcharterError(
          "config",
          `${source}: mailboxes.${i}.caFile ${at(m.caFile)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      if (!ca.includes("-----BEGIN CERTIFICATE-----"))
        throw new MailcharterError(
          "config",
          `${source}: mailboxes.${i}.caFile ${at(m.caFile)} holds no PEM certificate`,
        );
    }
    if (m.processed === location.mailbox || m.setAside === location.mailbox || m.processed === m.setAside)
      throw new MailcharterError(
        "config",
        `${source}: mailbox ${m.name}: the mailbox, its processed folder and its set-aside folder must differ`,
      );
    return {
      name: m.name,
      location,
      password,
      ca,
      processed: m.processed,
      setAside: m.setAside,
      everyMs: (m.everySeconds ?? c.fetchEverySeconds) * 1000,
    };
  });
  const g = c.generate;
  const generate: GenerateConfig | null = g
    ? {
        afterMs: g.afterMinutes * 60_000,
        catchUpDays: g.catchUpDays,
        checkEveryMs: g.checkEverySeconds * 1000,
        dkimSelector: g.dkimSelector,
        organisations:
          g.organisations?.map((o) => ({ name: o.name, dkimSelector: o.dkimSelector ?? g.dkimSelector })) ??
          null,
      }
    : null;
  return { source, mailboxes, generate };
}

const trimEnd = (bytes: Buffer) => {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  return bytes.subarray(0, end);
};

/** Reads the configuration file; a file that does not exist is the empty configuration. */
export function readIndicatorsConfig(path: string, required = false): IndicatorsConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return emptyIndicatorsConfig;
    throw new MailcharterError(
      "config",
      `indicators configuration ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return loadIndicatorsConfig(text, path, dirname(path));
}
