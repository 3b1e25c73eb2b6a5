/**
 * The MTA log upload page: the form (caps on the page, CSRF, only the viewer's organisations), an
 * upload of the lab's real Postfix log (plain and gzip) through Post/Redirect/Get to the summary, and
 * the hostile cases: no file, a wrong format, another organisation (403), no CSRF token, a file past
 * the cap, a gzip bomb, broken gzip. Nothing refused is stored: the links stay as they were.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceLimits } from "../../../src/core/limits.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { uploadLimits } from "../../../src/web/app/log-upload.js";
import { type Harness, password, startHarness } from "../../support/service-harness.js";
import { WebClient } from "../../support/web-client.js";

let store: Store;
let h: Harness;

const senderLog = readFileSync(new URL("../../fixtures/logs/lab-postfix-sender.txt", import.meta.url));
const eximLog = readFileSync(new URL("../../fixtures/logs/exim-mainlog.txt", import.meta.url));

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  h.clock.now = new Date("2026-12-02T12:00:00Z");
});
afterAll(async () => {
  await h.close();
  await store.close();
});

interface Part {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
}

/** A multipart/form-data body as a browser sends it (RFC 7578), the parts in the order given. */
function multipart(parts: readonly Part[]): { body: Buffer; type: string } {
  const boundary = "----mailcharterTestBoundary7MA4YWxkTrZu0gW";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? "" : `; filename="${p.filename}"`}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? "" : "Content-Type: application/octet-stream\r\n"}\r\n`;
    chunks.push(
      Buffer.from(head),
      Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value),
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

async function loggedIn(email: string): Promise<{ client: WebClient; csrf: string; page: string }> {
  const client = h.client();
  expect((await client.login(email, password)).status).toBe(303);
  const form = await client.get("/indicators/logs?lang=en");
  expect(form.status).toBe(200);
  return { client, csrf: WebClient.csrfOf(form.text), page: form.text };
}

const post = (client: WebClient, parts: readonly Part[]) => {
  const { body, type } = multipart(parts);
  return client.fetch("POST", "/indicators/logs", { body, headers: { "content-type": type } });
};

const fields = (csrf: string, organisation: number, format = "postfix"): Part[] => [
  { name: "_csrf", value: csrf },
  { name: "organisation", value: String(organisation) },
  { name: "format", value: format },
];

const linkTotal = async () =>
  (await h.ctx.indicators?.links({ from: "2026-11-01", to: "2026-12-31" }))?.reduce(
    (n, r) => n + r.sessions,
    0,
  ) ?? -1;

/** The figure of the result page in the cell marked `attr="name"`. */
const figure = (page: string, attr: string, name: string) =>
  Number(new RegExp(`data-${attr}="${name}">(\\d+)<`).exec(page)?.[1] ?? Number.NaN);

describe("the upload form", () => {
  it("says the caps, puts the CSRF field before the file, offers an operator its organisation only", async () => {
    const { page } = await loggedIn(h.emails.operatorX);
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain(`at most ${uploadLimits.uploadBytes / 1024 / 1024} MiB`);
    expect(page).toContain(`at most ${uploadLimits.inflateRatio} times its size`);
    expect(page).toContain(`must arrive within ${serviceLimits.requestTimeoutMs / 1000} s`);
    expect(page.indexOf('name="_csrf"')).toBeLessThan(page.indexOf('type="file"'));
    expect(page).toContain(`<option value="${h.ids.orgX}" selected>X Mail</option>`);
    expect(page).not.toContain(`value="${h.ids.orgY}"`);
    expect(page).not.toMatch(/<script|style="/);
    const agency = await loggedIn(h.emails.agency);
    expect(agency.page).toContain(`value="${h.ids.orgY}"`);
    const fr = await agency.client.get("/indicators/logs?lang=fr");
    expect(fr.text).toContain("Déposer un journal de MTA");
  });
});

describe("an upload", () => {
  it("the lab's real Postfix log: Post/Redirect/Get to its summary, the links fed", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const before = await linkTotal();
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: senderLog, filename: "mail.log" },
    ]);
    expect(answer.status, answer.text).toBe(303);
    expect(answer.headers.location).toBe("/indicators/logs/result");
    const result = await client.get("/indicators/logs/result?lang=en");
    expect(result.status).toBe(200);
    expect(result.text).toContain("mail.log: Postfix log of X Mail");
    // The figures the real Postfix of test/interop/log-proof.test.ts logged (91 lines).
    expect(figure(result.text, "figure", "lines")).toBe(91);
    expect(figure(result.text, "figure", "unparsed")).toBe(0);
    expect(figure(result.text, "delivery", "sent")).toBe(6);
    expect(figure(result.text, "delivery", "deferred")).toBe(3);
    expect(result.text).toMatch(/Outbound deliveries made<\/th><td class="num" data-class="verified">4</);
    expect(result.text).toMatch(/data-class="anonymous">0<\/td><td class="num" data-class="none">2</);
    expect(await linkTotal()).toBeGreaterThan(before);
  });

  it("the same log gzip-compressed gives the same figures, and counts nothing twice", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const before = await linkTotal();
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: gzipSync(senderLog), filename: "mail.log.1.gz" },
    ]);
    expect(answer.status, answer.text).toBe(303);
    const result = await client.get("/indicators/logs/result?lang=en");
    expect(result.text).toMatch(/\(gzip, [\d.]+ KiB once inflated\)/);
    expect(figure(result.text, "figure", "lines")).toBe(91);
    expect(figure(result.text, "delivery", "sent")).toBe(6);
    expect(await linkTotal()).toBe(before);
  });

  it("an Exim log read as Postfix: its lines unrecognised, no session, and the page says so", async () => {
    const { client, csrf } = await loggedIn(h.emails.agency);
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgY),
      { name: "file", value: eximLog, filename: "mainlog" },
    ]);
    expect(answer.status).toBe(303);
    const result = await client.get("/indicators/logs/result?lang=en");
    // Every line but the syslog-framed one of another program (exim[4321]), which Postfix skips.
    expect(figure(result.text, "figure", "lines")).toBe(19);
    expect(figure(result.text, "figure", "unparsed")).toBe(18);
    expect(figure(result.text, "delivery", "sent")).toBe(0);
    expect(result.text).toContain("No session was recognised, and most lines are not those of a Postfix log");
    // The right format: deliveries, and no such warning.
    const again = await post(client, [
      ...fields(WebClient.csrfOf((await client.get("/indicators/logs")).text), h.ids.orgY, "exim"),
      { name: "file", value: eximLog, filename: "mainlog" },
    ]);
    expect(again.status).toBe(303);
    const right = await client.get("/indicators/logs/result?lang=en");
    expect(figure(right.text, "delivery", "sent")).toBeGreaterThan(0);
    expect(right.text).not.toContain("No session was recognised");
  });

  it("an API token's form post gets the result in the answer (no session to keep it in)", async () => {
    const { body, type } = multipart([
      { name: "organisation", value: String(h.ids.orgX) },
      { name: "format", value: "exim" },
      { name: "file", value: eximLog, filename: "mainlog" },
    ]);
    const answer = await h.client().fetch("POST", "/indicators/logs?lang=en", {
      bearer: h.tokens.operatorX,
      body,
      headers: { "content-type": type },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain("mainlog: Exim (mainlog) log of X Mail");
    expect(figure(answer.text, "figure", "lines")).toBe(eximLog.toString().trimEnd().split("\n").length);
  });

  it("no result yet: the result page sends back to the form", async () => {
    const client = h.client();
    await client.login(h.emails.operatorY, password);
    const answer = await client.get("/indicators/logs/result");
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe("/indicators/logs");
  });
});

describe("refused uploads (the error under its field, nothing stored)", () => {
  const fieldError = (page: string, id: string) =>
    new RegExp(`<small id="${id}-error" class="field-error">([^<]+)</small>`).exec(page)?.[1];

  it("no file", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: "", filename: "" },
    ]);
    expect(answer.status).toBe(400);
    expect(fieldError(answer.text, "log-file")).toBe("Choose the log file.");
    expect(answer.text).toMatch(/id="log-file"[^>]*aria-invalid="true"/);
  });

  it("an empty file", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: "", filename: "x.log" },
    ]);
    expect(answer.status).toBe(400);
    expect(fieldError(answer.text, "log-file")).toBe("The file is empty.");
  });

  it("a format that is not Postfix or Exim", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const before = await linkTotal();
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX, "sendmail"),
      { name: "file", value: senderLog, filename: "mail.log" },
    ]);
    expect(answer.status).toBe(400);
    expect(fieldError(answer.text, "log-format")).toBe("Choose Postfix or Exim.");
    expect(await linkTotal()).toBe(before);
  });

  it("another organisation's log: 403, the file unread", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorY);
    const before = await linkTotal();
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: senderLog, filename: "mail.log" },
    ]);
    expect(answer.status).toBe(403);
    expect(fieldError(answer.text, "log-organisation")).toBe(
      "You upload the logs of your own organisation only.",
    );
    expect(await linkTotal()).toBe(before);
  });

  it("no CSRF token (a cross-site form): 403 before the file is read", async () => {
    const { client } = await loggedIn(h.emails.operatorX);
    const answer = await post(client, [
      { name: "organisation", value: String(h.ids.orgX) },
      { name: "format", value: "postfix" },
      { name: "file", value: senderLog, filename: "mail.log" },
    ]);
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/CSRF/);
    // The token after the file is not taken either: the form sends it first.
    const { csrf } = await loggedIn(h.emails.operatorX);
    const late = await post(client, [
      { name: "organisation", value: String(h.ids.orgX) },
      { name: "format", value: "postfix" },
      { name: "file", value: senderLog, filename: "mail.log" },
      { name: "_csrf", value: csrf },
    ]);
    expect(late.status).toBe(403);
  });

  it("a body that is not multipart", async () => {
    const answer = await h.client().fetch("POST", "/indicators/logs?lang=en", {
      bearer: h.tokens.operatorX,
      body: senderLog,
      headers: { "content-type": "text/plain" },
    });
    expect(answer.status).toBe(415);
  });

  it("a file past the cap: 413 from its declared length, unread", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const before = await linkTotal();
    const big = Buffer.alloc(uploadLimits.uploadBytes + 128 * 1024, "a");
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: big, filename: "big.log" },
    ]);
    expect(answer.status).toBe(413);
    expect(fieldError(answer.text, "log-file")).toMatch(/larger than 50 MiB/);
    expect(await linkTotal()).toBe(before);
  }, 30_000);

  it("a gzip bomb: stopped at the ratio, long before its size", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(uploadLimits.uploadBytes / 100);
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: bomb, filename: "bomb.gz" },
    ]);
    expect(answer.status).toBe(413);
    expect(fieldError(answer.text, "log-file")).toBe(
      `The gzip file inflates more than ${uploadLimits.inflateRatio} times: it is not a log.`,
    );
  }, 30_000);

  it("a file that starts like gzip and is not", async () => {
    const { client, csrf } = await loggedIn(h.emails.operatorX);
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 0x41)]);
    const answer = await post(client, [
      ...fields(csrf, h.ids.orgX),
      { name: "file", value: broken, filename: "x.gz" },
    ]);
    expect(answer.status).toBe(400);
    expect(fieldError(answer.text, "log-file")).toBe("The file starts like gzip but is not valid gzip.");
  });

  it("an auditor may not upload (the route's entry)", async () => {
    const client = h.client();
    await client.login(h.emails.auditor, password);
    expect((await client.get("/indicators/logs")).status).toBe(403);
  });
});
