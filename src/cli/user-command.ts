/** `mailcharter user add`: accounts of the service (the first one is how an agency gets in). */
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { AccountError, Accounts } from "../accounts/accounts.js";
import type { Role } from "../accounts/principal.js";
import { Registry } from "../registry/repository.js";
import { openStore } from "../store/database.js";
import type { CommandIo } from "./command.js";

function readPassword(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AccountError("invalid", `--password-file ${file}: ${(error as Error).message}`);
  }
  // The first line, without its line ending: `echo secret > file` must work.
  return text.split(/\r?\n/, 1)[0] ?? "";
}

export function userCommands(program: Command, out: NodeJS.WritableStream): void {
  const user = program.command("user").description("Accounts of the service (mailcharter serve)");
  user
    .command("add")
    .description("Create an account; without --password-file a strong password is generated and printed once")
    .requiredOption("--email <email>", "the account's e-mail address (its login)")
    .addOption(
      new Option("--role <role>", "agency, operator (of --org) or auditor (reads everything)")
        .choices(["agency", "operator", "auditor"])
        .makeOptionMandatory(),
    )
    .option("--org <name>", "the organisation of an operator, by its registry name")
    .option("--password-file <file>", "read the password from the first line of this file")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .action(async (o: { email: string; role: Role; org?: string; passwordFile?: string; db?: string }) => {
      const password = o.passwordFile === undefined ? undefined : readPassword(o.passwordFile);
      const store = await openStore(o.db, { create: true });
      try {
        const accounts = new Accounts(store, await Registry.open(store));
        const { account, generatedPassword } = await accounts.add({
          email: o.email,
          role: o.role,
          organisation: o.org,
          password,
        });
        const org = o.org ? ` of ${o.org}` : "";
        out.write(`added ${account.email} (${account.role}${org})\n`);
        if (generatedPassword) out.write(`password (shown once, keep it safe): ${generatedPassword}\n`);
      } finally {
        await store.close();
      }
    });
}

export function register(program: Command, io: CommandIo): void {
  userCommands(program, io.out);
}
