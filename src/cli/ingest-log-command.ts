/**
 * `mailcharter indicators ingest-log --format postfix|exim FILE...|- [--org NAME] [--db …] [--json]
 * [--follow] [--no-store]`: MTA logs → TLS sessions and deliveries (src/indicators/log), stored with
 * the per-link figures; prints the summary (schema/indicators-log.schema.json with `--json`).
 */
import type { Command } from "commander";
import { MailcharterError } from "../core/errors.js";
import type { PartyDirectory } from "../indicators/links/parties.js";
import { ingestFile, ingestStream } from "../indicators/log/ingest.js";
import type { LogStore } from "../indicators/log/log-store.js";
import { summariseFile } from "../indicators/log/parallel-summary.js";
import { type LogFormat, logFormats } from "../indicators/log/parser.js";
import { emptySummary, type LogSummary, mergeSummary } from "../indicators/log/summary.js";
import type { CommandIo } from "./command.js";
import { dbOption } from "./db-option.js";

export interface IngestLogOptions {
  readonly format?: string;
  readonly org?: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly follow?: boolean;
  readonly store?: boolean;
  readonly threads?: string;
}

function parseThreads(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text !== "1" && text !== "2") throw new MailcharterError("usage", `--threads: "${text}" is not 1 or 2`);
  return Number(text);
}

export function parseFormat(text: string | undefined): LogFormat {
  if (text === undefined) throw new MailcharterError("usage", "--format is required: postfix or exim");
  if (!(logFormats as readonly string[]).includes(text))
    throw new MailcharterError("usage", `--format: "${text}" is not postfix or exim`);
  return text as LogFormat;
}

