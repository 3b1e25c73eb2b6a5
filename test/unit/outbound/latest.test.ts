/** Which test the audit judges: the newest complete one, else the newest running; and the lookup's facts. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundLookup } from "../../../src/outbound/audit-lookup.js";
import { openOutboundStore } from "../../../src/outbound/outbound-store.js";
import { latestOutboundResult } from "../../../src/outbound/outbound-tests.js";
import type { VariantConfig } from "../../../src/outbound/variant.js";
import { openStore, type Store } from "../../../src/store/database.js";

let dir: string;
let store: Store;
const variants: VariantConfig[] = [
  {
    kind: "valid",
    domain: "valid.t.example",
    mxHost: "mx.valid.t.example",
    listen: { host: "127.0.0.1", port: 0 },
    tls: null,
  },
];
const t0 = new Date("2026-12-01T10:00:00.000Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-outbound-latest-"));
  store = await openStore(join(dir, "db.sqlite"), { create: true });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("latest outbound result of a domain", () => {
  it("none yet: null for the audit (mx.outbound-tls says no test)", async () => {
    expect(await latestOutboundResult(store, "a.example", t0)).toBeNull();
    expect(await outboundLookup(store, () => t0)("a.example")).toBeNull();
  });

  it("prefers the newest complete test over a newer one still running", async () => {
    const tests = await openOutboundStore(store);
    const first = await tests.createTest({
      domain: "a.example",
      requestedBy: "unit",
      now: t0,
      lifetimeMs: 600_000,
      variants,
    });
    await tests.recordMessage({
      testId: first.id,
      variant: "valid",
      receivedAt: at(1).toISOString(),
      remoteAddress: "192.0.2.1",
      reverseName: null,
      reverseLookup: "none",
      ehlo: "mx.a.example",
      mailFrom: "",
      starttls: true,
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      group: "x25519",
      clientCertificate: null,
      sizeBytes: 10,
    });
    const second = await tests.createTest({
      domain: "a.example",
      requestedBy: "unit",
      now: at(2),
      lifetimeMs: 600_000,
      variants,
    });
    expect((await latestOutboundResult(store, "A.Example.", at(3)))?.id).toBe(first.id);
    // Once the second has expired (nothing arrived), it is final and newer.
    expect((await latestOutboundResult(store, "a.example", at(13)))?.id).toBe(second.id);
    const facts = await outboundLookup(store, () => at(3))("a.example");
    expect(facts).toMatchObject({
      testId: first.id,
      state: "complete",
      sessions: [{ variant: "valid", starttls: true, tlsVersion: "TLSv1.3", group: "x25519" }],
    });
  });

  it("a running test is judged when it is the only one", async () => {
    const tests = await openOutboundStore(store);
    const only = await tests.createTest({
      domain: "b.example",
      requestedBy: "unit",
      now: t0,
      lifetimeMs: 600_000,
      variants,
    });
    expect(await latestOutboundResult(store, "b.example", at(1))).toMatchObject({
      id: only.id,
      state: "waiting",
    });
  });
});
