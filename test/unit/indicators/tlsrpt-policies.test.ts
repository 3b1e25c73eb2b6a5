/** TLS-RPT out: the policies' strings looked up at generation time (RFC 8460 §4.4), and what cannot be. */
import { describe, expect, it } from "vitest";
import { trustStoreOf } from "../../../src/audit/tls/trust-store.js";
import {
  generateReports,
  type OutboundSession,
  reportJson,
} from "../../../src/indicators/tlsrpt/generate.js";
import {
  livePolicySource,
  type PolicySource,
  tlsaPresentation,
  withPolicies,
} from "../../../src/indicators/tlsrpt/generate-policies.js";
import { liveNetwork } from "../../../src/net/network.js";
import { fakeResolver } from "../../../src/net/resolver.js";

const none = { type: "no-policy-found" as const, strings: [], mxHosts: [] };
const session = (over: Partial<OutboundSession>): OutboundSession => ({
  time: "2026-11-30T10:00:00Z",
  policyDomain: "b.example",
  policy: none,
  failure: null,
  mxHost: "mx.b.example",
  receivingIp: "192.0.2.25",
  ...over,
});
const stsLines = ["version: STSv1", "mode: enforce", "mx: mx.b.example", "max_age: 86400"];

/** A source answering from data, counting its lookups. */
function source(data: {
  sts?: Record<string, Awaited<ReturnType<PolicySource["sts"]>>>;
  tlsa?: Record<string, Awaited<ReturnType<PolicySource["tlsa"]>>>;
}): PolicySource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async sts(domain) {
      calls.push(`sts ${domain}`);
      return data.sts?.[domain] ?? { ok: true, value: null };
    },
    async tlsa(mx) {
      calls.push(`tlsa ${mx}`);
      return data.tlsa?.[mx] ?? { ok: true, value: [] };
    },
  };
}

const stsFound = { ok: true as const, value: { lines: stsLines, mode: "enforce", mx: ["mx.b.example"] } };

describe("policy strings at generation time", () => {
  it("fills the lines of an sts policy and the records of a tlsa one, each looked up once", async () => {
    const src = source({
      sts: { "b.example": stsFound },
      tlsa: { "mx.d.example": { ok: true, value: ["3 1 1 AABB"] } },
    });
    const sts = { type: "sts" as const, strings: [], mxHosts: [] };
    const tlsa = { type: "tlsa" as const, strings: [], mxHosts: [] };
    const { sessions, warnings } = await withPolicies(
      [
        session({ policy: sts, failure: "sts-policy-invalid" }),
        session({ policy: sts }),
        session({ policyDomain: "d.example", mxHost: "mx.d.example", policy: tlsa }),
        session({ policyDomain: "c.example", mxHost: "mx.c.example" }),
      ],
      src,
      { dane: false, sts: false },
    );
    expect(warnings).toEqual([]);
    expect(sessions.map((s) => s.policy)).toEqual([
      { type: "sts", strings: stsLines, mxHosts: ["mx.b.example"] },
      { type: "sts", strings: stsLines, mxHosts: ["mx.b.example"] },
      { type: "tlsa", strings: ["3 1 1 AABB"], mxHosts: [] },
      none,
    ]);
    // Nothing is looked up for an untyped session without --applies.
    expect(src.calls).toEqual(["sts b.example", "tlsa mx.d.example"]);
  });

  it("what cannot be fetched is a warning and the field is left out of the report, never invented", async () => {
    const src = source({
      sts: { "b.example": { ok: false, published: true, reason: "connect ECONNREFUSED" } },
      tlsa: { "mx.d.example": { ok: false, reason: "not DNSSEC-validated (no AD bit)" } },
    });
    const { sessions, warnings } = await withPolicies(
      [
        session({ policy: { type: "sts", strings: [], mxHosts: [] }, failure: "sts-policy-fetch-error" }),
        session({ policyDomain: "d.example", mxHost: "mx.d.example", policy: { ...none, type: "tlsa" } }),
      ],
      src,
      { dane: false, sts: false },
    );
    expect(warnings).toEqual([
      "b.example: MTA-STS policy not fetched: connect ECONNREFUSED",
      "d.example: TLSA records of mx.d.example not found: not DNSSEC-validated (no AD bit)",
    ]);
    const reports = generateReports({
      organization: "Alpha",
      contactInfo: "tlsrpt@alpha.example",
      day: "2026-11-30",
      sessions,
    });
    for (const r of reports) {
      const sent = JSON.parse(reportJson(r)) as { policies: { policy: Record<string, unknown> }[] };
      expect(sent.policies[0]?.policy).not.toHaveProperty("policy-string");
      expect(["sts", "tlsa"]).toContain(sent.policies[0]?.policy["policy-type"]);
    }
  });

  it("--applies types an untyped session from what the domain publishes: DANE first, then MTA-STS", async () => {
    const src = source({
      tlsa: { "mx.d.example": { ok: true, value: ["3 1 1 CCDD"] } },
      sts: {
        "b.example": stsFound,
        "d.example": stsFound,
        "n.example": {
          ok: true,
          value: { lines: ["version: STSv1", "mode: none"], mode: "none", mx: ["*"] },
        },
        "u.example": stsFound, // its patterns do not cover mx.u.example
        "f.example": { ok: false, published: true, reason: "HTTP 404" },
        "t.example": { ok: false, published: false, reason: "_mta-sts.t.example TXT: timeout" },
      },
    });
    const domains = ["b", "d", "n", "u", "f", "t"].map((d) => `${d}.example`);
    const { sessions, warnings } = await withPolicies(
      domains.map((d) => session({ policyDomain: d, mxHost: `mx.${d}` })),
      src,
      { dane: true, sts: true },
    );
    expect(sessions.map((s) => [s.policyDomain, s.policy.type, s.policy.strings])).toEqual([
      ["b.example", "sts", stsLines],
      ["d.example", "tlsa", ["3 1 1 CCDD"]],
      ["n.example", "no-policy-found", []],
      ["u.example", "no-policy-found", []],
      ["f.example", "sts", []],
      ["t.example", "no-policy-found", []],
    ]);
    expect(warnings).toEqual([
      "f.example: MTA-STS policy not fetched: HTTP 404",
      "t.example: MTA-STS policy not fetched: _mta-sts.t.example TXT: timeout",
    ]);
    // DANE found for d.example: its MTA-STS policy is not fetched.
    expect(src.calls).not.toContain("sts d.example");
  });
});

