/**
 * `/metrics` of a started service: refused without a token and with a wrong one, the Prometheus text
 * with the right one (compared in constant time); the figures come from the store (the outbox here).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enqueueOutgoing } from "../../../src/notify/outbox.js";
import { startService } from "../../../src/web/service.js";

function get(
  port: number,
  path: string,
  token?: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        rejectUnauthorized: false,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"]),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("/metrics", () => {
  it("needs the configured token and exposes the store's figures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailcharter-metrics-"));
    const token = "b1f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5";
    writeFileSync(join(dir, "metrics-token"), `${token}\n`, { mode: 0o600 });
    writeFileSync(join(dir, "notify.json"), JSON.stringify({ metrics: { tokenFile: "metrics-token" } }));
    const service = await startService({
      db: join(dir, "service.sqlite"),
      dataDir: dir,
      listen: { host: "127.0.0.1", port: 0 },
      httpListen: null,
      tls: null,
      scheduler: false,
      logger: false,
    });
    try {
      await enqueueOutgoing(service.store.db, {
        channel: "https",
        destination: "https://b.example/tlsrpt",
        content: Buffer.from("x"),
        contentType: "application/tlsrpt+gzip",
        dedupKey: "m:1",
      });
      const port = service.https.port;
      expect((await get(port, "/metrics")).status).toBe(401);
      expect((await get(port, "/metrics", `${token.slice(0, -1)}0`)).status).toBe(401);
      expect((await get(port, "/metrics", token.slice(0, 8))).status).toBe(401);
      const ok = await get(port, "/metrics", token);
      expect(ok.status).toBe(200);
      expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(ok.body).toContain("# TYPE mailcharter_outbox_messages gauge");
      expect(ok.body).toMatch(
        /mailcharter_outbox_messages\{channel="https",state="(pending|sent|failed)"\} 1/,
      );
      expect(ok.body).toContain("mailcharter_scheduler_lag_seconds 0");
      expect(ok.body).toContain("# TYPE mailcharter_incidents_unresolved gauge");
      // The scraper's token opens /metrics only.
      expect((await get(port, "/api/v1/notifications/deliveries", token)).status).toBe(401);
    } finally {
      await service.close();
    }
  });
});
