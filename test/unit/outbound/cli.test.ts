/** `mailcharter outbound-test start|result` in-process on a temporary SQLite store. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundTestDocumentSchema, outboundTestJsonSchema } from "../../../src/outbound/result-document.js";
import { cli, usageError } from "../../support/cli.js";
import { selfSigned } from "../../support/pki.js";

let dir: string;
let config: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-outbound-cli-"));
  const cert = await selfSigned("mx-valid.t.example");
  writeFileSync(join(dir, "valid.pem"), cert.pem);
  writeFileSync(join(dir, "valid.key"), cert.keyPem);
  config = join(dir, "outbound.json");
  writeFileSync(
    config,
    JSON.stringify({
      variants: [
        {
          kind: "valid",
          domain: "valid.t.example",
          mxHost: "mx-valid.t.example",
          listen: "127.0.0.1:2525",
          certFile: "valid.pem",
          keyFile: "valid.key",
        },
        {
          kind: "no-starttls",
          domain: "plain.t.example",
          mxHost: "mx-plain.t.example",
          listen: "127.0.0.1:2526",
        },
      ],
    }),
  );
  db = join(dir, "db.sqlite");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("outbound-test start and result", () => {
  it("start prints the test with one address per variant; result reads it back, still waiting", async () => {
    const started = await cli(
      "outbound-test",
      "start",
      "--domain",
      "sender.example",
      "--config",
      config,
      "--db",
      db,
      "--json",
      "--expires-in",
      "120",
    );
    expect(started.code).toBe(0);
    const doc = outboundTestDocumentSchema.parse(JSON.parse(started.out));
    expect(doc.addresses.map((a) => a.address.split("@")[1])).toEqual(["valid.t.example", "plain.t.example"]);
    expect(Date.parse(doc.expiresAt) - Date.parse(doc.createdAt)).toBe(120_000);
    const result = await cli("outbound-test", "result", String(doc.id), "--db", db, "--json");
    expect(result.code).toBe(0);
    expect(outboundTestDocumentSchema.parse(JSON.parse(result.out))).toMatchObject({
      id: doc.id,
      state: "waiting",
      conclusions: { starttlsWhenOffered: { status: "not-observed", reason: "waiting" } },
    });
    const text = await cli("outbound-test", "result", String(doc.id), "--db", db, "--lang", "en");
    expect(text.out).toContain(doc.addresses[0]?.address);
    expect(text.out).toMatch(/STARTTLS when offered: waiting/);
  });

  it("bad input is one line and exit 2", async () => {
    expect(usageError(await cli("outbound-test", "result", "999", "--db", db))).toMatch(/no such test/);
    expect(usageError(await cli("outbound-test", "result", "abc", "--db", db))).toMatch(/not a test number/);
    expect(
      usageError(
        await cli("outbound-test", "start", "--domain", "bad domain", "--config", config, "--db", db),
      ),
    ).toMatch(/not a domain name/);
    expect(
      usageError(
        await cli(
          "outbound-test",
          "start",
          "--domain",
          "a.example",
          "--config",
          join(dir, "none.json"),
          "--db",
          db,
        ),
      ),
    ).toMatch(/outbound-test config .*none\.json/);
    expect(
      usageError(
        await cli(
          "outbound-test",
          "start",
          "--domain",
          "a.example",
          "--config",
          config,
          "--db",
          db,
          "--expires-in",
          "1",
        ),
      ),
    ).toMatch(/--expires-in/);
  });

  it("the committed JSON Schema is the one generated from the zod schema (npx tsx scripts/gen-schema.ts)", () => {
    const file = join(import.meta.dirname, "..", "..", "..", "schema", "outbound-test.schema.json");
    const { $id: _id, title: _title, ...rest } = JSON.parse(readFileSync(file, "utf8"));
    expect(rest).toEqual(outboundTestJsonSchema());
  });
});
