/** Discovery over the fake resolver: MX (null, implicit, failed), SRV, conventional names, overrides, failures. */
import { describe, expect, it } from "vitest";
import { discover } from "../../../src/audit/discovery/discovery.js";
import { type FakeZone, fakeResolver } from "../../../src/net/resolver.js";

const run = (zone: FakeZone, options: { conventionalNames?: boolean } = {}) =>
  discover("Example.ORG.", fakeResolver(zone), { timeoutMs: 100, ...options });

describe("discovery", () => {
  it("MX hosts sorted by priority, each on port 25, with how they were found", async () => {
    const d = await run({
      MX: {
        "example.org": [
          { exchange: "mx2.example.org.", priority: 20 },
          { exchange: "MX1.example.org", priority: 10 },
        ],
      },
    });
    expect(d.domain).toBe("example.org");
    expect(d.mx).toEqual({
      kind: "mx",
      hosts: [
        { host: "mx1.example.org", priority: 10 },
        { host: "mx2.example.org", priority: 20 },
      ],
    });
    expect(d.endpoints.map((e) => `${e.host}:${e.port}:${e.foundBy.join("+")}`)).toEqual([
      "mx1.example.org:25:mx",
      "mx2.example.org:25:mx",
    ]);
    expect(d.failures).toEqual([]);
  });
  it("RFC 7505 null MX: no mail, no MX endpoint", async () => {
    const d = await run({ MX: { "example.org": [{ exchange: ".", priority: 0 }] } });
    expect(d.mx.kind).toBe("null");
    expect(d.endpoints).toEqual([]);
  });
  it("RFC 5321 §5.1 implicit MX when there is no MX but an address; none when neither", async () => {
    const implicit = await run({ A: { "example.org": ["192.0.2.1"] } });
    expect(implicit.mx).toEqual({ kind: "implicit", hosts: [{ host: "example.org", priority: 0 }] });
    expect(implicit.endpoints[0]?.foundBy).toEqual(["implicit-mx"]);
    const none = await run({ TXT: { "example.org": ["v=spf1 -all"] } });
    expect(none.mx.kind).toBe("none");
  });
  it("a failed MX lookup, or a failed address lookup after NODATA, is an error, not 'none'", async () => {
    expect((await run({ fail: { "example.org": "timeout" } })).mx.kind).toBe("error");
    const zone: FakeZone = { TXT: { "example.org": ["x"] }, fail: {} };
    const resolver = fakeResolver(zone);
    const flaky = {
      ...resolver,
      addresses: async () => ({ ok: false as const, reason: "error" as const, message: "SERVFAIL" }),
    };
    const d = await discover("example.org", flaky, { timeoutMs: 100 });
    expect(d.mx).toMatchObject({ kind: "error", message: "SERVFAIL" });
  });
  it("SRV services (RFC 6186, RFC 8314), '.' targets noted, conventional names merged with them", async () => {
    const d = await run({
      MX: { "example.org": [{ exchange: "mx.example.org", priority: 10 }] },
      SRV: {
        "_imaps._tcp.example.org": [{ name: "imap.example.org", port: 993, priority: 0, weight: 0 }],
        "_pop3._tcp.example.org": [{ name: ".", port: 0, priority: 0, weight: 0 }],
      },
      A: { "imap.example.org": ["192.0.2.30"] },
    });
    const imaps = d.endpoints.find((e) => e.host === "imap.example.org" && e.port === 993);
    expect(imaps).toMatchObject({ service: "imap", tlsMode: "implicit" });
    expect(imaps?.foundBy).toEqual(["srv:_imaps._tcp", "conventional-name"]);
    expect(d.endpoints.find((e) => e.port === 143)?.foundBy).toEqual(["conventional-name"]);
    expect(d.notes).toContain('_pop3._tcp: explicitly not offered (target ".")');
  });
  it("without conventional names only declared services are found; overrides are added", async () => {
    const d = await discover("example.org", fakeResolver({ A: { "imap.example.org": ["192.0.2.30"] } }), {
      timeoutMs: 100,
      conventionalNames: false,
      overrides: [{ host: "mail.example.net", port: 465, service: "submission", tlsMode: "implicit" }],
    });
    expect(d.endpoints.map((e) => `${e.host}:${e.port}:${e.foundBy.join("+")}`)).toEqual([
      "mail.example.net:465:override",
    ]);
  });
  it("lookups that fail without proving absence are listed; NXDOMAIN and NODATA are not", async () => {
    const d = await run({
      MX: { "example.org": [{ exchange: "mx.example.org", priority: 10 }] },
      fail: { "_submissions._tcp.example.org": "error", "webmail.example.org": "timeout" },
    });
    expect(d.failures.map((f) => `${f.name}:${f.reason}`).sort()).toEqual([
      "_submissions._tcp.example.org:error",
      "webmail.example.org:timeout",
    ]);
  });
});
