/**
 * Dependencies point one way: network → dialogues → TLS probing → probe layer → audit. The TLS
 * prober is handed the dialogue to replay; it never imports the probe layer (which imports it), and
 * no module of audit/tls reaches up to audit/probe, measures or reports.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../../src/", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("layering", () => {
  it("audit/tls imports nothing from the probe layer, measures or reports", () => {
    const upward = sources(join(root, "audit/tls")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)]
        .map((m) => m[1] ?? "")
        .filter((spec) => /\/(probe|measures|report|profiles)\//.test(spec))
        .map((spec) => `${relative(root, file)} → ${spec}`),
    );
    expect(upward).toEqual([]);
  });
});
