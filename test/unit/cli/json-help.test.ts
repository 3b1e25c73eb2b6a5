/**
 * `--json` in each command's help names the document that command prints. The network commands share
 * their options (network-options.ts); the audit's contract text used to be every one's, so
 * `monitor run-once --help` promised the audit report while it prints mailcharter/monitor/1.
 */
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.js";

/** The help text of `--json`, joined when commander wraps it on several lines. */
function jsonHelp(help: string): string | null {
  const lines = help.split("\n");
  const at = lines.findIndex((l) => /^\s+--json\b/.test(l));
  if (at < 0) return null;
  const indent = (lines[at + 1] ?? "").search(/\S/);
  const parts = [lines[at] as string];
  for (const l of lines.slice(at + 1)) {
    if (l.trim() === "" || /^\s+-/.test(l) || l.search(/\S/) !== indent) break;
    parts.push(l);
  }
  return parts.map((l) => l.trim()).join(" ");
}

describe("--json help of the commands that share the network options", () => {
  it.each([
    [["audit"], "mailcharter/audit/1"],
    [["probe"], "mailcharter/probe/1"],
    [["monitor", "run-once"], "mailcharter/monitor/1"],
  ])("%s --help names %s, and no other document", async (command, schema) => {
    const result = await cli(...command, "--help");
    expect(result.code).toBe(0);
    const text = jsonHelp(result.out);
    expect(text).toContain(schema);
    expect(text?.match(/mailcharter\/[a-z-]+\/\d+/g)).toEqual([schema]);
  });

  it("monitor run-once does not describe --json as the audit report contract", async () => {
    expect(jsonHelp((await cli("monitor", "run-once", "--help")).out)).not.toMatch(/report contract|§4/);
  });

  it("the worker prints no JSON, so it offers no --json (and refuses one)", async () => {
    const help = await cli("worker", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("--resolver");
    expect(jsonHelp(help.out)).toBeNull();
    const refused = await cli("worker", "--db", "postgres://nobody@127.0.0.1:1/none", "--json");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/unknown option '--json'/);
  });
});
