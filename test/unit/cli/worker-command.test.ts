/** `mailcharter worker`: bad input is one line and exit 2, before any connection. */
import { describe, expect, it } from "vitest";
import { cli, usageError } from "../../support/cli.js";

describe("mailcharter worker", () => {
  it("needs the service's PostgreSQL database", async () => {
    expect(usageError(await cli("worker"))).toMatch(/--db: a worker needs the service's PostgreSQL/);
    expect(usageError(await cli("worker", "--db", "/tmp/registry.sqlite"))).toMatch(/--db postgres:/);
  });

  it("refuses counts out of range, naming the option", async () => {
    const db = ["--db", "postgres://nobody@127.0.0.1:1/none"];
    expect(usageError(await cli("worker", ...db, "--concurrency", "0"))).toMatch(/--concurrency: "0"/);
    expect(usageError(await cli("worker", ...db, "--per-host", "x"))).toMatch(/--per-host: "x"/);
    expect(usageError(await cli("worker", ...db, "--per-provider", "99999"))).toMatch(/--per-provider/);
  });

  it("a database that cannot be reached is a clear error", async () => {
    const result = await cli("worker", "--db", "postgres://nobody@127.0.0.1:1/none");
    expect(usageError(result)).toMatch(/--db postgres:\/\/\*\*\*@127\.0\.0\.1:1\/none: cannot connect/);
  });

  it("is listed with its options", async () => {
    const help = await cli("worker", "--help");
    expect(help.code).toBe(0);
    for (const option of ["--db", "--concurrency", "--per-host", "--per-provider", "--resolver"])
      expect(help.out).toContain(option);
  });
});
