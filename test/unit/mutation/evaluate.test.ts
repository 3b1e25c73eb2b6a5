/**
 * The rule interpreter on the failing side of every rule kind: the exact status, and the values the
 * observation names, for a server that breaks the rule, one that keeps it, and one we could not
 * fully observe. Read through evaluateProfile (the English `observed` of each finding), so the
 * wording may change without these tests; the statuses and values may not.
 */
import { describe, expect, it } from "vitest";
import type { EndpointReport, EndpointTls } from "../../../src/audit/probe/endpoint.js";
import { evaluateProfile, judge, matches } from "../../../src/audit/profiles/evaluate.js";
import type { Rule, SuiteSelector } from "../../../src/audit/profiles/profile.js";
import { type CipherSuite, suiteByName } from "../../../src/audit/tls/cipher-suites.js";
import { endpointOf, type TlsSketch, tlsOf } from "../../support/reports.js";

const suite = (name: string): CipherSuite => {
  const s = suiteByName(name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
};

const EXPORT = suite("TLS_RSA_EXPORT_WITH_RC4_40_MD5");
const ANON_CBC = suite("TLS_DH_anon_WITH_AES_128_CBC_SHA");
const ANON_GCM = suite("TLS_DH_anon_WITH_AES_128_GCM_SHA256");
const NULL_SHA = suite("TLS_RSA_WITH_NULL_SHA");
const ECDHE_GCM = suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
const ECDHE_CBC_SHA = suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
const RSA_CBC_SHA256 = suite("TLS_RSA_WITH_AES_128_CBC_SHA256");
const DES3 = suite("TLS_RSA_WITH_3DES_EDE_CBC_SHA");

describe("suite selectors", () => {
  it("each criterion matches on its own and only its own suites", () => {
    const cases: [SuiteSelector, CipherSuite[], CipherSuite[]][] = [
      [{ export: true }, [EXPORT], [ECDHE_GCM, ANON_CBC, NULL_SHA]],
      [{ anonymous: true }, [ANON_CBC, ANON_GCM], [EXPORT, ECDHE_GCM, NULL_SHA]],
      [{ nullCipher: true }, [NULL_SHA], [EXPORT, ECDHE_GCM, ANON_CBC]],
      [{ aead: true }, [ECDHE_GCM, ANON_GCM], [ECDHE_CBC_SHA, NULL_SHA]],
      [{ ciphers: ["3DES"] }, [DES3], [ECDHE_GCM, EXPORT]],
      [{ keyExchanges: ["DHE"] }, [ANON_CBC], [ECDHE_GCM, DES3]],
      [{ names: ["TLS_RSA_WITH_NULL_SHA"] }, [NULL_SHA], [ECDHE_GCM, DES3]],
      // a MAC criterion is about the record MAC: an AEAD suite's PRF hash is not one
      [{ macs: ["SHA256"] }, [RSA_CBC_SHA256], [ECDHE_GCM, ECDHE_CBC_SHA]],
      [{}, [], [ECDHE_GCM, EXPORT, ANON_CBC, NULL_SHA, DES3]],
    ];
    for (const [select, yes, no] of cases) {
      for (const s of yes) expect(matches(s, select), `${JSON.stringify(select)} ${s.name}`).toBe(true);
      for (const s of no) expect(matches(s, select), `${JSON.stringify(select)} ${s.name}`).toBe(false);
    }
  });

  it("excludeAnonymous removes anonymous suites whatever else matches them", () => {
    expect(matches(ANON_GCM, { aead: true, excludeAnonymous: true })).toBe(false);
    expect(matches(ANON_CBC, { keyExchanges: ["DHE"], excludeAnonymous: true })).toBe(false);
    expect(matches(ECDHE_GCM, { aead: true, excludeAnonymous: true })).toBe(true);
  });

  it("the macs criterion matches an AEAD suite whose hash is named", () => {
    // TLS 1.3 and GCM suites report mac "AEAD": listing "AEAD" as a mac must not let them in either
    expect(matches(ECDHE_GCM, { macs: ["AEAD"] })).toBe(false);
  });
});

const at = (sketch: TlsSketch, tls: Partial<EndpointTls> = {}): EndpointReport =>
  endpointOf({ tls: { ...tlsOf(sketch), ...tls } });

const tls12 = (suites: string[], extra: Partial<TlsSketch> = {}) =>
  at({ versions: ["TLSv1.2"], suites: { "TLSv1.2": suites }, ...extra });

/** Only the negotiated suite is known (no enumeration): facts are incomplete. */
const negotiatedOnly = (suiteName = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"): EndpointReport => {
  const base = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [suiteName] } });
  const { versions: _v, cipherSuites: _c, enumeration: _e, serverPreference: _p, ...rest } = base;
  return endpointOf({ tls: rest });
};

