/** The command table: a command's module is loaded only when it runs; help lists every command. */
import { describe, expect, it } from "vitest";
import { commands, commandsFor, version } from "../../../src/cli/run.js";
import { cli } from "../../support/cli.js";

describe("command loading", () => {
  it("loads the named command only, none for --version, all for help and mistakes", () => {
    expect(commandsFor(["probe", "mx.example.org"])).toEqual(["probe"]);
    expect(commandsFor(["registry", "list"])).toEqual(["registry"]);
    expect(commandsFor(["--version"])).toEqual([]);
    expect(commandsFor([])).toEqual(Object.keys(commands));
    expect(commandsFor(["--help"])).toEqual(Object.keys(commands));
    expect(commandsFor(["porbe"])).toEqual(Object.keys(commands));
    expect(commandsFor(["toString"])).toEqual(Object.keys(commands));
  });
  it("every module registers the command it is listed under", async () => {
    for (const name of Object.keys(commands)) {
      const result = await cli(name, "--help");
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`^Usage: mailcharter ${name} `));
    }
  });
  it("--version, and a mistyped command is a usage error with a suggestion", async () => {
    expect(await cli("--version")).toEqual({ code: 0, out: `${version}\n`, err: "" });
    const typo = await cli("porbe", "mx.example.org");
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown command 'porbe'[\s\S]*Did you mean probe\?/);
  });
});