export async function ingestLog(
  files: readonly string[],
  options: IngestLogOptions,
  io: CommandIo,
): Promise<number> {
  const format = parseFormat(options.format);
  if (files.length === 0)
    throw new MailcharterError("usage", "ingest-log: name at least one FILE, or - for stdin");
  if (files.filter((f) => f === "-").length > 1)
    throw new MailcharterError("usage", "ingest-log: - (stdin) can be given once");
  if (options.follow && (files.length !== 1 || files[0] === "-"))
    throw new MailcharterError("usage", "--follow reads exactly one FILE (not -)");
  const storing = options.store !== false;
  if (!storing && options.org !== undefined)
    throw new MailcharterError(
      "usage",
      "--org names whose sessions to store: it needs the store (drop --no-store)",
    );
  const threads = parseThreads(options.threads);
  if (threads !== undefined && storing)
    throw new MailcharterError("usage", "--threads is for a summary only: it needs --no-store");
  const summary = emptySummary();
  // The store's modules (Kysely, the registry) are loaded only when storing: a summary starts without them.
  const store = storing
    ? await (await import("../store/database.js")).openStore(options.db, { create: true })
    : null;
  const controller = new AbortController();
  const stop = () => controller.abort();
  try {
    let organisationId: number | null = null;
    let directory: PartyDirectory | null = null;
    let logStore: LogStore | null = null;
    if (store) {
      const [{ Registry }, { partyDirectory }, { LogStore }] = await Promise.all([
        import("../registry/repository.js"),
        import("../indicators/links/directory.js"),
        import("../indicators/log/log-store.js"),
      ]);
      const registry = await Registry.open(store);
      if (options.org !== undefined) {
        const id = await registry.organisationId(options.org);
        if (id === undefined)
          throw new MailcharterError("usage", `--org: no organisation "${options.org}" in the registry`);
        organisationId = id;
        directory = partyDirectory(await registry.entries());
      }
      logStore = await LogStore.open(store);
    }
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const base = {
      format,
      organisationId,
      directory,
      store: logStore,
      ...(options.follow ? { follow: { signal: controller.signal } } : {}),
    };
    for (const file of files) {
      const one: LogSummary =
        file === "-"
          ? await ingestStream(process.stdin, base)
          : !storing && !options.follow
            ? await summariseFile(file, format, threads)
            : await ingestFile(file, base);
      mergeSummary(summary, one);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await store?.close();
  }
  io.out.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
  const warning = formatWarning(format, summary) ?? loggingWarning(format, summary);
  if (warning) io.err.write(`warning: ${warning}\n`);
  return 0;
}

/**
 * Lines read and not one SMTP delivery or session in them: most often the other MTA's log given the
 * wrong `--format` (Exim's main log read as Postfix is all "not understood"; a Postfix log read as
 * Exim is all skipped), or a file of another program. Said on stderr rather than a silent row of zeros.
 */
export function formatWarning(format: LogFormat, s: LogSummary): string | null {
  const sessions = (c: LogSummary["tls"]["outbound"]) =>
    c.verified + c.trusted + c.untrusted + c.anonymous + c.none;
  const records = s.deliveries.sent + s.deliveries.deferred + s.deliveries.bounced + sessions(s.tls.inbound);
  if (s.lines === 0 || records > 0) return null;
  const other = format === "postfix" ? "exim" : "postfix";
  return `${s.lines} line(s) read and not one ${format === "postfix" ? "Postfix" : "Exim"} SMTP delivery or session in them: if ${other === "exim" ? "Exim" : "Postfix"} wrote this log, use --format ${other} (docs/mta-logs.md says which lines are read)`;
}

/**
 * SMTP records were read but not one TLS line: the MTA most likely does not log its TLS (Postfix
 * `smtp_tls_loglevel = 0` / `smtpd_tls_loglevel = 0`, Exim without `+tls_cipher`), and every
 * session was counted in clear. Said on stderr, never silently.
 */
export function loggingWarning(format: LogFormat, s: LogSummary): string | null {
  const encrypted = (c: LogSummary["tls"]["outbound"]) => c.verified + c.trusted + c.untrusted + c.anonymous;
  const records = s.deliveries.sent + s.deliveries.deferred + s.deliveries.bounced + s.tls.inbound.none;
  if (records === 0 || encrypted(s.tls.outbound) + encrypted(s.tls.inbound) > 0) return null;
  const settings =
    format === "postfix"
      ? "smtp_tls_loglevel and smtpd_tls_loglevel must be 1 or more (postconf)"
      : "log_selector must keep +tls_cipher and +tls_certificate_verified";
  return `${records} SMTP record(s) and not one TLS line: if the MTA does not log its TLS, they are counted in clear — ${settings}`;
}

export function renderSummary(s: LogSummary): string {
  const classes = (c: LogSummary["tls"]["outbound"]) =>
    `verified ${c.verified}, trusted ${c.trusted}, untrusted ${c.untrusted}, anonymous ${c.anonymous}, none ${c.none}`;
  return [
    `${s.lines} line(s) read, ${s.unparsed} not understood`,
    `outbound deliveries: sent ${s.deliveries.sent}, deferred ${s.deliveries.deferred}, bounced ${s.deliveries.bounced}`,
    `  TLS of those sent: ${classes(s.tls.outbound)}`,
    `inbound SMTP sessions: ${classes(s.tls.inbound)}`,
    "",
  ].join("\n");
}

export function registerIngestLog(indicators: Command, io: CommandIo): void {
  dbOption(
    indicators
      .command("ingest-log")
      .description("Read Postfix or Exim logs into TLS sessions and deliveries (files, or - for stdin)")
      .argument("[files...]", "log files, or - for stdin")
      .option("--format <postfix|exim>", "the MTA that wrote the log")
      .option("--org <name>", "the organisation whose MTA wrote it (its sessions feed the per-link figures)")
      .option("--json", "print the summary as JSON (schema mailcharter/indicators-log/1)")
      .option("--follow", "keep reading the file as it grows, across rotation, until Ctrl-C")
      .option("--no-store", "summarise only: store no session and no cursor")
      .option(
        "--threads <n>",
        "with --no-store, a Postfix log file: 1 (one thread), or 2 (the default with two cores or more: one thread reads the file, two more join the outbound and the inbound sessions)",
      ),
  ).action(async (files: string[], options: IngestLogOptions) => {
    io.setExit(await ingestLog(files, options, io));
  });
}
