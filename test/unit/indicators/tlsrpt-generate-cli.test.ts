/** `tlsrpt generate` from logs ingested with `indicators ingest-log`: reports per policy domain, files, schema. */

import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateDocumentSchema,
  generateJsonSchema,
} from "../../../src/indicators/tlsrpt/generate-document.js";
import { sessionFromLog } from "../../../src/indicators/tlsrpt/log-sessions.js";
import { parseReportJson } from "../../../src/indicators/tlsrpt/parse-report.js";
import { openStore } from "../../../src/store/database.js";
import { addAlpha, cli } from "../../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-generate-"));
const db = join(dir, "registry.sqlite");
const out = join(dir, "out");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = [
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-11-30T10:00:01+00:00 mx postfix/smtp[100]: A1B2C3: to=<u@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "2026-11-30T10:05:01+00:00 mx postfix/smtp[100]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-11-30T10:05:01+00:00 mx postfix/smtp[100]: A1B2C4: to=<v@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
  "2026-11-30T11:00:00+00:00 mx postfix/smtp[101]: D4E5F6: to=<w@other.example>, relay=mx.other.example[192.0.2.2]:25, delay=1, delays=0/0/1/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.other.example[192.0.2.2])",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: Verified TLS connection established to mx.peer.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)",
  "2026-12-01T09:00:00+00:00 mx postfix/smtp[102]: A1B2C5: to=<x@peer.example>, relay=mx.peer.example[192.0.2.1]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
].join("\n");

beforeAll(async () => {
  await addAlpha(db);
  writeFileSync(join(dir, "maillog.txt"), `${log}\n`);
  const ingest = await cli(
    "indicators",
    "ingest-log",
    "--db",
    db,
    "--format",
    "postfix",
    "--org",
    "Alpha",
    join(dir, "maillog.txt"),
  );
  expect(ingest.code, ingest.err).toBe(0);
  mkdirSync(out);
});

