/** No secret in the logs: passwords, API tokens and session cookies never appear in what the server logs. */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { redactedPaths, sessionCookieName } from "../../../src/web/server.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;
let logged = "";

beforeAll(async () => {
  store = await openStore(":memory:");
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  h = await startHarness(store, {
    logger: { level: "debug", stream, redact: { paths: redactedPaths, censor: "[redacted]" } } as never,
  });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe("logs", () => {
  it("record requests without the password, the token or the session cookie", async () => {
    const c = h.client();
    expect((await c.login(h.emails.agency, password)).status).toBe(303);
    await c.get("/api/v1/me");
    await h.client().get("/api/v1/me", { bearer: h.tokens.auditor });
    await h.client().login(h.emails.agency, "a wrong password typed");
    await new Promise((r) => setTimeout(r, 100));
    expect(logged).toContain('"url":"/login"');
    expect(logged).toContain('"msg":"login"');
    const session = c.cookies.get(sessionCookieName) as string;
    for (const secret of [
      password,
      "a wrong password typed",
      h.tokens.auditor,
      session,
      session.split(".")[0] as string,
    ])
      expect(logged).not.toContain(secret);
  });
});
