/** POST /tlsrpt (RFC 8460 §5.3.2) on the built server: media types, caps, bomb, duplicate, no CSRF. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tlsrptLimits } from "../../../src/core/limits.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt", name));
let store: Store;
let h: Harness;
beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
}, 60_000);
afterAll(async () => {
  await h.close();
  await store.close();
});

const post = (body: Buffer, type: string, client = h.client()) =>
  client.fetch("POST", "/tlsrpt", { body, headers: { "content-type": type } });

describe("POST /tlsrpt", () => {
  it("application/tlsrpt+json: 201 once committed; the same report again 200 duplicate", async () => {
    const first = await post(fixture("google-sts.json"), "application/tlsrpt+json");
    expect(first.status).toBe(201);
    expect(first.json()).toMatchObject({
      status: "accepted",
      organization: "Google Inc.",
      successful: 1204,
      error: null,
    });
    expect(first.json()).not.toHaveProperty("id");
    expect(await h.ctx.tlsrpt?.count()).toBe(1);
    const again = await post(fixture("google-sts.json.gz"), "application/tlsrpt+gzip");
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ status: "duplicate" });
    expect(await h.ctx.tlsrpt?.count()).toBe(1);
  });

  it("application/tlsrpt+gzip with warnings kept in the answer", async () => {
    const response = await post(fixture("microsoft.gz"), "application/tlsrpt+gzip");
    expect(response.status).toBe(201);
    expect(response.json<{ warnings: { code: string }[] }>().warnings.map((w) => w.code)).toContain(
      "date-without-zone",
    );
  });

  it("a gzip bomb is refused (413) without being inflated; its size never reaches the store", async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(tlsrptLimits.maxCompressedBytes);
    const started = Date.now();
    const response = await post(bomb, "application/tlsrpt+gzip");
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ status: "rejected", error: { code: "inflated_too_large" } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a body over the compressed cap is refused as it arrives (413 body_too_large)", async () => {
    const response = await post(
      Buffer.alloc(tlsrptLimits.maxCompressedBytes + 1, 0x20),
      "application/tlsrpt+json",
    );
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: "body_too_large" } });
  });

  it("other media types are 415 naming the two of RFC 8460; bad JSON is 400 with its reason", async () => {
    const wrong = await post(fixture("google-sts.json"), "application/json");
    expect(wrong.status).toBe(415);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/application\/tlsrpt\+json/);
    const bad = await post(fixture("truncated.json"), "application/tlsrpt+json");
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ status: "rejected", error: { code: "not_json" } });
    const noId = await post(fixture("no-report-id.json"), "application/tlsrpt+json");
    expect(noId.status).toBe(422);
    expect(noId.json()).toMatchObject({ error: { code: "missing_report_id" } });
  });

  it("a logged-in browser posting without a CSRF token is taken as any sender (no credentials used)", async () => {
    const client = h.client();
    expect((await client.login(h.emails.operatorX, password)).status).toBe(303);
    const response = await post(fixture("postfix-dane-tlsa.json"), "application/tlsrpt+json", client);
    expect(response.status).toBe(201);
  });
});
