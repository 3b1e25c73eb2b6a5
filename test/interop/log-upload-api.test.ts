/**
 * `POST /api/v1/organisations/:id/mta-logs` against the built `mailcharter serve` on its own loopback
 * address, with a generated Postfix log of 300 000 lines (several batches of sessions):
 * - sent plain with its length, gzip-compressed, and chunked in small writes (no length), the answer
 *   is the summary `mailcharter indicators ingest-log --no-store --json` prints for the same file, and
 *   three uploads of the same lines store its sessions once;
 * - an operator of X cannot upload for Y (404, nothing stored for Y); a wrong format, media type,
 *   encoding, an empty body, broken gzip, a gzip bomb (refused before 1 % of it is inflated) and a
 *   declared length over the cap (refused before the body is sent) each get their status and reason;
 * - `kill -9` in the middle of an upload, restart: the batches committed before the kill are kept,
 *   the database opens, and the same upload sent again completes with exactly the sessions of one
 *   clean upload — none lost, none twice.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generatePostfixLog } from "../../bench/logs.js";
import { Accounts, type AccountView } from "../../src/accounts/accounts.js";
import type { Principal } from "../../src/accounts/principal.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";
import { startServe, stopProcess } from "../support/serve-process.js";
import { logUploadApiAddress } from "./lab/ports.js";

const { address, port } = logUploadApiAddress;
const work = mkdtempSync(join(tmpdir(), "mailcharter-log-upload-api-"));
const db = join(work, "service.sqlite");
const logFile = join(work, "mail.log");
const password = "a log upload API test password";

let child: ChildProcess | null = null;
let log = Buffer.alloc(0);
let reference: Record<string, unknown> = {};
/** Sessions one clean upload of the log stores. */
let clean = 0;
const ids = { x: 0, y: 0 };
const tokens = { agency: "", operatorX: "" };

const principalOf = (a: AccountView): Principal => ({
  kind: "account",
  accountId: a.id,
  email: a.email,
  role: a.role,
  organisationId: a.organisationId,
  via: "token",
});

async function seed(): Promise<void> {
  const store = await openStore(db, { create: true });
  try {
    const registry = await Registry.open(store);
    await registry.add({
      name: "Xmail SA",
      contact: "contact@x.example",
      adhesionDate: "2026-01-15",
      domains: [{ domain: "x.example", mx: ["mx.x.example"] }],
    });
    await registry.add({
      name: "Ymail SAS",
      contact: "contact@y.example",
      adhesionDate: "2026-02-01",
      domains: [{ domain: "y.example", mx: ["mx.y.example"] }],
    });
    const byName = new Map((await registry.entries()).map((e) => [e.signatory.name, e.id]));
    ids.x = byName.get("Xmail SA") ?? 0;
    ids.y = byName.get("Ymail SAS") ?? 0;
    const accounts = new Accounts(store, registry, () => new Date());
    const agency = await accounts.add({ email: "keeper@agency.example", role: "agency", password });
    const operator = await accounts.add({
      email: "postmaster@x.example",
      role: "operator",
      organisation: "Xmail SA",
      password,
    });
    tokens.agency = (await accounts.createToken(principalOf(agency.account), { name: "logs" })).token;
    tokens.operatorX = (await accounts.createToken(principalOf(operator.account), { name: "logs" })).token;
  } finally {
    await store.close();
  }
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
  /** Body bytes written before the answer came. */
  readonly written: number;
}

interface Upload {
  readonly org: number;
  readonly token: string;
  readonly body: Buffer;
  readonly format?: string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
  /** Chunked: written in pieces of this size, no Content-Length. */
  readonly chunk?: number;
  /** Headers only, no body: the server must answer from the declared length. */
  readonly declared?: number;
  /** Called once `at` body bytes are written (chunked); the upload waits for it to resolve. */
  readonly pause?: { readonly at: number; readonly run: () => Promise<void> };
}