const withCertificate = (changes: Record<string, unknown>): EndpointReport => {
  const base = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [ECDHE_GCM.name] } });
  if (!base.certificate) throw new Error("sketch without certificate");
  return endpointOf({ tls: { ...base, certificate: { ...base.certificate, ...changes } } });
};

const withEnumeration = (changes: Record<string, unknown>): EndpointReport => {
  const base = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [ECDHE_GCM.name] } });
  if (!base.enumeration) throw new Error("sketch without enumeration");
  return endpointOf({ tls: { ...base, enumeration: { ...base.enumeration, ...changes } } });
};

/** One rule on one endpoint, through evaluateProfile: the status, and what the observation names. */
function expectRule(rule: Rule, e: EndpointReport, status: string, ...named: string[]): void {
  const result = evaluateProfile(
    { id: "t", title: "T", reference: "r", rules: [{ id: "r", source: "s", rule }] },
    [e],
  );
  const f = result.endpoints[0]?.findings[0];
  expect(f?.status, JSON.stringify(f)).toBe(status);
  for (const text of named) expect(f?.observed, `status ${status}`).toContain(text);
}

const noTls = endpointOf({ tls: null });

describe("versions", () => {
  const forbid: Rule = { kind: "forbid-versions", versions: ["SSLv3", "TLSv1"], level: "warn" };
  it("forbid-versions: the level with the versions found, pass only when complete, error otherwise", () => {
    expectRule(forbid, at({ versions: ["SSLv3", "TLSv1", "TLSv1.2"], suites: {} }), "warn", "SSLv3, TLSv1");
    expectRule(forbid, tls12([ECDHE_GCM.name]), "pass", "none of SSLv3, TLSv1");
    expectRule(forbid, tls12([ECDHE_GCM.name], { complete: false }), "error", "all versions not observed");
    expect(judge(forbid, noTls).status).toBe("error");
  });

  it("require-one-version: pass names what was found, fail names what was wanted", () => {
    const rule: Rule = { kind: "require-one-version", versions: ["TLSv1.2", "TLSv1.3"] };
    expectRule(
      rule,
      at({ versions: ["TLSv1", "TLSv1.2", "TLSv1.3"], suites: {} }),
      "pass",
      "TLSv1.2, TLSv1.3",
    );
    expectRule(rule, at({ versions: ["TLSv1", "TLSv1.1"], suites: {} }), "fail", "none of TLSv1.2, TLSv1.3");
    expect(judge(rule, noTls).status).toBe("fail");
  });
});

const sha1Suites = [
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
];

