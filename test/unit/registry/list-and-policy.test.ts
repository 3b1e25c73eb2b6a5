import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  art44Table,
  dnsRecords,
  eximPolicy,
  mtaStsPolicy,
  postfixPolicy,
  renderArt44,
} from "../../../src/policy/generate.js";
import { organisationInput, withWithdrawal } from "../../../src/registry/model.js";
import { buildList, generateSigningKey, signList, verifyList } from "../../../src/registry/published-list.js";
import { signatories } from "../../support/registry-fixture.js";

const all = signatories.map((s) => withWithdrawal(organisationInput.parse(s)));
const [alpha] = all;
const golden = (name: string, actual: string) => {
  const file = join(import.meta.dirname, "..", "..", "fixtures", "golden", name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
};

describe("published list", () => {
  const now = new Date("2026-07-01T12:00:00Z");
  const key = generateSigningKey();
  const { body, signature } = signList(buildList(all, now), key.privatePem);

  it("lists the signatories in force, round-trips with a valid signature", () => {
    const result = verifyList(body, signature, key.publicPem, new Date("2026-07-02T00:00:00Z"));
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.list.signatories.map((s) => s.name)).toEqual(["Alpha Mail", "Bravo Télécom"]);
  });
  it("refuses a tampered list, another key, and an expired list", () => {
    const tampered = Buffer.from(body.toString().replace("bravo.example", "evil.example"));
    expect(verifyList(tampered, signature, key.publicPem, now)).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyList(body, signature, generateSigningKey().publicPem, now)).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyList(body, signature, key.publicPem, new Date("2026-07-16T00:00:00Z"))).toMatchObject({
      ok: false,
      reason: "expired",
    });
    expect(verifyList(body, "not base64 at all", key.publicPem, now)).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });
});

describe("policies for Alpha Mail on 2026-07-01", () => {
  const at = "2026-07-01";
  it("Postfix smtp_tls_policy_maps: secure with match= of the MX patterns, dane where validated", () => {
    if (!alpha) throw new Error("fixture");
    golden("policy-postfix.txt", postfixPolicy(alpha, all, { at }));
    expect(postfixPolicy(alpha, all, { at, daneDomains: new Set(["bravo.example"]) })).toContain(
      "bravo.example\tdane",
    );
    expect(postfixPolicy(alpha, all, { at })).not.toContain("charlie.example"); // withdrawn on 2026-06-30
    expect(postfixPolicy(alpha, all, { at: "2026-05-01" })).toContain("charlie.example");
  });
  it("Exim, MTA-STS and DNS records", () => {
    if (!alpha) throw new Error("fixture");
    golden("policy-exim.txt", eximPolicy(alpha, all, { at }));
    const dane = eximPolicy(alpha, all, { at, daneDomains: new Set(["bravo.example"]) });
    expect(dane).toContain("hostlist charter_dane_mx = *.mail.bravo.example\n");
    expect(dane).toContain("hosts_require_dane = +charter_dane_mx");
    expect(eximPolicy(alpha, all, { at })).not.toContain("dane");
    golden("policy-mta-sts.txt", mtaStsPolicy(alpha));
    golden("policy-dns.txt", dnsRecords(alpha, new Date("2026-07-01T00:00:00Z")));
  });
  it("art. 4.4 table: newer adhesion, three-month deadline, coverage", () => {
    if (!alpha) throw new Error("fixture");
    const rows = art44Table(alpha, all, at);
    expect(rows.find((r) => r.peer === "Bravo Télécom")).toMatchObject({
      newerAdhesion: "2026-06-01",
      deadline: "2026-09-01",
      covered: true,
      state: "covered",
    });
    expect(rows.find((r) => r.peer === "Charlie")?.state).toBe("withdrawn");
    golden("policy-art44.md", renderArt44(rows));
  });
});

describe("published list format", () => {
  it("the committed JSON Schema is the one generated from the zod schema", async () => {
    const { z } = await import("zod");
    const { publishedListSchema } = await import("../../../src/registry/published-list.js");
    const committed = JSON.parse(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "schema", "published-list.schema.json"),
        "utf8",
      ),
    );
    const { $id: _id, title: _title, ...rest } = committed;
    expect(rest).toEqual(z.toJSONSchema(publishedListSchema, { target: "draft-2020-12" }));
  });
});

describe("dane level for peers with validated TLSA", () => {
  it("only when every MX of the domain has authenticated TLSA records", async () => {
    const { daneDomains } = await import("../../../src/policy/dane-peers.js");
    const { fakeResolver } = await import("../../../src/net/resolver.js");
    const tlsa = [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32, 1) }];
    const resolver = fakeResolver({
      MX: {
        "bravo.example": [
          { exchange: "mx1.bravo.example", priority: 10 },
          { exchange: "mx2.bravo.example", priority: 20 },
        ],
      },
      TLSA: { "_25._tcp.mx1.bravo.example": tlsa, "_25._tcp.mx2.bravo.example": tlsa },
      signed: ["_25._tcp.mx1.bravo.example", "_25._tcp.mx2.bravo.example"],
    });
    expect(await daneDomains(all, resolver, 100)).toEqual(new Set(["bravo.example"]));
    const half = fakeResolver({
      MX: {
        "bravo.example": [
          { exchange: "mx1.bravo.example", priority: 10 },
          { exchange: "mx2.bravo.example", priority: 20 },
        ],
      },
      TLSA: { "_25._tcp.mx1.bravo.example": tlsa, "_25._tcp.mx2.bravo.example": tlsa },
      signed: ["_25._tcp.mx1.bravo.example"],
    });
    expect(await daneDomains(all, half, 100)).toEqual(new Set());
  });
});
