/**
 * serve with the monitor: an on-demand audit requested over the API is run by this process's queue
 * (a fake auditor stands for the engine) and its report is read back; stopping waits for it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Accounts } from "../../../src/accounts/accounts.js";
import { openMonitor } from "../../../src/monitor/monitor.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore } from "../../../src/store/database.js";
import { startService } from "../../../src/web/service.js";
import { reportOf } from "../../support/audit-fixture.js";
import { WebClient } from "../../support/web-client.js";

describe("serve with the monitor", () => {
  it("runs an on-demand audit in its own queue and serves the result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailcharter-serve-monitor-"));
    const db = join(dir, "service.sqlite");
    const setup = await openStore(db, { create: true });
    const registry = await Registry.open(setup);
    await registry.add({
      name: "X Mail",
      contact: "c@x.example",
      adhesionDate: "2026-01-01",
      domains: [{ domain: "x.example", mx: ["mx.x.example"] }],
    });
    const accounts = new Accounts(setup, registry);
    const { account } = await accounts.add({
      email: "op@x.example",
      role: "operator",
      organisation: "X Mail",
      password: "a long test password",
    });
    const { token } = await accounts.createToken(
      {
        kind: "account",
        accountId: account.id,
        email: account.email,
        role: "operator",
        organisationId: account.organisationId,
        via: "session",
      },
      { name: "test" },
    );
    const domainId = (await registry.entries())[0]?.domains[0]?.id as number;
    await setup.close();
    const audited: string[] = [];
    const service = await startService({
      db,
      dataDir: dir,
      listen: { host: "127.0.0.1", port: 0 },
      httpListen: null,
      tls: null,
      scheduler: false,
      logger: false,
      monitor: (store) =>
        openMonitor({
          store,
          auditor: () => async (domain, onProgress) => {
            audited.push(domain);
            onProgress(1, 1, "mx.x.example:25");
            return reportOf(domain, { finishedAt: new Date().toISOString() });
          },
        }),
    });
    try {
      const c = new WebClient(`https://127.0.0.1:${service.https.port}`, service.identity.cert);
      const asked = await c.fetch("POST", `/api/v1/domains/${domainId}/audits`, { bearer: token, json: {} });
      expect(asked.status).toBe(202);
      const id = asked.json<{ run: { id: number } }>().run.id;
      let status = "queued";
      for (let i = 0; i < 100 && status !== "done"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await c.get(`/api/v1/audits/${id}`, { bearer: token })).json<{ status: string }>().status;
      }
      expect(status).toBe("done");
      expect(audited).toEqual(["x.example"]);
      const run = (await c.get(`/api/v1/audits/${id}`, { bearer: token })).json<{
        verdict: string;
        report: { domain: string };
      }>();
      expect(run).toMatchObject({ verdict: "compliant", report: { domain: "x.example" } });
    } finally {
      await service.close();
    }
  });
});
