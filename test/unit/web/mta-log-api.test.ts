/**
 * `POST /api/v1/organisations/:id/mta-logs` through fastify's inject: the lab's real Postfix log sent
 * as each accepted type, plain and gzip (told by the magic bytes, whatever the type says), with
 * `Content-Encoding: gzip`, and streamed in chunks without a length; the hostile cases (a body past
 * the cap, declared or streamed, a gzip bomb, a body declared gzip that is not, an unknown type or
 * encoding, an empty body, another organisation's id) each refused with its status, code and reason,
 * and nothing of them stored. A 200 means the sessions are in the store already.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { uploadLimits } from "../../../src/web/app/log-upload.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;

const senderLog = readFileSync(new URL("../../fixtures/logs/lab-postfix-sender.txt", import.meta.url));

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  h.clock.now = new Date("2026-12-02T12:00:00Z");
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const linkTotal = async () =>
  (await h.ctx.indicators?.links({ from: "2026-11-01", to: "2026-12-31" }))?.reduce(
    (n, r) => n + r.sessions,
    0,
  ) ?? -1;

interface Answer {
  readonly statusCode: number;
  readonly body: string;
  json(): unknown;
}

function send(
  payload: Buffer | Readable,
  headers: Record<string, string>,
  options: { org?: number; token?: string; format?: string } = {},
): Promise<Answer> {
  return h.server.app.inject({
    method: "POST",
    url: `/api/v1/organisations/${options.org ?? h.ids.orgX}/mta-logs?format=${options.format ?? "postfix"}`,
    headers: { authorization: `Bearer ${options.token ?? h.tokens.operatorX}`, ...headers },
    payload,
  }) as Promise<Answer>;
}

/** The figures the real Postfix of test/interop/log-proof.test.ts logged (91 lines). */
const labSummary = {
  schema: "mailcharter/indicators-log/1",
  lines: 91,
  unparsed: 0,
  deliveries: { sent: 6, deferred: 3, bounced: 0 },
};

const errorOf = (a: Answer) =>
  (a.json() as { error: { code: string; message: string; reason?: string } }).error;

describe("the log as the body", () => {
  it("text/plain: 200 once stored — the sessions are in the links when the answer comes", async () => {
    const before = await linkTotal();
    const answer = await send(senderLog, { "content-type": "text/plain; charset=utf-8" });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject(labSummary);
    expect(await linkTotal()).toBeGreaterThan(before);
  });

  it.each([
    ["text/plain", "gzip by its magic bytes"],
    ["application/octet-stream", "gzip by its magic bytes"],
    ["application/gzip", "declared"],
    ["application/x-gzip", "declared"],
  ])("%s with a gzip body (%s): the same summary", async (type) => {
    const answer = await send(gzipSync(senderLog), { "content-type": type });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject(labSummary);
  });

  it("application/octet-stream plain, and text/plain with Content-Encoding: gzip", async () => {
    const plain = await send(senderLog, { "content-type": "application/octet-stream" });
    expect(plain.json()).toMatchObject(labSummary);
    const encoded = await send(gzipSync(senderLog), {
      "content-type": "text/plain",
      "content-encoding": "gzip",
    });
    expect(encoded.statusCode, encoded.body).toBe(200);
    expect(encoded.json()).toMatchObject(labSummary);
  });

  it("streamed in small chunks with no Content-Length (chunked)", async () => {
    const gz = gzipSync(senderLog);
    const chunks = Array.from({ length: Math.ceil(gz.length / 7) }, (_, i) => gz.subarray(i * 7, i * 7 + 7));
    const answer = await send(Readable.from(chunks), { "content-type": "application/gzip" });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject(labSummary);
  });

  it("sending the same log again counts its lines but stores nothing twice", async () => {
    const before = await linkTotal();
    const again = await send(senderLog, { "content-type": "text/plain" });
    expect(again.json()).toMatchObject(labSummary);
    expect(await linkTotal()).toBe(before);
  });
});

