/**
 * The indicators in `serve`: nothing without indicators.json; a bad file, or a named one missing, is
 * one clear line and exit 2 before anything listens or is written; the start line says what is
 * scheduled, and `--no-scheduler` that the schedule is off.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveIndicators } from "../../../src/jobs/indicator-service.js";
import { readIndicatorsConfig } from "../../../src/jobs/indicators-config.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { startService } from "../../../src/web/service.js";
import { cli, usageError } from "../../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicator-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(name: string, config: unknown, schedule = true) {
  const data = join(dir, name);
  mkdirSync(data, { recursive: true });
  if (config !== undefined) writeFileSync(join(data, "indicators.json"), JSON.stringify(config));
  return startService({
    db: join(data, "s.sqlite"),
    dataDir: data,
    listen: { host: "127.0.0.1", port: 0 },
    httpListen: null,
    tls: null,
    scheduler: schedule,
    logger: false,
    indicators: serveIndicators({
      config: readIndicatorsConfig(join(data, "indicators.json")),
      db: join(data, "s.sqlite"),
      resolver: fakeResolver({}),
      schedule,
      holder: "test-host:1:eeee",
    }),
  });
}

describe("serve's indicators", () => {
  it("nothing is scheduled without indicators.json; with one, the start line says what", async () => {
    const none = await start("none", undefined);
    try {
      expect(none.indicators).toBeNull();
    } finally {
      await none.close();
    }
    const some = await start("some", { generate: { catchUpDays: 2 } });
    try {
      expect(some.indicators).toBe(
        "TLS-RPT of every organisation with logs generated 60 min after each UTC day (catch-up 2 days)",
      );
    } finally {
      await some.close();
    }
  });

  it("--no-scheduler leaves the schedule off and says so", async () => {
    const service = await start("off", { generate: {} }, false);
    try {
      expect(service.indicators).toMatch(/\(schedule off\)$/);
    } finally {
      await service.close();
    }
  });

  it("a bad indicators.json, or a named one missing, stops serve before anything is written", async () => {
    const data = join(dir, "bad");
    mkdirSync(data);
    const serve = (...extra: string[]) =>
      cli("serve", "--db", join(data, "s.sqlite"), "--listen", "127.0.0.1:0", ...extra);
    expect(usageError(await serve("--indicators-config", join(data, "none.json")))).toMatch(
      /indicators configuration .*none\.json: ENOENT/,
    );
    writeFileSync(join(data, "indicators.json"), JSON.stringify({ generate: { catchUpDays: 99 } }));
    expect(usageError(await serve())).toMatch(/indicators\.json: generate\.catchUpDays/);
    expect(existsSync(join(data, "s.sqlite"))).toBe(false);
  });
});
