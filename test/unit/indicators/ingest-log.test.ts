/** `indicators ingest-log`: stored sessions, resumable cursors, rotation, idempotency, bad input. */
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatWarning, loggingWarning } from "../../../src/cli/ingest-log-command.js";
import { emptySummary } from "../../../src/indicators/log/summary.js";

/** The fixture spans 31 Dec → 1 Jan: its syslog years come from the file's mtime, pinned here. */
const written = new Date("2027-01-02T00:00:00Z");
const writeLog = (path: string, text: string) => {
  writeFileSync(path, text);
  utimesSync(path, written, written);
};

import { ingestFile } from "../../../src/indicators/log/ingest.js";
import { LogStore } from "../../../src/indicators/log/log-store.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { cli, usageError } from "../../support/cli.js";

const fixture = readFileSync(new URL("../../fixtures/logs/postfix-mixed.txt", import.meta.url), "utf8");
let dir: string;
let db: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-ingest-"));
  db = join(dir, "registry.sqlite");
  const add = await cli(
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Alpha",
    "--contact",
    "pm@alpha.example",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "alpha.example=mx1.alpha.example",
  );
  expect(add.code).toBe(0);
  const peer = await cli(
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Peer",
    "--contact",
    "pm@peer.example",
    "--adhesion",
    "2026-06-01",
    "--domain",
    "peer.example=mx.peer.example",
  );
  expect(peer.code).toBe(0);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const summary = (out: string) =>
  JSON.parse(out) as { lines: number; deliveries: { sent: number }; tls: { outbound: { verified: number } } };

async function withStore<T>(work: (store: Store, logs: LogStore) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store, await LogStore.open(store));
  } finally {
    await store.close();
  }
}

