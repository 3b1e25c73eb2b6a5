/**
 * An outbound attempt deferred before TLS could be offered (lost at the greeting, timed out during
 * EHLO, greylisted in clear, refused) is a delivery attempt but not a TLS session: it stays in the
 * deliveries and the link's outcomes, and leaves the TLS classes and the verified share alone — a day
 * of greylisting must not read as mail sent in clear. A deferral for lack of STARTTLS still counts.
 * Line shapes: docs/mta-logs.md (Postfix smtp(8) status texts, Exim `==` deferrals).
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addSessionFigures,
  type FigureIncrement,
  sessionFigures,
} from "../../../src/indicators/links/figures.js";
import { linksDocumentSchema } from "../../../src/indicators/links/links-document.js";
import type { PartyDirectory } from "../../../src/indicators/links/parties.js";
import { EximSessions } from "../../../src/indicators/log/exim-line.js";
import { PostfixSessions } from "../../../src/indicators/log/postfix-sessions.js";
import { noTlsDecision, type SessionRecord } from "../../../src/indicators/log/session.js";
import { logSummarySchema } from "../../../src/indicators/log/summary-schema.js";
import { sessionFromLog } from "../../../src/indicators/tlsrpt/log-sessions.js";
import { cli } from "../../support/cli.js";

const mx = "mx.peer.example[192.0.2.10]";
const verified = (t: string, pid: number) =>
  `2026-12-01T${t}+00:00 mx1 postfix/smtp[${pid}]: Verified TLS connection established to ${mx}:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`;
const delivery = (t: string, pid: number, id: string, rcpt: string, dsn: string, status: string) =>
  `2026-12-01T${t}+00:00 mx1 postfix/smtp[${pid}]: ${id}: to=<${rcpt}@peer.example>, relay=${mx}:25, delay=1.2, delays=0.01/0/1.2/0, dsn=${dsn}, status=${status}`;

/** The attempts that never reached STARTTLS, as Postfix's smtp(8) logs them. */
const undecided = {
  greeting: delivery(
    "10:10:00",
    2101,
    "4Q1aC10000z1",
    "greet",
    "4.4.2",
    `deferred (lost connection with ${mx} while receiving the initial server greeting)`,
  ),
  ehlo: delivery(
    "10:11:00",
    2102,
    "4Q1aC20000z2",
    "ehlo",
    "4.4.2",
    `deferred (conversation with ${mx} timed out while sending EHLO)`,
  ),
  greylisted: delivery(
    "10:12:00",
    2103,
    "4Q1aC30000z3",
    "grey",
    "4.2.0",
    `deferred (host ${mx} said: 450 4.2.0 <grey@peer.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/peer.example.html (in reply to RCPT TO command))`,
  ),
  refused421: delivery(
    "10:13:00",
    2104,
    "4Q1aC40000z4",
    "busy",
    "4.3.2",
    `deferred (host ${mx} refused to talk to me: 421 4.3.2 Service not available, closing transmission channel)`,
  ),
};
const notOffered = delivery(
  "10:14:00",
  2105,
  "4Q1aC50000z5",
  "strict",
  "4.7.4",
  `deferred (TLS is required, but was not offered by host ${mx})`,
);
const sentInClear = delivery("10:15:00", 2106, "4Q1aC60000z6", "plain", "2.0.0", "sent (250 2.0.0 Ok)");
const good = [0, 1, 2, 3].flatMap((i) => [
  verified(`10:0${i}:00`, 2000 + i),
  delivery(`10:0${i}:01`, 2000 + i, `4Q1aB${i}000z${i}`, `u${i}`, "2.0.0", "sent (250 2.0.0 Ok)"),
]);

function parse(lines: readonly string[]): SessionRecord[] {
  const parser = new PostfixSessions(new Date("2026-12-02T00:00:00Z"));
  return lines.flatMap((l) => {
    const r = parser.line(l);
    return r.kind === "sessions" ? [...r.sessions] : [];
  });
}
const only = (line: string) => {
  const [s] = parse([line]);
  if (!s) throw new Error(`no session from ${line}`);
  return s;
};