describe("refused, with the reason, nothing stored", () => {
  it("a declared length past the cap: 413 too_large before a byte is read", async () => {
    const before = await linkTotal();
    const big = Buffer.alloc(uploadLimits.uploadBytes + 1, "a");
    const answer = await send(big, { "content-type": "text/plain" });
    expect(answer.statusCode).toBe(413);
    expect(errorOf(answer)).toMatchObject({ code: "body_too_large", reason: "too_large" });
    expect(await linkTotal()).toBe(before);
  }, 30_000);

  it("a stream without a length past the cap: 413 too_large, stopped as it passes", async () => {
    const before = await linkTotal();
    // Lines of no session (a batch of sessions committed before the cap would stay stored, and the
    // answer says so; here there is none to store).
    const line = Buffer.from("Dec  1 10:00:00 mx postfix/qmgr[9]: warning: a line of no session\n");
    const chunk = Buffer.concat(Array.from({ length: Math.ceil((1024 * 1024) / line.length) }, () => line));
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    const answer = await send(endless, { "content-type": "text/plain" });
    expect(answer.statusCode).toBe(413);
    expect(errorOf(answer).reason).toBe("too_large");
    expect(errorOf(answer).message).toMatch(/larger than 50 MiB; sessions of the lines read before/);
    expect(pulled).toBeLessThan(uploadLimits.uploadBytes + 8 * chunk.length);
    expect(await linkTotal()).toBe(before);
  }, 30_000);

  it("over a real HTTPS socket, chunked: the 413 reaches the client while it is still sending", async () => {
    const before = await linkTotal();
    const chunk = Buffer.alloc(256 * 1024, "log line of no session\n");
    const answer = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
      let sent = 0;
      let done = false;
      const req = request(
        `${h.base}/api/v1/organisations/${h.ids.orgX}/mta-logs?format=postfix`,
        {
          method: "POST",
          ca: h.ca,
          agent: false,
          headers: {
            authorization: `Bearer ${h.tokens.operatorX}`,
            "content-type": "text/plain",
            "transfer-encoding": "chunked",
          },
        },
        (res) => {
          done = true;
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, sent });
          });
        },
      );
      req.on("error", (error) => (done ? undefined : reject(error)));
      const pump = () => {
        // Twice the cap at most: a server that never answered would leave the test to time out.
        while (!done && sent < 2 * uploadLimits.uploadBytes) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!done) req.end();
      };
      pump();
    });
    expect(answer.status, answer.body).toBe(413);
    expect((JSON.parse(answer.body) as { error: { reason: string } }).error.reason).toBe("too_large");
    expect(answer.sent).toBeLessThan(2 * uploadLimits.uploadBytes);
    expect(await linkTotal()).toBe(before);
  }, 60_000);

  it("a gzip bomb: 413 ratio_exceeded, long before its inflated size", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const answer = await send(bomb, { "content-type": "application/gzip" });
    expect(answer.statusCode).toBe(413);
    expect(errorOf(answer)).toMatchObject({ code: "body_too_large", reason: "ratio_exceeded" });
    expect(errorOf(answer).message).toMatch(/inflates more than 100 times/);
  }, 30_000);

  it("declared gzip (type or encoding) and not gzip; gzip magic then garbage: 400 bad_gzip", async () => {
    for (const headers of [
      { "content-type": "application/gzip" },
      { "content-type": "text/plain", "content-encoding": "gzip" },
    ]) {
      const answer = await send(senderLog, headers);
      expect(answer.statusCode, JSON.stringify(headers)).toBe(400);
      expect(errorOf(answer)).toMatchObject({ code: "invalid_request", reason: "bad_gzip" });
    }
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 0x41)]);
    const answer = await send(broken, { "content-type": "text/plain" });
    expect(answer.statusCode).toBe(400);
    expect(errorOf(answer).reason).toBe("bad_gzip");
  });

  it("another type or encoding: 415, the message lists what is accepted", async () => {
    for (const headers of [
      { "content-type": "application/json" },
      { "content-type": "multipart/form-data; boundary=x" },
      { "content-type": "text/plain", "content-encoding": "br" },
    ]) {
      const answer = await send(Buffer.from("{}"), headers);
      expect(answer.statusCode, JSON.stringify(headers)).toBe(415);
      expect(errorOf(answer).code).toBe("unsupported_media_type");
    }
    const json = await send(Buffer.from("{}"), { "content-type": "application/json" });
    expect(errorOf(json).message).toBe(
      "send the log as text/plain, application/octet-stream, application/gzip, application/x-gzip (gzip-compressed or not; Content-Encoding: gzip is accepted too)",
    );
  });

  it("an empty body: 400 empty", async () => {
    const answer = await send(Buffer.alloc(0), { "content-type": "text/plain" });
    expect(answer.statusCode).toBe(400);
    expect(errorOf(answer).reason).toBe("empty");
  });

  it("another organisation's id is not found, an unknown format 400, an auditor 403", async () => {
    const before = await linkTotal();
    const other = await send(senderLog, { "content-type": "text/plain" }, { org: h.ids.orgY });
    expect(other.statusCode).toBe(404);
    const format = await send(senderLog, { "content-type": "text/plain" }, { format: "sendmail" });
    expect(format.statusCode).toBe(400);
    const auditor = await send(senderLog, { "content-type": "text/plain" }, { token: h.tokens.auditor });
    expect(auditor.statusCode).toBe(403);
    expect(await linkTotal()).toBe(before);
  });
});
