/** `mailcharter registry …`: the registry on SQLite or PostgreSQL, and the signed published list. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { errorMessage } from "../core/errors.js";
import { inForceAt, isoDate, type OrganisationInput } from "../registry/model.js";
import {
  buildList,
  generateSigningKey,
  signingKey,
  signList,
  verificationKey,
  verifyList,
} from "../registry/published-list.js";
import { Registry, RegistryError } from "../registry/repository.js";
import { openStore } from "../store/database.js";
import { type CommandIo, collect } from "./command.js";
import { dbOption } from "./db-option.js";
import { checkWritableFile, readText } from "./files.js";

/**
 * Opens the registry of `--db` (or the default one), runs `work`, closes it. Read-only commands pass
 * `create: false`: a mistyped `--db` file is an error, not a new empty registry.
 */
export async function withRegistry<T>(
  db: string | undefined,
  create: boolean,
  work: (registry: Registry) => Promise<T>,
): Promise<T> {
  const store = await openStore(db, { create });
  try {
    return await work(await Registry.open(store));
  } finally {
    await store.close();
  }
}

/** `--domain example.org=mx1.example.org,*.example.org` */
function parseDomainOption(text: string): { domain: string; mx: string[] } {
  const [domain = "", patterns = ""] = text.split("=", 2);
  const mx = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (!domain || mx.length === 0) throw new RegistryError(`--domain: "${text}" is not DOMAIN=MX[,MX...]`);
  return { domain, mx };
}

export function dateOption(text: string | undefined, what: string): string {
  if (text === undefined) return new Date().toISOString().slice(0, 10);
  if (!isoDate.safeParse(text).success)
    throw new RegistryError(`${what}: "${text}" is not a date YYYY-MM-DD`);
  return text;
}

export { dbOption } from "./db-option.js";

