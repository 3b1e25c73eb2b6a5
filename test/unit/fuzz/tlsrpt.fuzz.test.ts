/**
 * TLS-RPT ingestion never throws: random bytes, random JSON, and real reports with fields removed,
 * renamed, retyped or nulled all come back accepted, duplicate or rejected with a reason from the closed
 * set — never `internal` (the normaliser producing what its own schema refuses). FUZZ_RUNS sets the
 * number of inputs per property.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestReport } from "../../../src/indicators/tlsrpt/ingest.js";
import { parseReportBytes } from "../../../src/indicators/tlsrpt/parse-report.js";
import { tlsRptReportSchema } from "../../../src/indicators/tlsrpt/report-schema.js";
import { TlsRptStore } from "../../../src/indicators/tlsrpt/report-store.js";
import { openStore, type Store } from "../../../src/store/database.js";

const runs = Number(process.env.FUZZ_RUNS ?? 1500);
const dir = join(import.meta.dirname, "..", "..", "fixtures", "tlsrpt");
const seeds = [
  "rfc8460-appendix-b.json",
  "google-sts.json",
  "microsoft-no-zone.json",
  "postfix-dane-tlsa.json",
  "variants.json",
].map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as unknown);

const reasons = new Set([
  "empty",
  "too_large",
  "inflated_too_large",
  "ratio_exceeded",
  "bad_gzip",
  "not_utf8",
  "not_json",
  "not_an_object",
  "missing_organization",
  "missing_report_id",
  "missing_date_range",
  "bad_date",
  "missing_policies",
  "bad_policy",
  "unknown_policy_type",
  "bad_count",
  "bad_mail",
  "no_report_in_mail",
  "unsupported_media_type",
  "unreadable",
]);

/** A JSON value mutated at one random path: removed, nulled, retyped, renamed, or replaced. */
const mutation = fc.record({
  seed: fc.nat(seeds.length - 1),
  steps: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 6 }), fc.jsonValue({ maxDepth: 2 })), {
    minLength: 1,
    maxLength: 4,
  }),
});

function paths(
  value: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function mutate(doc: unknown, pick: number, op: number, replacement: unknown): unknown {
  const all = paths(doc).filter((p) => p.length > 0);
  const path = all[pick % all.length];
  if (!path) return replacement;
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const value = parent[key];
  switch (op) {
    case 0:
      delete parent[key];
      break;
    case 1:
      parent[key] = null;
      break;
    case 2:
      parent[key] =
        typeof value === "number"
          ? String(value)
          : typeof value === "string"
            ? Number(value) || value.length
            : [value];
      break;
    case 3:
      if (typeof key === "string") {
        delete parent[key];
        parent[key.toUpperCase().replace(/-/g, "_")] = value;
      }
      break;
    case 4:
      parent[key] = replacement;
      break;
    case 5:
      parent[key] = typeof value === "number" ? -value - 1 : "";
      break;
    default:
      parent[key] = Array.isArray(value) ? value[0] : { value };
      break;
  }
  return doc;
}

let store: Store;
let reports: TlsRptStore;
beforeAll(async () => {
  store = await openStore(":memory:");
  reports = await TlsRptStore.open(store);
});
afterAll(() => store.close());

describe("TLS-RPT fuzz", () => {
  it("random bytes, plain or gzipped, never throw and are refused with a known reason", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.boolean(), async (bytes, gz) => {
        const input = gz ? gzipSync(bytes) : Buffer.from(bytes);
        const o = await parseReportBytes(input);
        if (o.kind === "rejected") expect(reasons.has(o.reason), `${o.reason}: ${o.detail}`).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("random JSON values are refused or read into a report its schema accepts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (value) => {
        const o = await parseReportBytes(Buffer.from(JSON.stringify(value) ?? "null"));
        if (o.kind === "rejected") expect(reasons.has(o.reason), `${o.reason}: ${o.detail}`).toBe(true);
        else expect(tlsRptReportSchema.safeParse(o.report).success).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("real reports mutated: accepted, duplicate or rejected with a reason — and stored when accepted", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, steps }) => {
        let doc = structuredClone(seeds[seed]);
        for (const [pick, op, replacement] of steps) doc = mutate(doc, pick, op, replacement);
        const result = await ingestReport(reports, {
          bytes: Buffer.from(JSON.stringify(doc) ?? "null"),
          door: "file",
          source: "fuzz",
          now: () => new Date(0),
        });
        expect(["accepted", "duplicate", "rejected"]).toContain(result.status);
        if (result.status === "rejected")
          expect(reasons.has(result.error?.code ?? ""), JSON.stringify(result.error)).toBe(true);
        else expect(result.id).toBeGreaterThan(0);
      }),
      { numRuns: Math.ceil(runs / 3) },
    );
  });
});
