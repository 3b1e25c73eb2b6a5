/**
 * The indicators in `serve` (startService's `indicators`, as serve-command wires it): nothing without
 * indicators.json, a bad file refused at start with the field at fault (and the store closed), the
 * start line saying what is scheduled, `--no-scheduler` saying the schedule is off.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveIndicators } from "../../../src/jobs/indicator-service.js";
import { fakeResolver } from "../../../src/net/resolver.js";
import { startService } from "../../../src/web/service.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-indicator-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(name: string, schedule = true, required = false) {
  const data = join(dir, name);
  return {
    data,
    service: () =>
      startService({
        db: join(data, "s.sqlite"),
        dataDir: data,
        listen: { host: "127.0.0.1", port: 0 },
        httpListen: null,
        tls: null,
        scheduler: schedule,
        logger: false,
        indicators: serveIndicators({
          configPath: join(data, "indicators.json"),
          required,
          db: join(data, "s.sqlite"),
          resolver: fakeResolver({}),
          schedule,
          holder: "test-host:1:eeee",
        }),
      }),
  };
}

describe("serve's indicators", () => {
  it("nothing is scheduled without indicators.json", async () => {
    const service = await start("none").service();
    try {
      expect(service.indicators).toBeNull();
    } finally {
      await service.close();
    }
  });

  it("a named file that is missing, or a bad one, stops the start with a clear error", async () => {
    await expect(start("named", true, true).service()).rejects.toThrow(
      /indicators configuration .*indicators\.json: ENOENT/,
    );
    const bad = start("bad");
    mkdirSync(bad.data, { recursive: true });
    writeFileSync(join(bad.data, "indicators.json"), JSON.stringify({ generate: { catchUpDays: 99 } }));
    await expect(bad.service()).rejects.toThrow(/indicators\.json: generate\.catchUpDays/);
    // The store was closed: the service starts once the file is right.
    writeFileSync(join(bad.data, "indicators.json"), JSON.stringify({ generate: { catchUpDays: 2 } }));
    const service = await bad.service();
    try {
      expect(service.indicators).toBe(
        "TLS-RPT of every organisation with logs generated 60 min after each UTC day (catch-up 2 days)",
      );
    } finally {
      await service.close();
    }
  });

  it("--no-scheduler leaves the schedule off and says so", async () => {
    const off = start("off", false);
    mkdirSync(off.data, { recursive: true });
    writeFileSync(join(off.data, "indicators.json"), JSON.stringify({ generate: {} }));
    const service = await off.service();
    try {
      expect(service.indicators).toMatch(/\(schedule off\)$/);
    } finally {
      await service.close();
    }
  });
});