describe("the live policy source", () => {
  const data = Buffer.from("0123456789abcdef", "hex");
  const network = (zone: Parameters<typeof fakeResolver>[0]) =>
    liveNetwork({ resolver: fakeResolver(zone), allowPrivate: true });
  const options = { stepTimeoutMs: 2_000, trustStore: trustStoreOf([], "none") };

  it("TLSA records only from a DNSSEC-validated answer, in presentation form", async () => {
    const zone = {
      TLSA: { "_25._tcp.mx.signed.example": [{ usage: 3, selector: 1, matchingType: 1, data }] },
      signed: ["_25._tcp.mx.signed.example"],
    };
    const live = livePolicySource(network(zone), options);
    expect(await live.tlsa("mx.signed.example")).toEqual({ ok: true, value: ["3 1 1 0123456789ABCDEF"] });
    const unsigned = livePolicySource(network({ ...zone, signed: [] }), options);
    expect(await unsigned.tlsa("mx.signed.example")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not DNSSEC-validated/),
    });
    expect(await live.tlsa("mx.none.example")).toEqual({ ok: true, value: [] });
    expect(tlsaPresentation({ usage: 2, selector: 0, matchingType: 2, data })).toBe("2 0 2 0123456789ABCDEF");
  });

  it("no v=STSv1 record: no policy; a record whose policy host does not answer: a failure, published", async () => {
    const live = livePolicySource(
      network({
        TXT: { "_mta-sts.none.example": ["v=spf1 -all"], "_mta-sts.down.example": ["v=STSv1; id=1;"] },
        // Nothing listens on 127.0.0.9:443 in the unit tests.
        A: { "mta-sts.down.example": ["127.0.0.9"] },
      }),
      options,
    );
    expect(await live.sts("none.example")).toEqual({ ok: true, value: null });
    expect(await live.sts("absent.example")).toEqual({ ok: true, value: null });
    expect(await live.sts("down.example")).toMatchObject({ ok: false, published: true });
  });
});

describe("tlsrpt generate --applies", () => {
  it("names dane and sts only, as a clear usage error", async () => {
    const { cli, usageError } = await import("../../support/cli.js");
    const result = await cli(
      "tlsrpt",
      "generate",
      "--org",
      "Alpha",
      "--date",
      "2026-11-30",
      "--db",
      "/nonexistent/x.sqlite",
      "--applies",
      "dane,tofu",
    );
    expect(usageError(result)).toMatch(/--applies: "tofu" is not dane or sts/);
  });
});
