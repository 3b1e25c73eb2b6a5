/**
 * The package as npm ships it (`files: ["dist"]`): `npm pack` of the built tree, unpacked elsewhere
 * with only its dependencies beside it, serves the pages' stylesheet and live-progress script — the
 * static files live in dist/, not in the sources the package leaves out.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WebClient } from "../support/web-client.js";
import { agencyAddresses } from "./lab/ports.js";

const root = resolve(".");
let child: ChildProcess | null = null;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const c = child;
    await new Promise<void>((done) => {
      c.once("exit", () => done());
      c.kill("SIGTERM");
    });
  }
});

describe("the packed package", () => {
  it("ships dist/web/static and its serve answers /static/style.css and /static/audit-progress.js", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailcharter-pack-"));
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
        cwd: root,
        encoding: "utf8",
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain("dist/web/static/style.css");
    expect(files).toContain("dist/web/static/audit-progress.js");
    expect(files.some((f) => f.startsWith("src/"))).toBe(false);
    execFileSync("tar", ["-xzf", join(dir, packed[0]?.filename ?? ""), "-C", dir]);
    const pkg = join(dir, "package");
    expect(existsSync(join(pkg, "src"))).toBe(false);
    symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"));

    const data = join(dir, "data");
    child = spawn(
      "node",
      [
        join(pkg, "dist/cli/main.js"),
        "serve",
        "--listen",
        `${agencyAddresses.packaged}:8443`,
        "--db",
        join(data, "service.sqlite"),
        "--data-dir",
        data,
        "--no-scheduler",
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    await new Promise<void>((ok, ko) => {
      const timer = setTimeout(() => ko(new Error(`serve did not start:\n${out}`)), 30_000);
      child?.stdout?.on("data", () => {
        if (/data directory/.test(out) && /no account yet|scheduler/.test(out)) {
          clearTimeout(timer);
          setTimeout(ok, 200);
        }
      });
      child?.once("exit", (code) => ko(new Error(`serve exited ${code}:\n${out}`)));
    });
    const { readFileSync } = await import("node:fs");
    const cert = readFileSync(join(data, "tls-cert.pem"), "utf8");
    const client = new WebClient(`https://${agencyAddresses.packaged}:8443`, cert);
    const css = await client.get("/static/style.css");
    expect(css.status).toBe(200);
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
    expect(css.text).toContain("--accent");
    const script = await client.get("/static/audit-progress.js");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toMatch(/javascript/);
    expect(script.text).toContain("new EventSource(");
    const home = await client.get("/");
    expect(home.text).toContain('<link rel="stylesheet" href="/static/style.css">');
  }, 120_000);
});
