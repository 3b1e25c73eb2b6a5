/**
 * `mailcharter indicators import FILE... [--db …] [--json]`: TLS-RPT reports from files (`.json`,
 * `.json.gz`, `.gz`, `.eml`; the bytes decide, not the name), each accepted, duplicate or rejected with
 * its reason; one entry per file in order. Exit 0 when every file was stored (or already was), 1 when
 * one was refused, 2 on a usage error.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { errorMessage } from "../core/errors.js";
import { tlsrptLimits } from "../core/limits.js";
import type { ImportDocument } from "../indicators/tlsrpt/import-document.js";
import type { CommandIo } from "./command.js";

export interface ImportOptions {
  readonly db?: string;
  readonly json?: boolean;
  /** DNS server for the DKIM keys of `.eml` reports (default: the system's). */
  readonly resolver?: string;
}

/** The largest input any door takes (a report once inflated); a bigger file is refused unread. */
const maxFileBytes = Math.max(tlsrptLimits.maxReportBytes, tlsrptLimits.maxMailBytes);

function readBounded(file: string): Buffer | { error: string; code: "unreadable" | "too_large" } {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return { code: "unreadable", error: `${file}: not a regular file` };
    if (stat.size > maxFileBytes)
      return { code: "too_large", error: `${file}: ${stat.size} bytes, over the ${maxFileBytes} cap` };
    const fd = openSync(file, "r");
    try {
      const buffer = Buffer.alloc(stat.size);
      let read = 0;
      while (read < stat.size) {
        const n = readSync(fd, buffer, read, stat.size - read, read);
        if (n === 0) break;
        read += n;
      }
      return buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { code: "unreadable", error: `${file}: ${errorMessage(error)}` };
  }
}

export async function indicatorsImport(
  files: readonly string[],
  options: ImportOptions,
  io: CommandIo,
): Promise<number> {
  const [{ systemResolver }, { parseResolver }] = await Promise.all([
    import("../net/resolver.js"),
    import("./options.js"),
  ]);
  const resolver = systemResolver(parseResolver(options.resolver));
  // mailparser (for .eml files) is loaded by this command only (see indicators-fetch.ts).
  const [{ ingestReport, rejectedResult }, { importEntry }, { TlsRptStore }, { openStore }] =
    await Promise.all([
      import("../indicators/tlsrpt/ingest.js"),
      import("../indicators/tlsrpt/import-document.js"),
      import("../indicators/tlsrpt/report-store.js"),
      import("../store/database.js"),
    ]);
  const store = await openStore(options.db, { create: true });
  const document: ImportDocument = { schema: "mailcharter/indicators-import/1", results: [] };
  try {
    const reports = await TlsRptStore.open(store);
    for (const file of files) {
      const bytes = readBounded(file);
      const result = Buffer.isBuffer(bytes)
        ? await ingestReport(reports, {
            bytes,
            ...(/\.eml$/i.test(file) ? { kind: "mail" as const } : {}),
            door: "file",
            source: basename(file),
            now: () => new Date(),
            resolver,
          })
        : rejectedResult(bytes.code, bytes.error);
      const entry = importEntry(file, result);
      document.results.push(entry);
      if (!options.json) io.out.write(renderLine(entry));
    }
  } finally {
    await store.close();
  }
  if (options.json) io.out.write(`${JSON.stringify(document, null, 2)}\n`);
  return document.results.some((r) => r.status === "rejected") ? 1 : 0;
}

function renderLine(entry: ImportDocument["results"][number]): string {
  if (entry.status === "rejected")
    return `${entry.file}: rejected (${entry.error?.code}): ${entry.error?.message}\n`;
  const warned =
    entry.warnings.length > 0
      ? `, ${entry.warnings.length} warning(s): ${[...new Set(entry.warnings.map((w) => w.code))].join(", ")}`
      : "";
  return `${entry.file}: ${entry.status} — ${entry.organization} ${entry.reportId}: ${entry.policies} polic${entry.policies === 1 ? "y" : "ies"}, ${entry.successful} successful, ${entry.failed} failed session(s)${warned}\n`;
}

export function registerIndicatorsImport(indicators: Command, io: CommandIo): void {
  indicators
    .command("import")
    .description("Store TLS-RPT reports (RFC 8460) from files: .json, .json.gz, .gz or .eml")
    .argument("<file...>", "report files")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--resolver <ip[:port]>", "DNS server for the DKIM keys of report mails (default: the system's)")
    .option("--json", "print mailcharter/indicators-import/1 (schema/indicators-import.schema.json)")
    .action(async (files: string[], options: ImportOptions) => {
      io.setExit(await indicatorsImport(files, options, io));
    });
}
