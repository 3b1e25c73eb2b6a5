/**
 * `mailcharter annex …` (Charte art. 8): check a drafted annex profile, keep it in the store, list the
 * charter versions with their profiles, and show what a proposed annex would change for every
 * signatory from its latest stored audits (no probing).
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AnnexStore } from "../annex/annex-store.js";
import { annexImpact } from "../annex/impact.js";
import { renderImpactHtml } from "../annex/impact-html.js";
import { impactInputs } from "../annex/impact-input.js";
import { renderImpactText } from "../annex/impact-text.js";
import { readProfileFile, resolveProfile } from "../annex/profile-file.js";
import { errorMessage } from "../core/errors.js";
import { openStore, type Store } from "../store/database.js";
import { type CommandIo, ExitCode } from "./command.js";
import { checkWritableFile } from "./files.js";
import { parseLang } from "./options.js";
import { dateOption, dbOption } from "./registry-command.js";

async function withStore<T>(db: string | undefined, create: boolean, work: (store: Store) => Promise<T>) {
  const store = await openStore(db, { create });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

interface ImpactOptions {
  readonly proposed: string;
  readonly db?: string;
  readonly json?: boolean;
  readonly html?: string;
  readonly at?: string;
  readonly lang?: string;
}

export async function annexImpactCommand(options: ImpactOptions, io: CommandIo): Promise<number> {
  const lang = parseLang(options.lang);
  const at = dateOption(options.at, "--at");
  if (options.html) checkWritableFile(options.html, "--html");
  const report = await withStore(options.db, false, async (store) => {
    const annex = await AnnexStore.open(store);
    const proposed = await resolveProfile(options.proposed, "--proposed", annex);
    return annexImpact(await impactInputs(store, at), proposed, new Date().toISOString());
  });
  if (options.html) {
    try {
      writeFileSync(options.html, renderImpactHtml(report, lang));
    } catch (error) {
      io.err.write(`mailcharter: --html ${options.html}: ${errorMessage(error)}\n`);
      return ExitCode.usage;
    }
  }
  io.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderImpactText(report, lang)}\n`);
  return ExitCode.ok;
}

export function register(program: Command, io: CommandIo): void {
  const { out } = io;
  const annex = program
    .command("annex")
    .description("Annex versions (charter art. 8): profiles, charter versions, impact of a proposed annex");

  annex
    .command("check")
    .description("Validate an annex profile file (JSON); every problem is named with its path")
    .argument("<file>", "the profile, as JSON")
    .action((file: string) => {
      const profile = readProfileFile(file, "profile");
      const measures = Object.entries(profile.measures ?? {})
        .map(([m, ids]) => `${m} ← ${(ids ?? []).join(", ")}`)
        .join("; ");
      out.write(
        `${file}: profile ${profile.id} (${profile.title}), ${profile.rules.length} rules; ${measures}\n`,
      );
    });

  dbOption(
    annex
      .command("draft")
      .description("Keep a drafted annex profile in the store (validated; never replaced under its id)")
      .argument("<file>", "the profile, as JSON"),
  ).action(async (file: string, options: { db?: string }) => {
    const profile = readProfileFile(file, "profile");
    await withStore(options.db, true, async (store) => {
      await (await AnnexStore.open(store)).saveProfile(profile, "cli", Date.now());
    });
    out.write(`profile ${profile.id} kept (${profile.rules.length} rules)\n`);
  });

  dbOption(
    annex
      .command("versions")
      .description("The charter versions with the profile of their annex")
      .option("--json", "JSON output"),
  ).action(async (options: { db?: string; json?: boolean }) => {
    const versions = await withStore(options.db, false, async (store) =>
      (await AnnexStore.open(store)).versions(),
    );
    if (options.json) out.write(`${JSON.stringify({ versions }, null, 2)}\n`);
    else for (const v of versions) out.write(`${v.version}\t${v.published}\t${v.profile}\t${v.title}\n`);
  });

  dbOption(
    annex
      .command("impact")
      .description(
        "Re-judge every signatory's latest stored audits under a proposed annex profile: what would change, where, what to do",
      )
      .requiredOption("--proposed <file|id>", "the proposed annex: a profile file (JSON) or a profile id")
      .option("--at <date>", "signatories in force on this date (default today)")
      .option("--json", "JSON output (mailcharter/annex-impact/1, schema/annex-impact.schema.json)")
      .option("--html <file>", "also write a printable HTML summary, to send with the consultation")
      .option("--lang <fr|en>", "language of the text and HTML output (default from LANG)"),
  ).action(async (options: ImpactOptions) => {
    io.setExit(await annexImpactCommand(options, io));
  });
}