describe("suites", () => {
  it("forbid-suites: at most six names, pass only when complete", () => {
    const rule: Rule = { kind: "forbid-suites", select: { macs: ["SHA1"] }, level: "fail" };
    expectRule(rule, tls12([ECDHE_GCM.name, ...sha1Suites]), "fail", sha1Suites.slice(0, 6).join(", "));
    const result = evaluateProfile(
      { id: "t", title: "T", reference: "r", rules: [{ id: "r", source: "s", rule }] },
      [tls12([ECDHE_GCM.name, ...sha1Suites])],
    );
    expect(result.endpoints[0]?.findings[0]?.observed).not.toContain(sha1Suites[6]);
    expectRule(rule, tls12([ECDHE_GCM.name]), "pass");
    expectRule(rule, tls12([ECDHE_GCM.name], { complete: false }), "error", "all suites not observed");
    expectRule(rule, negotiatedOnly(), "error", "all suites not observed");
    expect(judge(rule, noTls).status).toBe("error");
  });

  it("forbid-suites of the charter: export and anonymous suites are broken", () => {
    const rule: Rule = {
      kind: "forbid-suites",
      select: { ciphers: ["NULL", "RC4", "DES"], export: true, anonymous: true },
      level: "fail",
    };
    expectRule(
      rule,
      tls12([ECDHE_GCM.name, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"]),
      "fail",
      "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
    );
    expectRule(rule, tls12([ECDHE_GCM.name, ANON_GCM.name]), "fail", ANON_GCM.name);
    expectRule(rule, tls12([ECDHE_GCM.name]), "pass");
  });

  it("require-suites: passes with the first match, fails on a complete enumeration without one", () => {
    const rule: Rule = {
      kind: "require-suites",
      select: { keyExchanges: ["ECDHE"], excludeAnonymous: true },
      what: "ECDHE suite",
    };
    expectRule(
      rule,
      tls12([RSA_CBC_SHA256.name, ECDHE_CBC_SHA.name, ECDHE_GCM.name]),
      "pass",
      ECDHE_CBC_SHA.name,
    );
    expectRule(
      rule,
      tls12([RSA_CBC_SHA256.name, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"]),
      "fail",
      "no ECDHE suite",
    );
    // nothing observed is never a pass; on an incomplete enumeration "none seen" is undetermined
    expect(judge(rule, noTls).status).not.toBe("pass");
    expectRule(rule, tls12([RSA_CBC_SHA256.name], { complete: false }), "error", "no ECDHE suite seen");
  });

  it("only-suites: the level and up to six suites outside the list; pass only when complete", () => {
    const rule: Rule = { kind: "only-suites", names: [ECDHE_GCM.name], level: "warn" };
    expectRule(
      rule,
      tls12([ECDHE_GCM.name, ...sha1Suites]),
      "warn",
      `outside the list: ${sha1Suites.slice(0, 6).join(", ")}`,
    );
    expectRule(rule, tls12([ECDHE_GCM.name]), "pass", "only listed suites");
    expectRule(rule, negotiatedOnly(), "error", "all suites not observed");
    expect(judge(rule, noTls).status).toBe("error");
  });
});

describe("prefer", () => {
  const rule: Rule = {
    kind: "prefer",
    good: { ciphers: ["AESGCM"] },
    bad: { ciphers: ["3DES"] },
    names: { good: "AES", bad: "3DES" },
  };
  it("fails when no good suite is accepted or the server picks a bad one first", () => {
    expectRule(rule, tls12([DES3.name]), "fail", "no AES suite accepted");
    expectRule(
      rule,
      tls12([DES3.name, ECDHE_GCM.name], { serverOrder: true }),
      "fail",
      "3DES chosen over AES",
    );
  });
  it("warns when the client's order decides, passes when the server chooses well or there is no bad suite", () => {
    expectRule(
      rule,
      tls12([ECDHE_GCM.name, DES3.name], { serverOrder: false }),
      "warn",
      "the client's order decides",
    );
    expectRule(
      rule,
      tls12([ECDHE_GCM.name, DES3.name], { serverOrder: true }),
      "pass",
      "AES chosen first by the server",
    );
    expectRule(rule, tls12([ECDHE_GCM.name]), "pass", "AES accepted, no 3DES");
  });
  it("error when nothing or not everything was observed; a bad first pick fails even then", () => {
    expect(judge(rule, noTls).status).toBe("error");
    expectRule(rule, at({ versions: [], suites: {} }), "error", "accepted suites not observed");
    expectRule(rule, tls12([ECDHE_GCM.name], { complete: false }), "error", "all suites not observed");
    expectRule(rule, tls12([DES3.name, ECDHE_GCM.name], { complete: false }), "fail", "3DES chosen over AES");
  });
  it("judges only the versions it names", () => {
    const sha2: Rule = { ...rule, versions: ["TLSv1.2"] } as Rule;
    const e = at({
      versions: ["TLSv1", "TLSv1.2"],
      suites: { TLSv1: [DES3.name, ECDHE_CBC_SHA.name], "TLSv1.2": [ECDHE_GCM.name] },
      serverOrder: true,
    });
    expectRule(sha2, e, "pass", "AES accepted, no 3DES");
    expectRule(rule, e, "fail");
  });
});

describe("order", () => {
  it("server-order and client-order: pass when as wanted, the level otherwise, n/a when unknown", () => {
    const server: Rule = { kind: "server-order", level: "fail" };
    const client: Rule = { kind: "client-order", level: "warn" };
    const ordered = tls12([ECDHE_GCM.name], { serverOrder: true });
    const free = tls12([ECDHE_GCM.name], { serverOrder: false });
    expectRule(server, ordered, "pass", "server");
    expectRule(server, free, "fail", "client");
    expectRule(client, free, "pass", "client");
    expectRule(client, ordered, "warn", "server");
    expectRule(
      server,
      at({ versions: ["TLSv1.2"], suites: {} }, { serverPreference: null }),
      "not_applicable",
    );
    expectRule(server, negotiatedOnly(), "not_applicable", "fewer than two suites");
    expect(judge(server, noTls).status).toBe("not_applicable");
  });
});

describe("DH size, compression, renegotiation", () => {
  it("min-dh-bits: the level below the size, pass at it, n/a without DHE", () => {
    const rule: Rule = { kind: "min-dh-bits", bits: 2048, level: "fail" };
    expectRule(rule, withEnumeration({ dhBits: 1024 }), "fail", "1024", "< 2048");
    expectRule(rule, withEnumeration({ dhBits: 2047 }), "fail", "2047");
    expectRule(rule, withEnumeration({ dhBits: 2048 }), "pass", "2048");
    expectRule(rule, withEnumeration({ dhBits: null }), "not_applicable", "no DHE exchange seen");
    expectRule(rule, negotiatedOnly(), "not_applicable");
  });
  it("no-compression: fail when accepted", () => {
    const rule: Rule = { kind: "no-compression" };
    expectRule(rule, withEnumeration({ compression: true }), "fail", "TLS compression accepted");
    expectRule(rule, withEnumeration({ compression: false }), "pass", "no compression");
    expectRule(rule, withEnumeration({ compression: null }), "not_applicable", "not observed");
    expectRule(rule, negotiatedOnly(), "not_applicable");
  });
  it("secure-renegotiation: the level without RFC 5746", () => {
    const rule: Rule = { kind: "secure-renegotiation", level: "warn" };
    expectRule(rule, withEnumeration({ secureRenegotiation: false }), "warn", "no secure renegotiation");
    expectRule(rule, withEnumeration({ secureRenegotiation: true }), "pass", "RFC 5746");
    expectRule(rule, withEnumeration({ secureRenegotiation: null }), "not_applicable", "TLS 1.3 only");
    expectRule(rule, negotiatedOnly(), "not_applicable");
  });
});

describe("certificate rules on a failing certificate", () => {
  it("no certificate seen: each certificate rule is undetermined, saying so", () => {
    const base = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [ECDHE_GCM.name] } });
    const none = endpointOf({ tls: { ...base, certificate: null } });
    for (const rule of [
      { kind: "certificate-key", rsaBits: 2048, ecBits: 256 },
      { kind: "certificate-signature", forbidden: ["SHA-1"] },
      { kind: "max-certificate-days", days: 398, level: "warn" },
    ] as Rule[])
      expectRule(rule, none, "error", "certificate not observed");
  });

  const key: Rule = { kind: "certificate-key", rsaBits: 2048, ecBits: 256 };
  it("certificate-key: RSA 1024 fails, RSA 2048 passes, EC is held to the EC size", () => {
    expectRule(key, withCertificate({ keyType: "RSA", keyBits: 1024 }), "fail", "RSA 1024 < 2048");
    expectRule(key, withCertificate({ keyType: "RSA", keyBits: 2047 }), "fail", "RSA 2047 < 2048");
    expectRule(key, withCertificate({ keyType: "RSA", keyBits: 2048 }), "pass", "RSA 2048");
    expectRule(key, withCertificate({ keyType: "EC prime256v1", keyBits: 256 }), "pass", "EC prime256v1 256");
    expectRule(
      key,
      withCertificate({ keyType: "EC secp224r1", keyBits: 224 }),
      "fail",
      "EC secp224r1 224 < 256",
    );
    expectRule(
      key,
      withCertificate({ keyType: "EC secp256k1", keyBits: null }),
      "error",
      "key size not observed",
    );
    expect(judge(key, noTls).status).toBe("error");
  });

  it("certificate-signature: a forbidden hash fails, an unknown hash is named", () => {
    const rule: Rule = { kind: "certificate-signature", forbidden: ["MD5", "SHA-1"] };
    expectRule(rule, withCertificate({ signatureHash: "SHA-1" }), "fail", "SHA-1");
    expectRule(rule, withCertificate({ signatureHash: "MD5" }), "fail", "MD5");
    expectRule(rule, withCertificate({ signatureHash: "SHA-256" }), "pass", "SHA-256");
    expectRule(rule, withCertificate({ signatureHash: null }), "pass", "unknown");
    expect(judge(rule, noTls).status).toBe("error");
  });

  it("max-certificate-days: the level past the lifetime, pass at it", () => {
    const rule: Rule = { kind: "max-certificate-days", days: 398, level: "warn" };
    const lifetime = (days: number) =>
      withCertificate({
        notBefore: "2026-01-01T00:00:00.000Z",
        notAfter: new Date(Date.parse("2026-01-01T00:00:00.000Z") + days * 86_400_000).toISOString(),
      });
    expectRule(rule, lifetime(825), "warn", "825", "> 398");
    expectRule(rule, lifetime(398), "pass", "398");
    expectRule(rule, lifetime(399), "warn", "399", "> 398");
    expect(judge(rule, noTls).status).toBe("error");
  });
});

describe("evaluateProfile", () => {
  it("the worst finding per endpoint, the worst endpoint overall; endpoints without TLS are left out", () => {
    const profile = {
      id: "p",
      title: "P",
      reference: "r",
      rules: [
        { id: "tls12", source: "s1", rule: { kind: "require-one-version", versions: ["TLSv1.2"] } as Rule },
        {
          id: "no-3des",
          source: "s2",
          rule: { kind: "forbid-suites", select: { ciphers: ["3DES"] }, level: "warn" } as Rule,
        },
      ],
    };
    const good = tls12([ECDHE_GCM.name]);
    const weak = endpointOf({ ...tls12([DES3.name]), host: "weak.example.org" });
    const result = evaluateProfile(profile, [good, weak, noTls]);
    expect(result).toMatchObject({
      profile: "p",
      title: "P",
      status: "warn",
      endpoints: [
        {
          endpoint: "mx.example.org [192.0.2.25]:25",
          status: "pass",
          findings: [
            { rule: "tls12", source: "s1", status: "pass" },
            { rule: "no-3des", source: "s2", status: "pass" },
          ],
        },
        {
          endpoint: "weak.example.org [192.0.2.25]:25",
          status: "warn",
          findings: [
            { rule: "tls12", source: "s1", status: "pass" },
            { rule: "no-3des", source: "s2", status: "warn" },
          ],
        },
      ],
    });
    expect(result.endpoints).toHaveLength(2);
    expect(result.endpoints[1]?.findings[1]?.observed).toContain(DES3.name);
    expect(evaluateProfile(profile, []).status).toBe("not_applicable");
  });
});
