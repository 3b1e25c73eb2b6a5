/** `mailcharter policy …`: MTA policies and hardened configurations generated from the registry. */
import type { Command } from "commander";
import { renderArt44Evidence } from "../indicators/links/art44-evidence.js";
import { art44Report } from "../indicators/links/art44-report.js";
import { parseResolverAddress, systemResolver } from "../net/resolver.js";
import { daneDomains } from "../policy/dane-peers.js";
import { dnsRecords, eximPolicy, mtaStsPolicy, postfixPolicy } from "../policy/generate.js";
import { checkConfigPath, hardenedConfigs } from "../policy/hardened.js";
import { inForceAt, type Signatory } from "../registry/model.js";
import { RegistryError } from "../registry/repository.js";
import { openStore, type Store } from "../store/database.js";
import type { CommandIo } from "./command.js";
import { parseFqdn } from "./options.js";
import { dateOption, dbOption, withRegistry } from "./registry-command.js";

async function withStore<T>(db: string | undefined, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db, { create: false });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Time given to each DNS question of `--dane` (MX, then TLSA per MX host). */
const daneQueryTimeoutMs = 5000;

function findSignatory(all: readonly Signatory[], name: string): Signatory {
  const found = all.find((s) => s.name === name);
  if (!found) throw new RegistryError(`no organisation "${name}" in the registry`);
  return found;
}

const kinds = ["postfix", "exim", "mta-sts", "dns", "table"] as const;

export function register(program: Command, io: CommandIo): void {
  const { out } = io;
  const policy = program
    .command("policy")
    .description("Policies and configurations generated from the registry");
  for (const kind of kinds) {
    const command = dbOption(
      policy.command(kind).description(`${kind} for one signatory toward the others in force`),
    )
      .requiredOption("--for <name>", "the signatory the policy is for")
      .option("--at <date>", "the date (default today)");
    if (kind === "postfix" || kind === "exim")
      command
        .option("--dane", "DANE for peers whose MX publish DNSSEC-validated TLSA records (asks DNS)")
        .option("--resolver <ip[:port]>", "validating DNS resolver for --dane (default: the system's)");
    command.action(
      async (o: { db?: string; for: string; at?: string; dane?: boolean; resolver?: string }) => {
        const at = dateOption(o.at, "--at");
        if (o.resolver !== undefined && !o.dane)
          throw new RegistryError("--resolver is only used with --dane");
        const resolver =
          o.dane === true
            ? systemResolver(o.resolver === undefined ? undefined : parseResolverAddress(o.resolver))
            : undefined;
        const all = await withRegistry(o.db, false, (r) => r.list());
        const self = findSignatory(all, o.for);
        // An unanswered DNS question stops the command (daneDomains throws): never a silent non-DANE line.
        const dane = resolver
          ? await daneDomains(
              all.filter((s) => s.name !== self.name && inForceAt(s, at)),
              resolver,
              daneQueryTimeoutMs,
            )
          : new Set<string>();
        const text =
          kind === "postfix"
            ? postfixPolicy(self, all, { at, daneDomains: dane })
            : kind === "exim"
              ? eximPolicy(self, all, { at, daneDomains: dane })
              : kind === "mta-sts"
                ? mtaStsPolicy(self)
                : kind === "dns"
                  ? dnsRecords(self, new Date(`${at}T00:00:00Z`))
                  : renderArt44Evidence(await withStore(o.db, (store) => art44Report(store, self, all, at)));
        out.write(text);
      },
    );
  }
  policy
    .command("hardened")
    .description("Hardened Postfix, Dovecot and nginx configuration fragments (charter-2015 profile)")
    .requiredOption("--hostname <fqdn>")
    .option("--cert <file>", "certificate chain file", "/etc/ssl/mail/fullchain.pem")
    .option("--key <file>", "private key file", "/etc/ssl/mail/privkey.pem")
    .action((o: { hostname: string; cert: string; key: string }) => {
      const files = hardenedConfigs({
        hostname: parseFqdn(o.hostname, "--hostname"),
        certFile: checkConfigPath(o.cert, "--cert"),
        keyFile: checkConfigPath(o.key, "--key"),
      });
      for (const [name, text] of Object.entries(files)) out.write(`### ${name}\n${text}\n`);
    });
}