const directory: PartyDirectory = {
  domains: new Map([
    ["alpha.example", 1],
    ["peer.example", 2],
  ]),
  mxPatterns: [],
  names: new Map([
    [1, "Alpha"],
    [2, "Peer"],
  ]),
};
const metrics = (figures: readonly FigureIncrement[]) => figures.map((f) => `${f.metric}=${f.value}`).sort();

describe("an attempt deferred before TLS could be offered (pure)", () => {
  it.each(Object.entries(undecided))(
    "Postfix %s: no TLS decision, an attempt and a deferral, no TLS class",
    (_, line) => {
      const s = only(line);
      expect(s).toMatchObject({
        direction: "outbound",
        tlsClass: "none",
        outcome: "deferred",
        failureType: null,
      });
      expect(noTlsDecision(s)).toBe(true);
      expect(metrics(sessionFigures(s, 1, directory))).toEqual([
        "attempt=no-tls-decision",
        "outcome=deferred",
      ]);
    },
  );

  it("a deferral for lack of STARTTLS stays a TLS failure, class none; a delivery in clear stays none", () => {
    const s = only(notOffered);
    expect(s.failureType).toBe("starttls-not-supported");
    expect(noTlsDecision(s)).toBe(false);
    expect(metrics(sessionFigures(s, 1, directory))).toEqual([
      "class=none",
      "failure=starttls-not-supported",
      "outcome=deferred",
    ]);
    const clear = only(sentInClear);
    expect(noTlsDecision(clear)).toBe(false);
    expect(metrics(sessionFigures(clear, 1, directory))).toEqual(["class=none", "outcome=sent"]);
  });

  it("a deferral after TLS was established is a TLS session of its class", () => {
    const [s] = parse([
      verified("10:20:00", 2200),
      delivery(
        "10:20:01",
        2200,
        "4Q1aC70000z7",
        "late",
        "4.2.0",
        `deferred (host ${mx} said: 450 4.2.0 try again later (in reply to RCPT TO command))`,
      ),
    ]);
    expect(s?.tlsClass).toBe("verified");
    expect(noTlsDecision(s as SessionRecord)).toBe(false);
  });

  it("Exim: a deferral in clear without a TLS reason is no decision; 'did not offer TLS' is a failure", () => {
    const parser = new EximSessions(new Date("2026-12-02T00:00:00Z"));
    const read = (line: string) => {
      const r = parser.line(line);
      return r.kind === "sessions" ? r.sessions[0] : undefined;
    };
    const refused = read(
      "2026-12-01 10:06:00 1wAbCj-000Ef7-8M == six@peer.example R=dnslookup T=remote_smtp defer (111) H=mx.peer.example [192.0.2.10]: Connection refused",
    );
    expect(refused).toMatchObject({ tlsClass: "none", outcome: "deferred", failureType: null });
    expect(noTlsDecision(refused as SessionRecord)).toBe(true);
    const required = read(
      "2026-12-01 10:07:00 1wAbCk-000Ef8-9N == seven@peer.example R=dnslookup T=remote_smtp defer (-38) H=mx.peer.example [192.0.2.10]: a TLS session is required, but the server did not offer TLS support",
    );
    expect(required?.failureType).toBe("starttls-not-supported");
    expect(noTlsDecision(required as SessionRecord)).toBe(false);
  });

  it("the ingestion's hot path adds the same figures as sessionFigures", () => {
    const sessions = parse([...good, ...Object.values(undecided), notOffered, sentInClear]);
    const sums = new Map<string, FigureIncrement>();
    for (const s of sessions) addSessionFigures(sums, s, 1, directory);
    const expected = new Map<string, number>();
    for (const f of sessions.flatMap((s) => sessionFigures(s, 1, directory)))
      expected.set(`${f.metric}=${f.value}`, (expected.get(`${f.metric}=${f.value}`) ?? 0) + 1);
    expect(new Map([...sums.values()].map((f) => [`${f.metric}=${f.value}`, f.count]))).toEqual(expected);
    expect(expected.get("attempt=no-tls-decision")).toBe(4);
    expect(expected.get("class=none")).toBe(2);
  });

  it("TLS-RPT out leaves the same attempts out, and keeps the STARTTLS failure", () => {
    const row = (s: SessionRecord) => ({
      time: s.time,
      peer_domain: s.peerDomain,
      peer_host: s.peerHost,
      peer_ip: s.peerIp,
      tls_class: s.tlsClass,
      outcome: s.outcome,
      failure_type: s.failureType,
      failure_detail: s.failureDetail,
      tls_level: s.tlsLevel,
      policy_domain: s.policyDomain,
    });
    for (const line of Object.values(undecided)) expect(sessionFromLog(row(only(line)))).toBeNull();
    expect(sessionFromLog(row(only(notOffered)))?.failure).toBe("starttls-not-supported");
  });
});

