/**
 * `mailcharter tlsrpt generate --org NAME --date DATE [--db …] [--out DIR] [--json]`: TLS-RPT out.
 * From the organisation's own MTA logs (ingested with `indicators ingest-log --org NAME`), one RFC 8460
 * report per recipient policy domain for the UTC day DATE (src/indicators/tlsrpt/generate.ts), each
 * gzip-compressed under its RFC 8460 §5.3 file name, written to DIR with --out, and queued in the
 * outbox (src/notify) for each `rua` of the domain's TLSRPT record (RFC 8460 §3): `mailto:` as a report
 * mail signed with DKIM (`--dkim-selector`, the organisation's first domain as `d=`), `https:` as a
 * POST. A report is queued once per destination whatever the number of runs (the report-id is stable
 * for the day and domain, and is the outbox's de-duplication key). `--no-send` only writes the files.
 * The policies' strings (MTA-STS lines, TLSA records) are looked up at generation time
 * (generate-policies.ts); `--applies dane,sts` types the sessions the log does not type.
 */
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { trustStore } from "../audit/tls/trust-store.js";
import { UsageError } from "../core/errors.js";
import { limits } from "../core/limits.js";
import { type Applied, livePolicySource } from "../indicators/tlsrpt/generate-policies.js";
import { generateOutgoing } from "../indicators/tlsrpt/outgoing.js";
import { TlsRptStore } from "../indicators/tlsrpt/report-store.js";
import { liveNetwork } from "../net/network.js";
import { systemResolver } from "../net/resolver.js";
import { Registry } from "../registry/repository.js";
import { openStore } from "../store/database.js";
import type { CommandIo } from "./command.js";
import { collect } from "./command.js";
import { parseResolver, parseTimeout } from "./options.js";

export interface GenerateOptions {
  readonly org: string;
  readonly date: string;
  readonly db?: string;
  readonly out?: string;
  readonly send: boolean;
  readonly resolver?: string;
  readonly dkimSelector: string;
  readonly json?: boolean;
  readonly applies?: string;
  readonly caFile?: string[];
  readonly allowPrivate?: boolean;
  readonly timeout?: string;
}

/** `--applies dane,sts`: the policies the organisation's MTA applies where its log does not say. */
export function parseApplies(text: string | undefined): Applied {
  const names = (text ?? "")
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
  const unknown = names.filter((n) => n !== "dane" && n !== "sts");
  if (unknown.length > 0)
    throw new UsageError(`--applies: "${unknown.join(",")}" is not dane or sts (e.g. --applies dane,sts)`);
  return { dane: names.includes("dane"), sts: names.includes("sts") };
}

export async function tlsrptGenerate(options: GenerateOptions, io: CommandIo): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date) || Number.isNaN(Date.parse(`${options.date}T00:00:00Z`)))
    throw new UsageError(`--date ${options.date}: not a date (YYYY-MM-DD, a UTC day)`);
  if (options.out !== undefined && !(existsSync(options.out) && statSync(options.out).isDirectory()))
    throw new UsageError(`--out ${options.out}: not a directory`);
  const applied = parseApplies(options.applies);
  const stepTimeoutMs = parseTimeout(options.timeout, limits.stepTimeoutMs);
  const resolver = systemResolver(parseResolver(options.resolver));
  const source = livePolicySource(liveNetwork({ resolver, allowPrivate: options.allowPrivate === true }), {
    stepTimeoutMs,
    trustStore: trustStore({ caFiles: options.caFile ?? [] }),
  });
  const store = await openStore(options.db, { create: false });
  try {
    await TlsRptStore.open(store); // migrations: the log and outbox tables exist
    const entry = (await (await Registry.open(store)).entries()).find(
      (e) => e.signatory.name === options.org,
    );
    if (!entry)
      throw new UsageError(`--org ${options.org}: no such organisation in the registry (registry list)`);
    const { document } = await generateOutgoing(store, {
      entry,
      day: options.date,
      send: options.send,
      resolver,
      dkimSelector: options.dkimSelector,
      policies: { source, applied },
      ...(options.out !== undefined ? { out: options.out } : {}),
    });
    if (options.json) io.out.write(`${JSON.stringify(document, null, 2)}\n`);
    else {
      for (const r of document.reports)
        io.out.write(
          `${r.policyDomain}: ${r.successful} successful, ${r.failed} failed session(s) → ${r.path ?? r.file}${
            options.send
              ? r.ruaError
                ? ` (not sent: ${r.ruaError})`
                : ` → ${r.enqueued.map((e) => `${e.destination} ${e.status}`).join(", ")}`
              : ""
          }\n`,
        );
    }
    if (!options.json)
      for (const w of document.warnings) io.err.write(`mailcharter: tlsrpt generate: ${w}\n`);
    if (document.sessions === 0)
      io.err.write(
        `mailcharter: tlsrpt generate: no outbound session of ${options.org} on ${options.date} (indicators ingest-log --org)\n`,
      );
    return document.reports.some((r) => r.enqueued.some((e) => e.status === "error")) ? 2 : 0;
  } finally {
    await store.close();
  }
}

/** The command module's entry (run.ts). */
export function register(program: Command, io: CommandIo): void {
  const tlsrpt = program
    .command("tlsrpt")
    .description("SMTP TLS Reporting (RFC 8460) sent to the other domains");
  tlsrpt
    .command("generate")
    .description(
      "Build the day's RFC 8460 reports from the organisation's MTA logs, one per recipient policy domain, and queue them to each rua",
    )
    .requiredOption("--org <name>", "the organisation whose logs were ingested (indicators ingest-log --org)")
    .requiredOption("--date <YYYY-MM-DD>", "the UTC day reported")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--out <dir>", "also write each report there, gzip-compressed, under its RFC 8460 §5.3 name")
    .option("--no-send", "do not look up rua nor queue the reports (only --out)")
    .option(
      "--resolver <ip[:port]>",
      "DNS resolver for the TLSRPT and TLSA records (default: the system's; its AD bit is trusted for DANE)",
    )
    .option(
      "--applies <dane,sts>",
      "policies the organisation's MTA applies where its log does not say (Postfix before 3.11, Exim): sessions are typed from what the recipient domain publishes",
    )
    .option("--ca-file <path>", "extra trusted roots (PEM) for the MTA-STS policy fetch; repeatable", collect)
    .option("--allow-private", "permit loopback, private and reserved addresses for the policy fetch")
    .option("--timeout <ms>", "timeout of each DNS and HTTPS step in milliseconds", "10000")
    .option(
      "--dkim-selector <selector>",
      "DKIM selector of report mails (d= is the organisation's first domain)",
      "mailcharter",
    )
    .option("--json", "print mailcharter/tlsrpt-generate/1 (schema/tlsrpt-generate.schema.json)")
    .action(async (options: GenerateOptions) => {
      io.setExit(await tlsrptGenerate(options, io));
    });
}
