/**
 * serve's monitoring options (`--scheduler-tick`, `--confirm-pause`, the audit engine's files): a bad
 * value is one clear line, exit 2, before anything listens or is written.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, usageError } from "../../support/cli.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-serve-options-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const serve = (...extra: string[]) =>
  cli("serve", "--db", join(dir, "service.sqlite"), "--listen", "127.0.0.1:0", ...extra);

describe("serve's monitoring options", () => {
  it("refuses a tick or a pause that is not a whole number of seconds in range, and writes nothing", async () => {
    expect(usageError(await serve("--scheduler-tick", "0"))).toMatch(
      /--scheduler-tick: "0" must be a whole number between 1 and 3600/,
    );
    expect(usageError(await serve("--scheduler-tick", "1.5"))).toMatch(/--scheduler-tick: "1\.5"/);
    expect(usageError(await serve("--confirm-pause", "soon"))).toMatch(
      /--confirm-pause: "soon" must be a whole number between 0 and 3600/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses an unknown country before anything starts", async () => {
    expect(usageError(await serve("--country", "XX"))).toMatch(
      /--country: "XX" is not an assigned ISO 3166-1 alpha-2 country code/,
    );
    expect(existsSync(join(dir, "service.sqlite"))).toBe(false);
  });
});
