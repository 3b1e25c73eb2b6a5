/** `mailcharter user add`: the first account, a generated or given password, clear refusals. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { Accounts } from "../../../src/accounts/accounts.js";
import { userCommands } from "../../../src/cli/user-command.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore } from "../../../src/store/database.js";

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => {
    text += c.toString();
  });
  userCommands(program, out);
  await program.parseAsync(["user", "add", ...args], { from: "user" });
  return text;
}

describe("mailcharter user add", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-user-"));
  const db = join(dir, "db.sqlite");

  it("generates a strong password, prints it once, and it logs in", async () => {
    const out = await run(["--email", "Keeper@Agency.example", "--role", "agency", "--db", db]);
    expect(out).toMatch(
      /^added keeper@agency\.example \(agency\)\npassword \(shown once, keep it safe\): [A-Za-z0-9_-]{24}\n$/,
    );
    const password = /: (\S+)\n$/.exec(out)?.[1] as string;
    const store = await openStore(db);
    try {
      const accounts = new Accounts(store, await Registry.open(store));
      expect((await accounts.login("keeper@agency.example", password)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("takes the password from the first line of --password-file and the organisation of an operator", async () => {
    const store = await openStore(db);
    await (await Registry.open(store)).add({
      name: "X Mail",
      contact: "c@x.example",
      adhesionDate: "2026-01-01",
    });
    await store.close();
    const file = join(dir, "pw");
    writeFileSync(file, "a chosen long password\n");
    const out = await run([
      "--email",
      "op@x.example",
      "--role",
      "operator",
      "--org",
      "X Mail",
      "--password-file",
      file,
      "--db",
      db,
    ]);
    expect(out).toBe("added op@x.example (operator of X Mail)\n");
    const again = await openStore(db);
    try {
      const accounts = new Accounts(again, await Registry.open(again));
      expect((await accounts.login("op@x.example", "a chosen long password")).ok).toBe(true);
    } finally {
      await again.close();
    }
  });

  it("refuses a taken address, an operator without organisation, a short password, a missing file", async () => {
    await expect(run(["--email", "keeper@agency.example", "--role", "auditor", "--db", db])).rejects.toThrow(
      /already exists/,
    );
    await expect(run(["--email", "o2@x.example", "--role", "operator", "--db", db])).rejects.toThrow(
      /needs its organisation/,
    );
    const short = join(dir, "short");
    writeFileSync(short, "tiny\n");
    await expect(
      run(["--email", "s@x.example", "--role", "auditor", "--password-file", short, "--db", db]),
    ).rejects.toThrow(/12 characters/);
    await expect(
      run(["--email", "s@x.example", "--role", "auditor", "--password-file", join(dir, "none"), "--db", db]),
    ).rejects.toThrow(/--password-file/);
    await expect(run(["--email", "s@x.example", "--role", "root", "--db", db])).rejects.toThrow(
      /Allowed choices/,
    );
  });
});
