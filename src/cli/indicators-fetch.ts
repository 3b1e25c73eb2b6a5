/**
 * `mailcharter indicators fetch --imap imaps://user@host/INBOX --password-file F [--db …] [--json]`:
 * TLS-RPT report mails read from a mailbox (src/indicators/tlsrpt/imap-mailbox.ts). Each mail becomes
 * one entry of `mailcharter/indicators-import/1` (its `file` is the mail's IMAP URL with its UID); the
 * mails are moved to `--processed` or, when refused, to `--set-aside` with the reason as a keyword.
 * Exit 0 when every mail was stored (or already was), 1 when one was set aside, 2 on a usage error or
 * a mailbox that cannot be reached.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { errorMessage, UsageError } from "../core/errors.js";
import type { ImportDocument } from "../indicators/tlsrpt/import-document.js";
import type { CommandIo } from "./command.js";

export interface FetchCommandOptions {
  readonly imap: string;
  readonly passwordFile: string;
  readonly caFile?: string;
  readonly processed: string;
  readonly setAside: string;
  readonly db?: string;
  readonly json?: boolean;
  /** DNS server for the DKIM keys of the report mails (default: the system's). */
  readonly resolver?: string;
}

const readOption = (file: string, option: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${errorMessage(error)}`);
  }
};

export async function indicatorsFetch(options: FetchCommandOptions, io: CommandIo): Promise<number> {
  // imapflow and mailparser (and what they pull in) are loaded only by this command, not by every
  // `indicators` one: `ingest-log` starts in a fraction of the time without them.
  const [{ fetchMailbox, parseMailboxUrl }, { importEntry }, { TlsRptStore }, { openStore }] =
    await Promise.all([
      import("../indicators/tlsrpt/imap-mailbox.js"),
      import("../indicators/tlsrpt/import-document.js"),
      import("../indicators/tlsrpt/report-store.js"),
      import("../store/database.js"),
    ]);
  const location = parseMailboxUrl(options.imap);
  const password = readOption(options.passwordFile, "--password-file").replace(/\r?\n$/, "");
  if (!password) throw new UsageError(`--password-file ${options.passwordFile}: empty`);
  const ca = options.caFile ? readOption(options.caFile, "--ca-file") : undefined;
  const [{ systemResolver }, { parseResolver }] = await Promise.all([
    import("../net/resolver.js"),
    import("./options.js"),
  ]);
  const resolver = systemResolver(parseResolver(options.resolver));
  const store = await openStore(options.db, { create: true });
  const document: ImportDocument = { schema: "mailcharter/indicators-import/1", results: [] };
  let left = 0;
  try {
    const reports = await TlsRptStore.open(store);
    const outcome = await fetchMailbox(reports, {
      location,
      password,
      ...(ca ? { ca } : {}),
      processedFolder: options.processed,
      rejectedFolder: options.setAside,
      now: () => new Date(),
      resolver,
    });
    left = outcome.left;
    for (const mail of outcome.mails) {
      const entry = importEntry(mail.url, mail.result);
      document.results.push(entry);
      if (!options.json) {
        const what =
          entry.status === "rejected"
            ? `set aside (${entry.error?.code}): ${entry.error?.message}`
            : `${entry.status} — ${entry.organization} ${entry.reportId}: ${entry.successful} successful, ${entry.failed} failed session(s)`;
        io.out.write(
          `${entry.file}: ${what}${mail.movedTo ? ` → ${mail.movedTo}` : " (not moved: seen again next run)"}\n`,
        );
      }
    }
  } finally {
    await store.close();
  }
  if (options.json) io.out.write(`${JSON.stringify(document, null, 2)}\n`);
  else if (document.results.length === 0) io.out.write(`${location.mailbox}: no mail\n`);
  if (left > 0) io.err.write(`mailcharter: indicators fetch: ${left} mail(s) left for the next run\n`);
  return document.results.some((r) => r.status === "rejected") ? 1 : 0;
}

export function registerIndicatorsFetch(indicators: Command, io: CommandIo): void {
  indicators
    .command("fetch")
    .description("Store TLS-RPT report mails (RFC 8460 §5.3.1) read from an IMAP mailbox, then move them")
    .requiredOption("--imap <url>", "the mailbox: imaps://user@host[:port]/INBOX (imap:// requires STARTTLS)")
    .requiredOption("--password-file <file>", "file holding the mailbox password")
    .option("--ca-file <file>", "extra CA certificates (PEM) to trust for the mailbox server")
    .option("--processed <folder>", "where stored mails go", "TLSRPT-processed")
    .option(
      "--set-aside <folder>",
      "where refused mails go, with their reason as a keyword",
      "TLSRPT-set-aside",
    )
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--resolver <ip[:port]>", "DNS server for the DKIM keys of report mails (default: the system's)")
    .option("--json", "print mailcharter/indicators-import/1, one entry per mail")
    .action(async (options: FetchCommandOptions) => {
      io.setExit(await indicatorsFetch(options, io));
    });
}