describe("ingest-log", () => {
  it("stores the sessions, and a second run reads only what was appended", async () => {
    const log = join(dir, "mail.log");
    writeLog(log, fixture);
    const first = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      log,
    );
    expect(first.code).toBe(0);
    expect(summary(first.out)).toMatchObject({ lines: 28, deliveries: { sent: 6 } });
    const again = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      log,
    );
    expect(summary(again.out).lines).toBe(0);
    appendFileSync(
      log,
      "Jan  1 01:00:00 mx1 postfix/smtp[2001]: 4Q1aBz0000zz: to=<late@peer.example>, relay=mx.peer.example[192.0.2.10]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\nJan  1 01:00:01 mx1 postfix/smtp[2001]: 4Q1aBz0000zz: to=<unfinished",
    );
    const third = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      log,
    );
    // The unterminated last line is left for the next run.
    expect(summary(third.out)).toMatchObject({ lines: 1, deliveries: { sent: 1 } });
    const alpha = await withStore(async (store, logs) => {
      const id = (
        await store.db
          .selectFrom("organisations")
          .select("id")
          .where("name", "=", "Alpha")
          .executeTakeFirstOrThrow()
      ).id;
      return { id, count: await logs.count(id), groups: await logs.outboundSessions(id, "2027-01-01") };
    });
    expect(alpha.count).toBe(9 + 3 + 1); // 9 outbound + 3 inbound from the fixture, +1 appended
    const peer = alpha.groups.filter((g) => g.recipientDomain === "peer.example");
    expect(peer.reduce((n, g) => n + g.sessions, 0)).toBe(5); // alice, bob, carol, hank, late
    expect(peer.find((g) => g.tlsClass === "verified" && g.tlsLevel === null)?.sessions).toBe(2);
    expect(alpha.groups.find((g) => g.recipientDomain === "strict.example")).toMatchObject({
      outcome: "deferred",
      failureType: "starttls-not-supported",
      mxHost: "mx.strict.example",
      sessions: 1,
    });
  });

  it("the same lines read again from another path (or stdin) are not stored twice", async () => {
    writeLog(join(dir, "a.log"), fixture);
    writeLog(join(dir, "b.log"), fixture);
    for (const f of ["a.log", "b.log"])
      expect(
        (
          await cli(
            "indicators",
            "ingest-log",
            "--format",
            "postfix",
            "--org",
            "Alpha",
            "--db",
            db,
            join(dir, f),
          )
        ).code,
      ).toBe(0);
    const rows = await withStore((store) =>
      store.db
        .selectFrom("link_figures")
        .selectAll()
        .where("metric", "=", "class")
        .where("sender", "like", "o:%")
        .where("receiver", "like", "o:%")
        .execute(),
    );
    // Alpha → Peer, sender's log: alice, bob, hank verified; carol in clear (b.log added nothing).
    const toPeer = rows.filter((r) => r.source === "sender-log");
    expect(toPeer.map((r) => [r.value, r.count]).sort()).toEqual([
      ["none", 1],
      ["verified", 3],
    ]);
    // Peer → Alpha, Alpha's inbound log: the session from mx.peer.example in clear.
    expect(rows.filter((r) => r.source === "receiver-log").map((r) => [r.value, r.count])).toEqual([
      ["none", 1],
    ]);
  });

  it("a rotated file is read from its start; a truncated one too", async () => {
    const log = join(dir, "mail.log");
    writeLog(log, fixture);
    await cli("indicators", "ingest-log", "--format", "postfix", "--org", "Alpha", "--db", db, log);
    renameSync(log, `${log}.1`);
    writeFileSync(log, fixture.split("\n").slice(0, 4).join("\n").concat("\n"));
    const rotated = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      log,
    );
    expect(summary(rotated.out).lines).toBe(4);
    truncateSync(log, 0);
    writeFileSync(log, `${fixture.split("\n")[0]}\n`);
    const truncated = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      log,
    );
    expect(summary(truncated.out).lines).toBe(1);
  });

  it("a file truncated in place and grown past the old offset (copytruncate) is read from its start", async () => {
    const log = join(dir, "mail.log");
    const lines = fixture.split("\n").filter((l) => l !== "");
    writeLog(log, `${lines.slice(0, 6).join("\n")}\n`);
    const ingest = () =>
      cli("indicators", "ingest-log", "--format", "postfix", "--org", "Alpha", "--db", db, "--json", log);
    expect(summary((await ingest()).out).lines).toBe(6);
    // Same inode, other content, longer than before: the old offset falls inside a line.
    const other = [...lines.slice(6), ...lines.slice(6)];
    const before = statSync(log).ino;
    truncateSync(log, 0);
    appendFileSync(log, `${other.join("\n")}\n`);
    expect(statSync(log).ino).toBe(before);
    const again = await ingest();
    expect(summary(again.out).lines).toBe(other.length);
    // Exactly what the same content says read fresh: no line cut in the middle.
    const copy = join(dir, "copy.log");
    writeLog(copy, `${other.join("\n")}\n`);
    const fresh = await cli("indicators", "ingest-log", "--format", "postfix", "--no-store", "--json", copy);
    expect(JSON.parse(again.out)).toEqual(JSON.parse(fresh.out));
    // And appended lines after that are read alone, from the new cursor.
    appendFileSync(log, `${lines[0]}\n`);
    expect(summary((await ingest()).out).lines).toBe(1);
  });

  it("--follow reads what is appended and what comes after a rotation, until stopped", async () => {
    const log = join(dir, "mail.log");
    writeFileSync(log, "");
    const controller = new AbortController();
    await withStore(async (store, logs) => {
      const id = (
        await store.db
          .selectFrom("organisations")
          .select("id")
          .where("name", "=", "Alpha")
          .executeTakeFirstOrThrow()
      ).id;
      const lines = fixture.split("\n");
      const running = ingestFile(log, {
        format: "postfix",
        organisationId: id,
        directory: null,
        store: logs,
        follow: { signal: controller.signal, pollMs: 20 },
      });
      await new Promise((r) => setTimeout(r, 60));
      appendFileSync(log, `${lines.slice(0, 10).join("\n")}\n`);
      await new Promise((r) => setTimeout(r, 120));
      renameSync(log, `${log}.1`);
      appendFileSync(`${log}.1`, `${lines.slice(10, 15).join("\n")}\n`); // written before the MTA reopens
      writeFileSync(log, lines.slice(15, 28).join("\n"));
      await new Promise((r) => setTimeout(r, 200));
      controller.abort();
      const result = await running;
      expect(result.lines).toBe(27); // all but the unterminated last line of the new file
      expect(result.deliveries.sent).toBe(5);
    });
  });

  it("--no-store summarises without a database; stdin with -", async () => {
    const log = join(dir, "mail.log");
    writeLog(log, fixture);
    const result = await cli("indicators", "ingest-log", "--format", "postfix", "--no-store", "--json", log);
    expect(summary(result.out).tls.outbound.verified).toBe(3);
  });

  it("wrong arguments are one clear line each", async () => {
    const log = join(dir, "mail.log");
    writeLog(log, fixture);
    expect(usageError(await cli("indicators", "ingest-log", log, "--db", db))).toMatch(
      /--format is required/,
    );
    expect(usageError(await cli("indicators", "ingest-log", "--format", "qmail", log))).toMatch(
      /not postfix or exim/,
    );
    expect(usageError(await cli("indicators", "ingest-log", "--format", "postfix", "--db", db))).toMatch(
      /at least one FILE/,
    );
    expect(
      usageError(
        await cli("indicators", "ingest-log", "--format", "postfix", "--org", "Nobody", "--db", db, log),
      ),
    ).toMatch(/no organisation "Nobody"/);
    expect(
      usageError(
        await cli("indicators", "ingest-log", "--format", "postfix", "--db", db, join(dir, "none.log")),
      ),
    ).toMatch(/none\.log: cannot read/);
    expect(usageError(await cli("indicators", "ingest-log", "--format", "postfix", "--db", db, dir))).toMatch(
      /not a regular file/,
    );
    expect(
      usageError(
        await cli("indicators", "ingest-log", "--format", "postfix", "--follow", "--db", db, log, log),
      ),
    ).toMatch(/--follow reads exactly one FILE/);
    await cli("indicators", "ingest-log", "--format", "postfix", "--db", db, log);
    expect(usageError(await cli("indicators", "ingest-log", "--format", "exim", "--db", db, log))).toMatch(
      /was read before/,
    );
  });

  it("binary garbage and overlong lines are unparsed, never a crash", async () => {
    const log = join(dir, "bad.log");
    writeFileSync(
      log,
      Buffer.concat([
        Buffer.from([0, 255, 254, 10]),
        Buffer.alloc(40_000, 65),
        Buffer.from("\nJan  1 00:00:00 h postfix/smtp[1]: x\n"),
      ]),
    );
    const result = await cli("indicators", "ingest-log", "--format", "postfix", "--no-store", "--json", log);
    expect(JSON.parse(result.out)).toMatchObject({ lines: 3, unparsed: 2 });
  });
});