export function register(program: Command, io: CommandIo): void {
  const { out } = io;
  const registry = program
    .command("registry")
    .description("The registry of signatories (SQLite by default, PostgreSQL with --db postgres://…)");

  dbOption(registry.command("add").description("Add a signatory with its mail domains"))
    .requiredOption("--name <name>")
    .requiredOption("--contact <email>")
    .requiredOption("--adhesion <date>", "adhesion date YYYY-MM-DD")
    .option("--charter-version <version>", "annex version accepted", "2015")
    .option("--domain <domain=mx,...>", "a mail domain and its MX host patterns; repeatable", collect)
    .action(
      async (o: {
        db?: string;
        name: string;
        contact: string;
        adhesion: string;
        charterVersion: string;
        domain?: string[];
      }) => {
        // A signatory is its mail domains (Charte art. 7): one at least.
        if (!o.domain?.length)
          throw new RegistryError("registry add: give at least one --domain DOMAIN=MX[,MX...]");
        const input: OrganisationInput = {
          name: o.name,
          contact: o.contact,
          adhesionDate: o.adhesion,
          charterVersion: o.charterVersion,
          domains: o.domain.map(parseDomainOption),
        };
        await withRegistry(o.db, true, (r) => r.add(input));
        out.write(`added ${o.name}\n`);
      },
    );

  dbOption(registry.command("edit").description("Edit a signatory").argument("<name>"))
    .option("--contact <email>")
    .option("--adhesion <date>")
    .option("--charter-version <version>")
    .option("--add-domain <domain=mx,...>", "add a mail domain; repeatable", collect)
    .action(
      async (
        name: string,
        o: {
          db?: string;
          contact?: string;
          adhesion?: string;
          charterVersion?: string;
          addDomain?: string[];
        },
      ) => {
        const domains = (o.addDomain ?? []).map(parseDomainOption);
        await withRegistry(o.db, false, (r) =>
          r.edit(
            name,
            {
              ...(o.contact ? { contact: o.contact } : {}),
              ...(o.adhesion ? { adhesionDate: o.adhesion } : {}),
              ...(o.charterVersion ? { charterVersion: o.charterVersion } : {}),
            },
            domains,
          ),
        );
        out.write(`edited ${name}\n`);
      },
    );

  dbOption(
    registry
      .command("withdraw")
      .description("Record a withdrawal notice (effective three months later, Charte art. 7)")
      .argument("<name>"),
  )
    .requiredOption("--notice <date>")
    .option("--replace", "replace a withdrawal notice already recorded")
    .action(async (name: string, o: { db?: string; notice: string; replace?: boolean }) => {
      await withRegistry(o.db, false, (r) => r.withdraw(name, o.notice, { replace: o.replace === true }));
      out.write(`withdrawal of ${name} noticed on ${o.notice}\n`);
    });

  dbOption(registry.command("list").description("List signatories"))
    .option("--at <date>", "only those in force at this date")
    .option("--json")
    .action(async (o: { db?: string; at?: string; json?: boolean }) => {
      const at = o.at === undefined ? undefined : dateOption(o.at, "--at");
      const all = await withRegistry(o.db, false, (r) => r.list());
      const shown = at ? all.filter((s) => inForceAt(s, at)) : all;
      if (o.json) {
        out.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      if (shown.length === 0) {
        out.write(
          all.length === 0
            ? "no signatory in the registry (registry add or registry import adds some)\n"
            : `no signatory in force on ${at} (${all.length} in the registry)\n`,
        );
        return;
      }
      for (const s of shown) {
        const withdrawal = s.withdrawalEffectiveDate
          ? `, withdrawal effective ${s.withdrawalEffectiveDate}`
          : "";
        out.write(
          `${s.name} <${s.contact}> — adhesion ${s.adhesionDate}, charter ${s.charterVersion}${withdrawal}\n`,
        );
        for (const d of s.domains) out.write(`  ${d.domain}: ${d.mx.join(", ")}\n`);
      }
    });

  dbOption(
    registry
      .command("import")
      .description("Import signatories from a JSON array (all or nothing)")
      .argument("<file>"),
  ).action(async (file: string, o: { db?: string }) => {
    let inputs: OrganisationInput[];
    try {
      inputs = JSON.parse(readText(file, "import")) as OrganisationInput[];
    } catch (error) {
      throw new RegistryError(`import ${file}: ${errorMessage(error)}`);
    }
    if (!Array.isArray(inputs))
      throw new RegistryError(`import ${file}: a JSON array of organisations is expected`);
    const n = await withRegistry(o.db, true, (r) => r.import(inputs));
    out.write(`imported ${n} organisations\n`);
  });

  dbOption(
    registry
      .command("export")
      .description("Export the signatories in force as the published list (signed with --sign-key)"),
  )
    .option("--out <file>", "write the list there (and FILE.sig with --sign-key)")
    .option("--sign-key <pem>", "Ed25519 private key (mailcharter registry keygen)")
    .option("--valid-days <n>", "days until the list expires", "14")
    .action(async (o: { db?: string; out?: string; signKey?: string; validDays: string }) => {
      const days = Number(o.validDays);
      if (!/^\d+$/.test(o.validDays) || days < 1 || days > 365)
        throw new RegistryError(`--valid-days: "${o.validDays}" is not 1–365`);
      // Everything that can be refused is refused before the database is read.
      const key = o.signKey ? signingKey(readText(o.signKey, "--sign-key"), `--sign-key ${o.signKey}`) : null;
      if (o.out) {
        checkWritableFile(o.out, "--out");
        if (key) checkWritableFile(`${o.out}.sig`, "--out");
      }
      const list = buildList(await withRegistry(o.db, false, (r) => r.list()), new Date(), days);
      const body = key
        ? signList(list, key)
        : { body: Buffer.from(`${JSON.stringify(list, null, 2)}\n`), signature: null };
      if (o.out) {
        writeFileSync(o.out, body.body);
        if (body.signature) writeFileSync(`${o.out}.sig`, `${body.signature}\n`);
        out.write(`wrote ${o.out}${body.signature ? ` and ${o.out}.sig` : ""}\n`);
      } else out.write(body.body);
    });

  registry
    .command("keygen")
    .description("Create an Ed25519 key pair for signing the list")
    .requiredOption("--out <file>", "private key file; the public key goes to FILE.pub")
    .option("--force", "overwrite an existing key pair")
    .action((o: { out: string; force?: boolean }) => {
      const files = [o.out, `${o.out}.pub`];
      const existing = files.filter((f) => existsSync(f));
      if (existing.length > 0 && !o.force)
        throw new RegistryError(
          `registry keygen: ${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}; a lost signing key cannot be recovered — give --force to replace it`,
        );
      for (const f of files) checkWritableFile(f, "--out");
      const key = generateSigningKey();
      writeFileSync(o.out, key.privatePem, { mode: 0o600 });
      writeFileSync(`${o.out}.pub`, key.publicPem);
      out.write(`wrote ${o.out} and ${o.out}.pub\n`);
    });

  registry
    .command("verify")
    .description("Check a published list: signature and expiry (exit 1 when refused)")
    .argument("<file>")
    .requiredOption("--public-key <pem>")
    .option("--signature <file>", "detached signature (default FILE.sig)")
    .action((file: string, o: { publicKey: string; signature?: string }) => {
      const key = verificationKey(readText(o.publicKey, "--public-key"), `--public-key ${o.publicKey}`);
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch (error) {
        throw new RegistryError(`verify ${file}: ${errorMessage(error)}`);
      }
      const result = verifyList(body, readText(o.signature ?? `${file}.sig`, "--signature"), key, new Date());
      if (result.ok)
        out.write(`valid: ${result.list.signatories.length} signatories, expires ${result.list.expiresAt}\n`);
      else {
        out.write(`refused: ${result.reason} — ${result.message}\n`);
        io.setExit(1);
      }
    });
}
