/**
 * Dogfooding: the built `mailcharter serve` (dist) on the lab's loopback, HTTPS on 443 and the
 * plain-HTTP redirect on 80, audited by `mailcharter audit --endpoint https=…`: webmail.https and
 * webmail.session must pass (the service passes its own audit). Once on the embedded SQLite, once on
 * the lab's PostgreSQL; on each, the first account from `user add` logs in, and SIGTERM stops it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { WebClient } from "../support/web-client.js";
import { serveAddresses } from "./lab/ports.js";

const lab = inject("lab");
const postgresUrl = inject("postgresUrl");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 110_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

interface Serving {
  readonly child: ChildProcess;
  readonly banner: string;
  output(): string;
}

function serve(args: string[]): Promise<Serving> {
  const child = spawn("node", ["dist/cli/main.js", "serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 30_000);
    const check = () => {
      if (/no account yet|scheduler:/.test(out) && /data directory/.test(out)) {
        clearTimeout(timer);
        setTimeout(() => resolve({ child, banner: out, output: () => out + err }), 200);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${out}\n${err}`));
    });
  });
}

function stop(s: Serving): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve(s.child.exitCode);
    s.child.removeAllListeners("exit");
    s.child.once("exit", (code) => resolve(code));
    s.child.kill("SIGTERM");
  });
}

async function freshPostgres(): Promise<string> {
  const name = `dogfood_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return postgresUrl.replace(/\/postgres$/, `/${name}`);
}

let running: Serving | null = null;
afterEach(async () => {
  if (running) await stop(running);
  running = null;
});

describe.each([
  ["SQLite", "sqlite" as const],
  ["PostgreSQL", "postgres" as const],
])("mailcharter serve on %s", (_name, engine) => {
  it("passes its own webmail audit, lets the first account in, and stops on SIGTERM", async () => {
    const address = serveAddresses[engine];
    const dataDir = mkdtempSync(join(tmpdir(), "mailcharter-serve-"));
    const db = engine === "sqlite" ? join(dataDir, "service.sqlite") : await freshPostgres();
    running = await serve([
      "--db",
      db,
      "--data-dir",
      dataDir,
      "--listen",
      `${address}:443`,
      "--http-listen",
      `${address}:80`,
      "--no-scheduler",
    ]);
    expect(running.banner).toContain(`https://${address}:443/`);
    const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(running.banner)?.[1];
    expect(fingerprint).toBeTruthy();
    const certFile = join(dataDir, "tls-cert.pem");
    const keyMode = (await import("node:fs")).statSync(join(dataDir, "tls-key.pem")).mode & 0o777;
    expect(keyMode).toBe(0o600);

    const audit = await cli([
      "audit",
      "dogfood.lab.test",
      "--endpoint",
      `https=${address}`,
      "--no-conventional",
      "--ca-file",
      certFile,
      "--resolver",
      lab.resolver,
      "--allow-private",
      "--timeout",
      "5000",
      "--quick",
      "--json",
      "--no-progress",
    ]);
    const report = JSON.parse(audit.stdout) as {
      measures: { id: string; status: string; evidence: { status: string; observed: string }[] }[];
    };
    const measure = (id: string) => report.measures.find((m) => m.id === id);
    const explain = (id: string) => JSON.stringify(measure(id)?.evidence, null, 1);
    expect(measure("webmail.https")?.status, explain("webmail.https")).toBe("pass");
    expect(measure("webmail.session")?.status, explain("webmail.session")).toBe("pass");
    const observed =
      measure("webmail.session")
        ?.evidence.map((e) => e.observed)
        .join("\n") ?? "";
    expect(observed).toMatch(/cookie __Host-mailcharter-session: flags set/);
    expect(observed).toMatch(/HSTS: max-age=31536000; includeSubDomains/);
    expect(observed).toMatch(/framing refused/);
    expect(
      measure("webmail.https")
        ?.evidence.map((e) => e.observed)
        .join("\n"),
    ).toMatch(/http:\/\/ redirects to https:/);

    // The first account, as the README says, and its login over the real listener.
    const added = await cli([
      "user",
      "add",
      "--email",
      "keeper@agency.example",
      "--role",
      "agency",
      "--db",
      db,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const password = /shown once, keep it safe\): (\S+)/.exec(added.stdout)?.[1] as string;
    const browser = new WebClient(`https://${address}/`, readFileSync(certFile, "utf8"));
    expect((await browser.login("keeper@agency.example", password)).status).toBe(303);
    const me = await browser.get("/api/v1/me");
    expect(me.json<{ account: { role: string } }>().account.role).toBe("agency");

    const code = await stop(running);
    running = null;
    expect(code).toBe(0);
  });
});