describe("tlsrpt generate", () => {
  it("one report per recipient policy domain of the day, written under its RFC 8460 §5.3 name, valid", async () => {
    const result = await cli(
      "tlsrpt",
      "generate",
      "--db",
      db,
      "--org",
      "Alpha",
      "--date",
      "2026-11-30",
      "--out",
      out,
      "--no-send",
      "--json",
    );
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const doc = generateDocumentSchema.parse(JSON.parse(result.out));
    expect(doc.sessions).toBe(3);
    expect(doc.reports.map((r) => [r.policyDomain, r.successful, r.failed])).toEqual([
      ["other.example", 0, 1],
      ["peer.example", 2, 0],
    ]);
    expect(readdirSync(out).sort()).toEqual([
      "alpha.example!other.example!1795996800!1796083199.json.gz",
      "alpha.example!peer.example!1795996800!1796083199.json.gz",
    ]);
    const other = parseReportJson(gunzipSync(readFileSync(join(out, readdirSync(out).sort()[0] as string))));
    expect(other.kind).toBe("report");
    if (other.kind !== "report") return;
    expect(other.report["organization-name"]).toBe("Alpha");
    expect(other.report["contact-info"]).toBe("tlsrpt@alpha.example");
    expect(other.report.policies[0]?.policy["policy-type"]).toBe("no-policy-found");
    expect(other.report.policies[0]?.["failure-details"][0]).toMatchObject({
      "result-type": "starttls-not-supported",
      "receiving-mx-hostname": "mx.other.example",
      "receiving-ip": "192.0.2.2",
      "failed-session-count": 1,
    });
  });

  it("the same day again gives the same report-ids; an unknown organisation or a bad date is a usage error", async () => {
    const a = generateDocumentSchema.parse(
      JSON.parse(
        (
          await cli(
            "tlsrpt",
            "generate",
            "--db",
            db,
            "--org",
            "Alpha",
            "--date",
            "2026-11-30",
            "--no-send",
            "--json",
          )
        ).out,
      ),
    );
    const b = generateDocumentSchema.parse(
      JSON.parse(
        (
          await cli(
            "tlsrpt",
            "generate",
            "--db",
            db,
            "--org",
            "Alpha",
            "--date",
            "2026-11-30",
            "--no-send",
            "--json",
          )
        ).out,
      ),
    );
    expect(b.reports.map((r) => r.reportId)).toEqual(a.reports.map((r) => r.reportId));
    expect(
      (await cli("tlsrpt", "generate", "--db", db, "--org", "Nobody", "--date", "2026-11-30", "--no-send"))
        .code,
    ).toBe(2);
    expect(
      (await cli("tlsrpt", "generate", "--db", db, "--org", "Alpha", "--date", "30/11/2026", "--no-send"))
        .code,
    ).toBe(2);
  });

  it("queues each report once per rua of the domain's TLSRPT record; a second run queues nothing more", async () => {
    // A one-zone DNS server on loopback: _smtp._tls.peer.example has a record, other.example none.
    const dns = createSocket("udp4");
    dns.on("message", (message, from) => {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      const answers =
        question?.name === "_smtp._tls.peer.example" && question.type === "TXT"
          ? [
              {
                type: "TXT" as const,
                name: question.name,
                ttl: 60,
                class: "IN" as const,
                data: ["v=TLSRPTv1; rua=mailto:tlsrpt@peer.example,https://tlsrpt.peer.example/v1"],
              },
            ]
          : [];
      const reply = dnsPacket.encode({
        id: query.id,
        type: "response",
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answers.length ? 0 : 3),
        questions: query.questions,
        answers,
      });
      dns.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => dns.bind(0, "127.0.0.1", resolve));
    const resolver = `127.0.0.1:${dns.address().port}`;
    try {
      const run = async () => {
        const result = await cli(
          "tlsrpt",
          "generate",
          "--db",
          db,
          "--org",
          "Alpha",
          "--date",
          "2026-11-30",
          "--resolver",
          resolver,
          "--json",
        );
        expect(result.code, result.err).toBe(0);
        return generateDocumentSchema.parse(JSON.parse(result.out));
      };
      const first = await run();
      const peer = first.reports.find((r) => r.policyDomain === "peer.example");
      const other = first.reports.find((r) => r.policyDomain === "other.example");
      expect(peer?.enqueued).toEqual([
        { destination: "mailto:tlsrpt@peer.example", status: "queued", error: null },
        { destination: "https://tlsrpt.peer.example/v1", status: "queued", error: null },
      ]);
      expect(other?.ruaError).toMatch(/^no_record/);
      const second = await run();
      expect(
        second.reports.find((r) => r.policyDomain === "peer.example")?.enqueued.map((e) => e.status),
      ).toEqual(["duplicate", "duplicate"]);
      const store = await openStore(db);
      try {
        const rows = await store.db
          .selectFrom("notify_outbox")
          .select(["channel", "destination", "content_type", "content", "meta"])
          .execute();
        expect(rows.map((r) => [r.channel, r.destination, r.content_type])).toEqual([
          ["email", "tlsrpt@peer.example", "application/tlsrpt+gzip"],
          ["https", "https://tlsrpt.peer.example/v1", "application/tlsrpt+gzip"],
        ]);
        const sent = parseReportJson(gunzipSync(Buffer.from(rows[0]?.content as Buffer)));
        expect(sent.kind === "report" && sent.report["report-id"]).toBe(peer?.reportId);
        expect(JSON.parse(rows[0]?.meta ?? "{}")).toMatchObject({
          dkim: { domain: "alpha.example", selector: "mailcharter" },
          report: { policyDomain: "peer.example", submitter: "alpha.example" },
        });
      } finally {
        await store.close();
      }
    } finally {
      dns.close();
    }
  });

  it("maps a log session: DANE level is tlsa, MTA-STS failures are sts, clear delivery is starttls-not-supported", () => {
    const row = {
      time: "2026-11-30T10:00:00Z",
      peer_domain: "b.example",
      peer_host: "mx.b.example",
      peer_ip: "192.0.2.9",
      tls_class: "verified",
      outcome: "sent",
      failure_type: null,
      failure_detail: null,
      tls_level: null,
      policy_domain: null,
    };
    expect(sessionFromLog(row)).toMatchObject({
      policyDomain: "b.example",
      policy: { type: "no-policy-found" },
      failure: null,
    });
    expect(sessionFromLog({ ...row, tls_level: "dane" })).toMatchObject({ policy: { type: "tlsa" } });
    expect(
      sessionFromLog({ ...row, failure_type: "sts-policy-fetch-error", outcome: "deferred" }),
    ).toMatchObject({ policy: { type: "sts" }, failure: "sts-policy-fetch-error" });
    expect(sessionFromLog({ ...row, tls_class: "none" })).toMatchObject({
      failure: "starttls-not-supported",
    });
    expect(sessionFromLog({ ...row, policy_domain: "Policy.example" })).toMatchObject({
      policyDomain: "policy.example",
    });
    expect(sessionFromLog({ ...row, peer_domain: null })).toBeNull();
    // A deferral in clear without a TLS failure (lost during EHLO, 421, greylisting) is no TLS result;
    // with one, or a bounce in clear (the message crossed in clear), it is.
    expect(sessionFromLog({ ...row, tls_class: "none", outcome: "deferred" })).toBeNull();
    expect(
      sessionFromLog({
        ...row,
        tls_class: "none",
        outcome: "deferred",
        failure_type: "starttls-not-supported",
      }),
    ).toMatchObject({ failure: "starttls-not-supported" });
    expect(sessionFromLog({ ...row, tls_class: "none", outcome: "bounced" })).toMatchObject({
      failure: "starttls-not-supported",
    });
  });

  it("the committed JSON Schema is the one generated (npx tsx scripts/gen-schema.ts)", () => {
    const file = join(import.meta.dirname, "..", "..", "..", "schema", "tlsrpt-generate.schema.json");
    const { $id: _id, title: _title, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    expect(rest).toEqual(generateJsonSchema());
  });
});
