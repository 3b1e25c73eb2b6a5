/**
 * `mailcharter indicators links [--from DATE] [--to DATE] [--db …] [--json|--csv]`: the per-link daily
 * figures (src/indicators/links) of every pair, from the MTA logs ingested and the TLS-RPT reports
 * received. The command line reads the whole store (it is the agency's door); the service scopes an
 * operator to the links where its organisation is a party. Without dates, the last 30 days up to
 * today (UTC), as `GET /api/v1/links` and the `/indicators` page.
 */
import type { Command } from "commander";
import { MailcharterError } from "../core/errors.js";
import type { LinksDocument } from "../indicators/links/links-document.js";
import type { CommandIo } from "./command.js";
import { dbOption } from "./db-option.js";

export interface LinksOptions {
  readonly from?: string;
  readonly to?: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

const dayMs = 86_400_000;

export async function links(options: LinksOptions, io: CommandIo, now = new Date()): Promise<number> {
  // Loaded by this command only: every `indicators` command starts without the store's modules.
  const [
    { dateOption },
    { partyDirectory },
    { linkFigures },
    { linksCsv, linksDocument },
    { Registry },
    { openStore },
  ] = await Promise.all([
    import("./registry-command.js"),
    import("../indicators/links/directory.js"),
    import("../indicators/links/link-figures.js"),
    import("../indicators/links/links-document.js"),
    import("../registry/repository.js"),
    import("../store/database.js"),
  ]);
  const to = options.to === undefined ? now.toISOString().slice(0, 10) : dateOption(options.to, "--to");
  const from =
    options.from === undefined
      ? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * dayMs).toISOString().slice(0, 10)
      : dateOption(options.from, "--from");
  if (from > to) throw new MailcharterError("usage", `--from ${from} is after --to ${to}`);
  if (options.json && options.csv) throw new MailcharterError("usage", "--json and --csv: choose one");
  const store = await openStore(options.db, { create: false });
  let doc: LinksDocument;
  try {
    const directory = partyDirectory(await (await Registry.open(store)).entries());
    doc = linksDocument(from, to, await linkFigures(store, directory, { from, to }));
  } finally {
    await store.close();
  }
  io.out.write(
    options.json ? `${JSON.stringify(doc, null, 2)}\n` : options.csv ? linksCsv(doc) : renderLinks(doc),
  );
  return 0;
}

function renderLinks(doc: LinksDocument): string {
  if (doc.links.length === 0)
    return `No link figures from ${doc.from} to ${doc.to} (indicators ingest-log, indicators import).\n`;
  const lines = doc.links.map((l) => {
    const share = l.verifiedShare === null ? "—" : `${Math.round(l.verifiedShare * 100)} %`;
    const failures = Object.entries(l.failures)
      .map(([t, n]) => `${t} ${n}`)
      .join(", ");
    const undecided = l.noTlsDecision > 0 ? `; ${l.noTlsDecision} deferred before TLS` : "";
    return `${l.day}  ${l.sender.name} → ${l.receiver.name}  [${l.source}]  ${l.sessions} session(s), verified ${share}${failures ? `; failures: ${failures}` : ""}${undecided}`;
  });
  return `${lines.join("\n")}\n`;
}

export function registerLinks(indicators: Command, io: CommandIo): void {
  dbOption(
    indicators
      .command("links")
      .description(
        "Per-link daily figures: sessions by TLS class, failures by RFC 8460 type, versions, suites",
      )
      .option("--from <date>", "first day, YYYY-MM-DD (UTC) (default: 29 days before --to)")
      .option("--to <date>", "last day, YYYY-MM-DD (UTC) (default: today)")
      .option("--json", "print mailcharter/indicators-links/1")
      .option("--csv", "print CSV (one line per day, link and source)"),
  ).action(async (options: LinksOptions) => {
    io.setExit(await links(options, io));
  });
}