/** One upload; null when the connection died before an answer. */
function upload(u: Upload): Promise<Answer | null> {
  const ca = readFileSync(join(work, "tls-cert.pem"), "utf8");
  const headers: Record<string, string> = {
    "content-type": u.type ?? "text/plain",
    authorization: `Bearer ${u.token}`,
    ...u.headers,
  };
  if (u.declared !== undefined) headers["content-length"] = String(u.declared);
  else if (u.chunk === undefined) headers["content-length"] = String(u.body.length);
  return new Promise((resolve) => {
    let written = 0;
    let settled = false;
    const finish = (answer: Answer | null) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const req = request(
      {
        host: address,
        port,
        path: `/api/v1/organisations/${u.org}/mta-logs?format=${u.format ?? "postfix"}`,
        method: "POST",
        headers,
        ca,
        agent: false,
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let body: Record<string, unknown> | null = null;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
          } catch {
            body = null;
          }
          finish({ status: res.statusCode ?? 0, body, written });
        });
        res.on("error", () => finish(null));
      },
    );
    req.on("error", () => finish(null));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    if (u.declared !== undefined) {
      req.flushHeaders();
      return;
    }
    if (u.chunk === undefined) {
      written = u.body.length;
      req.end(u.body);
      return;
    }
    const size = u.chunk;
    const write = async () => {
      let paused = false;
      for (let at = 0; at < u.body.length && !settled; at += size) {
        if (u.pause && !paused && at >= u.pause.at) {
          paused = true;
          await u.pause.run();
        }
        const piece = u.body.subarray(at, at + size);
        written += piece.length;
        if (!req.write(piece)) await new Promise<void>((r) => req.once("drain", () => r()));
      }
      if (!settled) req.end();
    };
    write().catch(() => finish(null));
  });
}

/** Sessions stored for an organisation, read beside the running service (SQLite WAL). */
function storedSessions(org: number): number {
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const row = handle
      .prepare("select count(*) as n from log_sessions where organisation_id = ?")
      .get(org) as {
      n: number;
    };
    return row.n;
  } finally {
    handle.close();
  }
}

