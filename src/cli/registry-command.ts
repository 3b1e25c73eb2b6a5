/** `mailcharter registry …` and `mailcharter policy …`: the registry on SQLite or PostgreSQL, the signed list, the policies. */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { parseResolverAddress, systemResolver } from "../net/resolver.js";
import { daneDomains } from "../policy/dane-peers.js";
import {
  art44Table,
  dnsRecords,
  eximPolicy,
  mtaStsPolicy,
  postfixPolicy,
  renderArt44,
} from "../policy/generate.js";
import { hardenedConfigs } from "../policy/hardened.js";
import { inForceAt, isoDate, type OrganisationInput, type Signatory } from "../registry/model.js";
import { buildList, generateSigningKey, signList, verifyList } from "../registry/published-list.js";
import { Registry, RegistryError } from "../registry/repository.js";
import { openStore } from "../store/database.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];
type Setter = (code: number) => void;

async function withRegistry<T>(db: string | undefined, work: (registry: Registry) => Promise<T>): Promise<T> {
  const store = await openStore(db);
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

const today = () => new Date().toISOString().slice(0, 10);

function dateOption(text: string | undefined, what: string): string {
  if (text === undefined) return today();
  if (!isoDate.safeParse(text).success)
    throw new RegistryError(`${what}: "${text}" is not a date YYYY-MM-DD`);
  return text;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new RegistryError(`${what} ${file}: ${(error as Error).message}`);
  }
}

function findSignatory(all: readonly Signatory[], name: string): Signatory {
  const found = all.find((s) => s.name === name);
  if (!found) throw new RegistryError(`no organisation "${name}" in the registry`);
  return found;
}

export function registryCommands(program: Command, setExit: Setter, out: NodeJS.WritableStream): void {
  const registry = program
    .command("registry")
    .description("The registry of signatories (SQLite by default, PostgreSQL with --db postgres://…)");
  const dbOption = (c: Command) =>
    c.option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)");

  dbOption(registry.command("add").description("Add a signatory"))
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
        const input: OrganisationInput = {
          name: o.name,
          contact: o.contact,
          adhesionDate: o.adhesion,
          charterVersion: o.charterVersion,
          domains: (o.domain ?? []).map(parseDomainOption),
        };
        await withRegistry(o.db, (r) => r.add(input));
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
        await withRegistry(o.db, async (r) => {
          await r.edit(name, {
            ...(o.contact ? { contact: o.contact } : {}),
            ...(o.adhesion ? { adhesionDate: o.adhesion } : {}),
            ...(o.charterVersion ? { charterVersion: o.charterVersion } : {}),
          });
          for (const d of o.addDomain ?? []) await r.addDomain(name, parseDomainOption(d));
        });
        out.write(`edited ${name}\n`);
      },
    );

  dbOption(
    registry
      .command("withdraw")
      .description("Record a withdrawal notice (effective three months later)")
      .argument("<name>"),
  )
    .requiredOption("--notice <date>")
    .action(async (name: string, o: { db?: string; notice: string }) => {
      await withRegistry(o.db, (r) => r.withdraw(name, o.notice));
      out.write(`withdrawal of ${name} noticed on ${o.notice}\n`);
    });

  dbOption(registry.command("list").description("List signatories"))
    .option("--at <date>", "only those in force at this date")
    .option("--json")
    .action(async (o: { db?: string; at?: string; json?: boolean }) => {
      const all = await withRegistry(o.db, (r) => r.list());
      const shown = o.at ? all.filter((s) => inForceAt(s, dateOption(o.at, "--at"))) : all;
      if (o.json) out.write(`${JSON.stringify(shown, null, 2)}\n`);
      else {
        for (const s of shown) {
          const withdrawal = s.withdrawalEffectiveDate
            ? `, withdrawal effective ${s.withdrawalEffectiveDate}`
            : "";
          out.write(
            `${s.name} <${s.contact}> — adhesion ${s.adhesionDate}, charter ${s.charterVersion}${withdrawal}\n`,
          );
          for (const d of s.domains) out.write(`  ${d.domain}: ${d.mx.join(", ")}\n`);
        }
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
      throw new RegistryError(`import ${file}: ${(error as Error).message}`);
    }
    if (!Array.isArray(inputs))
      throw new RegistryError(`import ${file}: a JSON array of organisations is expected`);
    const n = await withRegistry(o.db, (r) => r.import(inputs));
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
      if (!Number.isInteger(days) || days < 1 || days > 365)
        throw new RegistryError(`--valid-days: "${o.validDays}" is not 1–365`);
      const list = buildList(await withRegistry(o.db, (r) => r.list()), new Date(), days);
      const body = o.signKey
        ? signList(list, readText(o.signKey, "--sign-key"))
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
    .action((o: { out: string }) => {
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
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch (error) {
        throw new RegistryError(`verify ${file}: ${(error as Error).message}`);
      }
      const result = verifyList(
        body,
        readText(o.signature ?? `${file}.sig`, "--signature"),
        readText(o.publicKey, "--public-key"),
        new Date(),
      );
      if (result.ok)
        out.write(`valid: ${result.list.signatories.length} signatories, expires ${result.list.expiresAt}\n`);
      else {
        out.write(`refused: ${result.reason} — ${result.message}\n`);
        setExit(1);
      }
    });

  const policy = program
    .command("policy")
    .description("Policies and configurations generated from the registry");
  for (const kind of ["postfix", "exim", "mta-sts", "dns", "table"] as const) {
    dbOption(policy.command(kind).description(`${kind} for one signatory toward the others in force`))
      .requiredOption("--for <name>", "the signatory the policy is for")
      .option("--at <date>", "the date (default today)")
      .option("--dane", "postfix: level dane for peers whose MX publish DNSSEC-validated TLSA (asks DNS)")
      .option("--resolver <ip[:port]>", "validating DNS resolver for --dane (default: the system's)")
      .action(async (o: { db?: string; for: string; at?: string; dane?: boolean; resolver?: string }) => {
        const at = dateOption(o.at, "--at");
        const all = await withRegistry(o.db, (r) => r.list());
        const self = findSignatory(all, o.for);
        const dane = o.dane
          ? await daneDomains(
              all.filter((s) => s.name !== self.name && inForceAt(s, at)),
              systemResolver(o.resolver === undefined ? undefined : parseResolverAddress(o.resolver)),
              5000,
            )
          : new Set<string>();
        const text =
          kind === "postfix"
            ? postfixPolicy(self, all, { at, daneDomains: dane })
            : kind === "exim"
              ? eximPolicy(self, all, { at })
              : kind === "mta-sts"
                ? mtaStsPolicy(self)
                : kind === "dns"
                  ? dnsRecords(self, new Date(`${at}T00:00:00Z`))
                  : renderArt44(art44Table(self, all, at));
        out.write(text);
      });
  }
  policy
    .command("hardened")
    .description("Hardened Postfix, Dovecot and nginx configuration fragments (charter-2015 profile)")
    .requiredOption("--hostname <fqdn>")
    .option("--cert <file>", "certificate chain file", "/etc/ssl/mail/fullchain.pem")
    .option("--key <file>", "private key file", "/etc/ssl/mail/privkey.pem")
    .action((o: { hostname: string; cert: string; key: string }) => {
      const files = hardenedConfigs({ hostname: o.hostname, certFile: o.cert, keyFile: o.key });
      for (const [name, text] of Object.entries(files)) out.write(`### ${name}\n${text}\n`);
    });
}