describe("the ingest-log document", () => {
  it("the committed JSON Schema is the one generated from the zod schema, and the output follows it", async () => {
    const { logSummaryJsonSchema, logSummarySchema } = await import(
      "../../../src/indicators/log/summary-schema.js"
    );
    const file = join(import.meta.dirname, "..", "..", "..", "schema", "indicators-log.schema.json");
    const { $id: _id, title: _title, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    expect(rest).toEqual(logSummaryJsonSchema());
    const log = join(dir, "mail.log");
    writeLog(log, fixture);
    const out = JSON.parse(
      (await cli("indicators", "ingest-log", "--format", "postfix", "--no-store", "--json", log)).out,
    );
    expect(logSummarySchema.parse(out)).toEqual(out);
    expect(Object.keys(out)).toEqual(["schema", "lines", "unparsed", "tls", "deliveries"]);
  });
});

describe("a log of the other MTA", () => {
  it("read with the wrong --format, it says so on stderr, for both formats", async () => {
    const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "logs");
    const exim = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--no-store",
      join(fixtures, "exim-mainlog.txt"),
    );
    expect(exim.code).toBe(0);
    expect(exim.err).toMatch(/^warning: 19 line\(s\) read and not one Postfix SMTP delivery .*--format exim/);
    const postfix = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "exim",
      "--no-store",
      join(fixtures, "postfix-mixed.txt"),
    );
    expect(postfix.err).toMatch(/not one Exim SMTP delivery or session .*--format postfix/);
    const right = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "exim",
      "--no-store",
      join(fixtures, "exim-mainlog.txt"),
    );
    expect(right.err).toBe("");
    expect(formatWarning("postfix", emptySummary())).toBeNull();
  });
});

describe("a log without any TLS line", () => {
  it("warns that the MTA may not log its TLS, and only then", () => {
    const clear = emptySummary();
    clear.deliveries.sent = 3;
    clear.tls.outbound.none = 3;
    expect(loggingWarning("postfix", clear)).toMatch(/3 SMTP record\(s\).*smtp_tls_loglevel/);
    expect(loggingWarning("exim", clear)).toMatch(/tls_cipher/);
    const mixed = emptySummary();
    mixed.deliveries.sent = 3;
    mixed.tls.outbound.none = 2;
    mixed.tls.outbound.verified = 1;
    expect(loggingWarning("postfix", mixed)).toBeNull();
    expect(loggingWarning("postfix", emptySummary())).toBeNull();
  });
});