describe("indicators links and ingest-log with such attempts", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailcharter-no-tls-decision-"));
  const db = join(dir, "registry.sqlite");
  let summary: ReturnType<typeof logSummarySchema.parse>;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    for (const [name, domain] of [
      ["Alpha", "alpha.example=mx1.alpha.example"],
      ["Peer", "peer.example=mx.peer.example"],
    ] as const)
      expect(
        (
          await cli(
            "registry",
            "add",
            "--db",
            db,
            "--name",
            name,
            "--contact",
            "pm@x.example",
            "--adhesion",
            "2026-01-01",
            "--domain",
            domain,
          )
        ).code,
      ).toBe(0);
    const file = join(dir, "mail.log");
    writeFileSync(file, `${[...good, ...Object.values(undecided), notOffered].join("\n")}\n`);
    utimesSync(file, new Date("2026-12-02T00:00:00Z"), new Date("2026-12-02T00:00:00Z"));
    const ingest = await cli(
      "indicators",
      "ingest-log",
      "--format",
      "postfix",
      "--org",
      "Alpha",
      "--db",
      db,
      "--json",
      file,
    );
    expect(ingest.code, ingest.err).toBe(0);
    summary = logSummarySchema.parse(JSON.parse(ingest.out));
  });

  it("the ingest-log summary is unchanged: outbound none counts deliveries sent in clear, deferrals are deliveries", () => {
    expect(summary.tls.outbound).toEqual({ verified: 4, trusted: 0, untrusted: 0, anonymous: 0, none: 0 });
    expect(summary.deliveries).toEqual({ sent: 4, deferred: 5, bounced: 0 });
  });

  it("the link's TLS sessions and verified share leave them out; its outcomes and noTlsDecision keep them", async () => {
    const out = await cli(
      "indicators",
      "links",
      "--from",
      "2026-12-01",
      "--to",
      "2026-12-01",
      "--db",
      db,
      "--json",
    );
    expect(out.code, out.err).toBe(0);
    const [link] = linksDocumentSchema.parse(JSON.parse(out.out)).links;
    expect(link).toMatchObject({
      sender: { name: "Alpha" },
      receiver: { name: "Peer" },
      source: "sender-log",
      sessions: 5,
      noTlsDecision: 4,
      classes: { verified: 4, trusted: 0, untrusted: 0, anonymous: 0, none: 1 },
      outcomes: { sent: 4, deferred: 5 },
      failures: { "starttls-not-supported": 1 },
      verifiedShare: 0.8,
    });
    const csv = await cli(
      "indicators",
      "links",
      "--from",
      "2026-12-01",
      "--to",
      "2026-12-01",
      "--db",
      db,
      "--csv",
    );
    const [header, row] = csv.out.split("\r\n");
    expect(header?.split(",").at(-1)).toBe("no_tls_decision");
    expect(row?.split(",").slice(4, 11)).toEqual(["5", "4", "0", "0", "0", "1", "0.8000"]);
    expect(row?.split(",").at(-1)).toBe("4");
    const text = await cli("indicators", "links", "--from", "2026-12-01", "--to", "2026-12-01", "--db", db);
    expect(text.out).toContain(
      "5 session(s), verified 80 %; failures: starttls-not-supported 1; 4 deferred before TLS",
    );
  });
});
