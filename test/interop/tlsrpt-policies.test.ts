/**
 * TLS-RPT out carries the real policies (RFC 8460 §4.4): `tlsrpt generate` looks up, at generation
 * time, the MTA-STS policy the lab's nginx serves for good.lab.test (over HTTPS, through the lab's
 * DNS) and the TLSA records of its MX signed in the lab's zone (Knot), validated by the lab's Unbound
 * (AD bit). Each is compared with an independent fetch of the same servers (curl, kdig). What cannot
 * be validated (the same TLSA records asked of Knot directly, without DNSSEC validation) is a warning,
 * and the report leaves `policy-string` out.
 *
 * The sessions come from a log written here in the shape of Postfix's (docs/mta-logs.md) — the
 * deliveries themselves are proved elsewhere (tlsrpt-out.test.ts); what is under test is the
 * policies the report carries, and those come from the real servers.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { generateDocumentSchema } from "../../src/indicators/tlsrpt/generate-document.js";
import { dnsAddress, scenarios } from "./lab/scenarios.js";

const run = promisify(execFile);
const lab = inject("lab");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-policies-"));
const db = join(dir, "alpha.sqlite");
const day = "2026-11-30";
const good = scenarios.find((s) => s.name === "good");
const nostarttls = scenarios.find((s) => s.name === "nostarttls");

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["dist/cli/main.js", ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

const at = (minute: number) => `${day}T10:${String(minute).padStart(2, "0")}:00+00:00 mx`;
const verified = (minute: number, host: string, address: string) =>
  `${at(minute)} postfix/smtp[100]: Verified TLS connection established to ${host}[${address}]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`;
const log = [
  verified(1, "mail.good.lab.test", good?.address ?? ""),
  `${at(1)} postfix/smtp[100]: A1B2C3: to=<u@good.lab.test>, relay=mail.good.lab.test[${good?.address}]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
  verified(2, "mail.good.lab.test", good?.address ?? ""),
  `${at(2)} postfix/smtp[100]: A1B2C4: to=<v@good.lab.test>, relay=mail.good.lab.test[${good?.address}]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
  `${at(3)} postfix/smtp[101]: D4E5F6: to=<w@nostarttls.lab.test>, relay=mail.nostarttls.lab.test[${nostarttls?.address}]:25, delay=1, delays=0/0/1/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mail.nostarttls.lab.test[${nostarttls?.address}])`,
].join("\n");

interface SentPolicy {
  "policy-type": string;
  "policy-string"?: string[];
  "policy-domain": string;
  "mx-host"?: string[];
}

// The committed JSON Schema of the report as sent: every report written is held to it.
const sentSchema = z.fromJSONSchema(
  JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "schema", "tlsrpt-sent-report.schema.json"), "utf8"),
  ),
);

/** The reports as written (gzip, RFC 8460 §5.3 names), by policy domain. */
function written(out: string): Map<string, SentPolicy> {
  const byDomain = new Map<string, SentPolicy>();
  for (const file of readdirSync(out)) {
    const report = JSON.parse(gunzipSync(readFileSync(join(out, file))).toString("utf8")) as {
      policies: { policy: SentPolicy }[];
    };
    expect(sentSchema.safeParse(report).error, file).toBeUndefined();
    for (const p of report.policies) byDomain.set(p.policy["policy-domain"], p.policy);
  }
  return byDomain;
}

async function generate(name: string, extra: readonly string[]) {
  const out = join(dir, name);
  mkdirSync(out);
  const result = await cli([
    "tlsrpt",
    "generate",
    "--db",
    db,
    "--org",
    "Alpha",
    "--date",
    day,
    "--out",
    out,
    "--no-send",
    "--json",
    "--ca-file",
    lab.rootCaFile,
    "--allow-private",
    "--timeout",
    "5000",
    ...extra,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return { document: generateDocumentSchema.parse(JSON.parse(result.stdout)), policies: written(out) };
}

beforeAll(async () => {
  const add = await cli([
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Alpha",
    "--contact",
    "tlsrpt@alpha.lab.test",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "alpha.lab.test=mx.alpha.lab.test",
  ]);
  expect(add.code, add.stderr).toBe(0);
  writeFileSync(join(dir, "maillog.txt"), `${log}\n`);
  const ingest = await cli([
    "indicators",
    "ingest-log",
    "--db",
    db,
    "--format",
    "postfix",
    "--org",
    "Alpha",
    join(dir, "maillog.txt"),
  ]);
  expect(ingest.code, ingest.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TLS-RPT out: policy strings from the real servers", () => {
  it("an sts report carries the lines nginx serves, and its mx patterns", async () => {
    const { stdout } = await run("curl", [
      "--silent",
      "--fail",
      "--max-time",
      "10",
      "--cacert",
      lab.rootCaFile,
      "--resolve",
      `mta-sts.good.lab.test:443:${good?.address}`,
      "https://mta-sts.good.lab.test/.well-known/mta-sts.txt",
    ]);
    const served = stdout.split(/\r?\n/).filter((l) => l.trim() !== "");
    expect(served[0]).toBe("version: STSv1");
    const { document, policies } = await generate("sts", [
      "--resolver",
      lab.validatingResolver,
      "--applies",
      "sts",
    ]);
    expect(document.warnings).toEqual([]);
    expect(policies.get("good.lab.test")).toEqual({
      "policy-type": "sts",
      "policy-string": served,
      "policy-domain": "good.lab.test",
      "mx-host": ["mail.good.lab.test"],
    });
    // The domain without any policy: no-policy-found, and neither policy-string nor mx-host.
    expect(policies.get("nostarttls.lab.test")).toEqual({
      "policy-type": "no-policy-found",
      "policy-domain": "nostarttls.lab.test",
    });
  });

  it("a DANE report carries the TLSA records signed in the lab's zone, validated", async () => {
    const { stdout } = await run("kdig", [
      `@${lab.validatingResolver.replace(/:53$/, "")}`,
      "+short",
      "+timeout=5",
      "_25._tcp.mail.good.lab.test",
      "TLSA",
    ]);
    // kdig's presentation: "3 1 1 HEX" (the hex maybe cut in blocks).
    const records = stdout
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => {
        const [u, s, m, ...hex] = l.trim().split(/\s+/);
        return `${u} ${s} ${m} ${hex.join("").toUpperCase()}`;
      });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/^3 1 1 [0-9A-F]{64}$/);
    const { document, policies } = await generate("dane", [
      "--resolver",
      lab.validatingResolver,
      "--applies",
      "dane,sts",
    ]);
    expect(document.warnings).toEqual([]);
    expect(policies.get("good.lab.test")).toEqual({
      "policy-type": "tlsa",
      "policy-string": records,
      "policy-domain": "good.lab.test",
    });
  });

  it("asked of a resolver that does not validate, the TLSA records are a warning and left out", async () => {
    const { document, policies } = await generate("unvalidated", [
      "--resolver",
      `${dnsAddress}:53`,
      "--applies",
      "dane",
    ]);
    expect(document.warnings).toEqual([
      expect.stringMatching(
        /^good\.lab\.test: cannot tell whether DANE applied to mail\.good\.lab\.test: .*not DNSSEC-validated/,
      ),
    ]);
    expect(policies.get("good.lab.test")).toEqual({
      "policy-type": "no-policy-found",
      "policy-domain": "good.lab.test",
    });
  });
});