beforeAll(async () => {
  log = Buffer.from(generatePostfixLog(300_000));
  writeFileSync(logFile, log);
  reference = JSON.parse(
    execFileSync(
      "node",
      [
        "dist/cli/main.js",
        "indicators",
        "ingest-log",
        "--format",
        "postfix",
        "--no-store",
        "--json",
        logFile,
      ],
      { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    ),
  ) as Record<string, unknown>;
  await seed();
}, 120_000);

afterEach(async () => {
  if (child) await stopProcess(child, "SIGTERM");
  child = null;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("MTA log upload over the API, against the real service", () => {
  it("plain, gzip and chunked uploads answer the CLI's summary of the same file, and store its sessions once", async () => {
    expect(reference).toMatchObject({ schema: "mailcharter/indicators-log/1", lines: 300_000 });
    child = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
    const plain = await upload({ org: ids.x, token: tokens.operatorX, body: log });
    expect(plain?.status).toBe(200);
    expect(plain?.body).toEqual(reference);
    const once = storedSessions(ids.x);
    clean = once;
    // Several batches of sessions (logLimits.batchSessions is 20 000).
    expect(once).toBeGreaterThan(40_000);

    const gzip = await upload({
      org: ids.x,
      token: tokens.operatorX,
      body: gzipSync(log),
      type: "application/gzip",
    });
    expect(gzip?.status).toBe(200);
    expect(gzip?.body).toEqual(reference);
    const chunked = await upload({
      org: ids.x,
      token: tokens.operatorX,
      body: gzipSync(log),
      type: "application/octet-stream",
      headers: { "content-encoding": "gzip" },
      chunk: 64 * 1024,
    });
    expect(chunked?.status).toBe(200);
    expect(chunked?.body).toEqual(reference);
    const plainChunked = await upload({ org: ids.x, token: tokens.operatorX, body: log, chunk: 16 * 1024 });
    expect(plainChunked?.body).toEqual(reference);
    expect(storedSessions(ids.x)).toBe(once);
  }, 180_000);

  it("refuses another organisation's upload, and each bad upload with its status and reason", async () => {
    child = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
    // The log's first lines, cut at a line's end: their sessions are already stored for X.
    const small = log.subarray(0, log.indexOf(10, 200_000) + 1);
    const crossOrg = await upload({ org: ids.y, token: tokens.operatorX, body: small });
    expect(crossOrg?.status).toBe(404);
    expect(storedSessions(ids.y)).toBe(0);
    const noToken = await upload({ org: ids.x, token: "mc_not_a_token", body: small });
    expect(noToken?.status).toBe(401);

    const code = (a: Answer | null) => [
      a?.status,
      (a?.body?.error as { reason?: string } | undefined)?.reason,
    ];
    expect(
      code(await upload({ org: ids.x, token: tokens.operatorX, body: small, format: "sendmail" }))[0],
    ).toBe(400);
    expect(
      code(await upload({ org: ids.x, token: tokens.operatorX, body: small, type: "text/html" })),
    ).toEqual([415, undefined]);
    expect(
      code(
        await upload({
          org: ids.x,
          token: tokens.operatorX,
          body: small,
          headers: { "content-encoding": "br" },
        }),
      ),
    ).toEqual([415, undefined]);
    expect(code(await upload({ org: ids.x, token: tokens.operatorX, body: Buffer.alloc(0) }))).toEqual([
      400,
      "empty",
    ]);
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from("not deflate at all")]);
    expect(code(await upload({ org: ids.x, token: tokens.operatorX, body: broken }))).toEqual([
      400,
      "bad_gzip",
    ]);

    // A bomb: 256 MiB of zeros in a quarter of a megabyte, refused by the ratio long before it is inflated.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(512 * 1024);
    const bombed = await upload({ org: ids.x, token: tokens.operatorX, body: bomb, chunk: 16 * 1024 });
    expect(code(bombed)).toEqual([413, "ratio_exceeded"]);

    // Over the cap by its declared length: the answer comes before any of the body is sent.
    const declared = await upload({
      org: ids.x,
      token: tokens.operatorX,
      body: Buffer.alloc(0),
      declared: 51 * 1024 * 1024,
    });
    expect(code(declared)).toEqual([413, "too_large"]);
    expect(declared?.written).toBe(0);

    // Over the cap without a length (chunked): refused once past it, not read to its end.
    const endless = Buffer.alloc(60 * 1024 * 1024, "x");
    const overflowed = await upload({
      org: ids.x,
      token: tokens.operatorX,
      body: endless,
      chunk: 256 * 1024,
    });
    // The answer comes, or the connection is closed on the writer; never the whole body read.
    expect(overflowed === null || code(overflowed).join() === "413,too_large").toBe(true);
    if (overflowed) expect(overflowed.written).toBeLessThan(endless.length);
    // The service still answers after all of them.
    const after = await upload({ org: ids.x, token: tokens.operatorX, body: small });
    expect(after?.status).toBe(200);
    expect(storedSessions(ids.x)).toBe(clean);
  }, 180_000);

  it("kill -9 in the middle of an upload, restart: committed batches kept, the upload again stores one copy", async () => {
    expect(clean).toBeGreaterThan(40_000);
    const proc = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
    child = proc;
    let atKill = 0;
    const cut = await upload({
      org: ids.y,
      token: tokens.agency,
      body: log,
      chunk: 64 * 1024,
      pause: {
        at: Math.floor(log.length * 0.8),
        run: async () => {
          // Wait for at least one batch to be committed, then kill the service in the middle.
          const deadline = Date.now() + 30_000;
          while (storedSessions(ids.y) === 0 && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 50));
          atKill = storedSessions(ids.y);
          proc.kill("SIGKILL");
          await new Promise((r) => setTimeout(r, 200));
        },
      },
    });
    expect(cut === null || cut.status >= 500).toBe(true);
    await stopProcess(proc, "SIGKILL");
    child = null;
    expect(atKill).toBeGreaterThan(0);
    const kept = storedSessions(ids.y);
    // What was committed before the kill is kept, and it was a part only.
    expect(kept).toBeGreaterThanOrEqual(atKill);
    expect(kept).toBeLessThan(clean);

    child = await startServe({ db, dataDir: work, listen: `${address}:${port}` });
    const again = await upload({ org: ids.y, token: tokens.agency, body: log });
    expect(again?.status).toBe(200);
    expect(again?.body).toEqual(reference);
    expect(storedSessions(ids.y)).toBe(clean);
    await stopProcess(child, "SIGTERM");
    child = null;
    // The database is whole after the crash.
    const handle = new Database(db, { readonly: true });
    try {
      expect(handle.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      handle.close();
    }
  }, 180_000);
});
