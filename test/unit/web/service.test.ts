/** startService: secrets generated once in the data directory (0600), the same identity on restart, clear listen errors. */
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startService } from "../../../src/web/service.js";
import { fingerprintOf } from "../../../src/web/tls-identity.js";

describe("startService", () => {
  it("generates the certificate and secrets once, keeps them on restart, and says when the port is taken", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailcharter-service-"));
    const options = {
      db: join(dir, "service.sqlite"),
      dataDir: dir,
      listen: { host: "127.0.0.1", port: 0 },
      httpListen: { host: "127.0.0.1", port: 0 },
      tls: null,
      scheduler: false,
      logger: false,
    } as const;
    const first = await startService(options);
    try {
      expect(first.identity.source).toBe("generated");
      expect(first.identity.fingerprint).toBe(fingerprintOf(first.identity.cert));
      expect(first.identity.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      for (const secret of ["tls-key.pem", "session-secret", "list-signing-key.json"])
        expect(statSync(join(dir, secret)).mode & 0o777, secret).toBe(0o600);
      expect(first.http?.port).toBeGreaterThan(0);
      await expect(
        startService({ ...options, listen: { host: "127.0.0.1", port: first.https.port } }),
      ).rejects.toThrow(/--listen 127\.0\.0\.1:\d+: the address is in use/);
    } finally {
      await first.close();
    }
    const second = await startService(options);
    try {
      expect(second.identity.source).toBe("data-dir");
      expect(second.identity.fingerprint).toBe(first.identity.fingerprint);
    } finally {
      await second.close();
    }
  });
});
