/**
 * The rule interpreter on the failing side of every rule kind: the exact status and observation for
 * a server that breaks the rule, one that keeps it, and one we could not fully observe.
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

describe("versions", () => {
  const forbid: Rule = { kind: "forbid-versions", versions: ["SSLv3", "TLSv1"], level: "warn" };
  it("forbid-versions: the level with the versions found, pass with the list, error when incomplete", () => {
    expect(judge(forbid, at({ versions: ["SSLv3", "TLSv1", "TLSv1.2"], suites: {} }))).toEqual({
      status: "warn",
      observed: "SSLv3, TLSv1",
    });
    expect(judge(forbid, tls12([ECDHE_GCM.name]))).toEqual({
      status: "pass",
      observed: "none of SSLv3, TLSv1",
    });
    expect(judge(forbid, tls12([ECDHE_GCM.name], { complete: false }))).toEqual({
      status: "error",
      observed: "all versions not observed",
    });
    expect(judge(forbid, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "all versions not observed",
    });
  });

  it("require-one-version: pass names what was found, fail names what was wanted", () => {
    const rule: Rule = { kind: "require-one-version", versions: ["TLSv1.2", "TLSv1.3"] };
    expect(judge(rule, at({ versions: ["TLSv1", "TLSv1.2", "TLSv1.3"], suites: {} }))).toEqual({
      status: "pass",
      observed: "TLSv1.2, TLSv1.3",
    });
    expect(judge(rule, at({ versions: ["TLSv1", "TLSv1.1"], suites: {} }))).toEqual({
      status: "fail",
      observed: "none of TLSv1.2, TLSv1.3",
    });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "fail",
      observed: "none of TLSv1.2, TLSv1.3",
    });
  });
});

describe("suites", () => {
  it("forbid-suites: at most six names, pass 'none' only when complete", () => {
    const rule: Rule = { kind: "forbid-suites", select: { macs: ["SHA1"] }, level: "fail" };
    const many = [
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ];
    expect(judge(rule, tls12([ECDHE_GCM.name, ...many]))).toEqual({
      status: "fail",
      observed: many.slice(0, 6).join(", "),
    });
    expect(judge(rule, tls12([ECDHE_GCM.name]))).toEqual({ status: "pass", observed: "none" });
    expect(judge(rule, tls12([ECDHE_GCM.name], { complete: false }))).toEqual({
      status: "error",
      observed: "all suites not observed",
    });
    expect(judge(rule, negotiatedOnly())).toEqual({ status: "error", observed: "all suites not observed" });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "all suites not observed",
    });
  });

  it("forbid-suites of the charter: export and anonymous suites are broken", () => {
    const rule: Rule = {
      kind: "forbid-suites",
      select: { ciphers: ["NULL", "RC4", "DES"], export: true, anonymous: true },
      level: "fail",
    };
    expect(judge(rule, tls12([ECDHE_GCM.name, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"]))).toEqual({
      status: "fail",
      observed: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
    });
    expect(judge(rule, tls12([ECDHE_GCM.name, ANON_GCM.name]))).toEqual({
      status: "fail",
      observed: ANON_GCM.name,
    });
  });

  it("require-suites: the first match, or 'no <what>'", () => {
    const rule: Rule = {
      kind: "require-suites",
      select: { keyExchanges: ["ECDHE"], excludeAnonymous: true },
      what: "an ECDHE suite",
    };
    expect(judge(rule, tls12([RSA_CBC_SHA256.name, ECDHE_CBC_SHA.name, ECDHE_GCM.name]))).toEqual({
      status: "pass",
      observed: ECDHE_CBC_SHA.name,
    });
    expect(judge(rule, tls12([RSA_CBC_SHA256.name, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"]))).toEqual({
      status: "fail",
      observed: "no an ECDHE suite",
    });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({ status: "fail", observed: "no an ECDHE suite" });
  });

  it("only-suites: the level and up to six suites outside the list; pass only when complete", () => {
    const rule: Rule = { kind: "only-suites", names: [ECDHE_GCM.name], level: "warn" };
    const outside = [
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ];
    expect(judge(rule, tls12([ECDHE_GCM.name, ...outside]))).toEqual({
      status: "warn",
      observed: `outside the list: ${outside.slice(0, 6).join(", ")}`,
    });
    expect(judge(rule, tls12([ECDHE_GCM.name]))).toEqual({ status: "pass", observed: "only listed suites" });
    expect(judge(rule, negotiatedOnly())).toEqual({ status: "error", observed: "all suites not observed" });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "all suites not observed",
    });
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
    expect(judge(rule, tls12([DES3.name]))).toEqual({ status: "fail", observed: "no AES suite accepted" });
    expect(judge(rule, tls12([DES3.name, ECDHE_GCM.name], { serverOrder: true }))).toEqual({
      status: "fail",
      observed: "3DES chosen over AES (server order, or no AES in a version)",
    });
  });
  it("warns when the client's order decides, passes when the server chooses well or there is no bad suite", () => {
    expect(judge(rule, tls12([ECDHE_GCM.name, DES3.name], { serverOrder: false }))).toEqual({
      status: "warn",
      observed: "3DES accepted; the client's order decides",
    });
    expect(judge(rule, tls12([ECDHE_GCM.name, DES3.name], { serverOrder: true }))).toEqual({
      status: "pass",
      observed: "3DES accepted but AES chosen first by the server",
    });
    expect(judge(rule, tls12([ECDHE_GCM.name]))).toEqual({
      status: "pass",
      observed: "AES accepted, no 3DES",
    });
  });
  it("error when nothing or not everything was observed; a bad first pick fails even then", () => {
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "accepted suites not observed",
    });
    expect(judge(rule, at({ versions: [], suites: {} }))).toEqual({
      status: "error",
      observed: "accepted suites not observed",
    });
    expect(judge(rule, tls12([ECDHE_GCM.name], { complete: false }))).toEqual({
      status: "error",
      observed: "all suites not observed",
    });
    expect(judge(rule, tls12([DES3.name, ECDHE_GCM.name], { complete: false })).status).toBe("fail");
  });
  it("judges only the versions it names", () => {
    const sha2: Rule = { ...rule, versions: ["TLSv1.2"] } as Rule;
    const e = at({
      versions: ["TLSv1", "TLSv1.2"],
      suites: { TLSv1: [DES3.name, ECDHE_CBC_SHA.name], "TLSv1.2": [ECDHE_GCM.name] },
      serverOrder: true,
    });
    expect(judge(sha2, e)).toEqual({ status: "pass", observed: "AES accepted, no 3DES" });
    expect(judge(rule, e).status).toBe("fail");
  });
});

describe("order", () => {
  it("server-order and client-order: pass when as wanted, the level otherwise, n/a when unknown", () => {
    const server: Rule = { kind: "server-order", level: "fail" };
    const client: Rule = { kind: "client-order", level: "warn" };
    const ordered = tls12([ECDHE_GCM.name], { serverOrder: true });
    const free = tls12([ECDHE_GCM.name], { serverOrder: false });
    expect(judge(server, ordered)).toEqual({ status: "pass", observed: "server order" });
    expect(judge(server, free)).toEqual({ status: "fail", observed: "client order" });
    expect(judge(client, free)).toEqual({ status: "pass", observed: "client order" });
    expect(judge(client, ordered)).toEqual({ status: "warn", observed: "server order" });
    const unknown = { status: "not_applicable", observed: "fewer than two suites per version" };
    expect(judge(server, at({ versions: ["TLSv1.2"], suites: {} }, { serverPreference: null }))).toEqual(
      unknown,
    );
    expect(judge(server, negotiatedOnly())).toEqual(unknown);
  });
});

describe("DH size, compression, renegotiation", () => {
  it("min-dh-bits: the level below the size, pass at it, n/a without DHE", () => {
    const rule: Rule = { kind: "min-dh-bits", bits: 2048, level: "fail" };
    expect(judge(rule, withEnumeration({ dhBits: 1024 }))).toEqual({
      status: "fail",
      observed: "1024 bits < 2048",
    });
    expect(judge(rule, withEnumeration({ dhBits: 2048 }))).toEqual({ status: "pass", observed: "2048 bits" });
    expect(judge(rule, withEnumeration({ dhBits: null }))).toEqual({
      status: "not_applicable",
      observed: "no DHE exchange seen",
    });
    expect(judge(rule, negotiatedOnly())).toEqual({
      status: "not_applicable",
      observed: "no DHE exchange seen",
    });
  });
  it("no-compression: fail when accepted", () => {
    const rule: Rule = { kind: "no-compression" };
    expect(judge(rule, withEnumeration({ compression: true }))).toEqual({
      status: "fail",
      observed: "TLS compression accepted",
    });
    expect(judge(rule, withEnumeration({ compression: false }))).toEqual({
      status: "pass",
      observed: "no compression",
    });
    expect(judge(rule, withEnumeration({ compression: null }))).toEqual({
      status: "not_applicable",
      observed: "not observed",
    });
    expect(judge(rule, negotiatedOnly())).toEqual({ status: "not_applicable", observed: "not observed" });
  });
  it("secure-renegotiation: the level without RFC 5746", () => {
    const rule: Rule = { kind: "secure-renegotiation", level: "warn" };
    expect(judge(rule, withEnumeration({ secureRenegotiation: false }))).toEqual({
      status: "warn",
      observed: "no secure renegotiation",
    });
    expect(judge(rule, withEnumeration({ secureRenegotiation: true }))).toEqual({
      status: "pass",
      observed: "RFC 5746 renegotiation_info",
    });
    const na = { status: "not_applicable", observed: "TLS 1.3 only or not observed" };
    expect(judge(rule, withEnumeration({ secureRenegotiation: null }))).toEqual(na);
    expect(judge(rule, negotiatedOnly())).toEqual(na);
  });
});

describe("certificate rules on a failing certificate", () => {
  const key: Rule = { kind: "certificate-key", rsaBits: 2048, ecBits: 256 };
  it("certificate-key: RSA 1024 fails, RSA 2048 passes, EC is held to the EC size", () => {
    expect(judge(key, withCertificate({ keyType: "RSA", keyBits: 1024 }))).toEqual({
      status: "fail",
      observed: "RSA 1024 < 2048",
    });
    expect(judge(key, withCertificate({ keyType: "RSA", keyBits: 2048 }))).toEqual({
      status: "pass",
      observed: "RSA 2048",
    });
    expect(judge(key, withCertificate({ keyType: "EC prime256v1", keyBits: 256 }))).toEqual({
      status: "pass",
      observed: "EC prime256v1 256",
    });
    expect(judge(key, withCertificate({ keyType: "EC secp224r1", keyBits: 224 }))).toEqual({
      status: "fail",
      observed: "EC secp224r1 224 < 256",
    });
    expect(judge(key, withCertificate({ keyType: "EC secp256k1", keyBits: null }))).toEqual({
      status: "error",
      observed: "key size not observed",
    });
    expect(judge(key, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "certificate not observed",
    });
    expect(judge(key, withCertificate({ keyType: "RSA", keyBits: 2047 })).status).toBe("fail");
  });

  it("certificate-signature: a forbidden hash fails, an unknown hash is named", () => {
    const rule: Rule = { kind: "certificate-signature", forbidden: ["MD5", "SHA-1"] };
    expect(judge(rule, withCertificate({ signatureHash: "SHA-1" }))).toEqual({
      status: "fail",
      observed: "SHA-1",
    });
    expect(judge(rule, withCertificate({ signatureHash: "SHA-256" }))).toEqual({
      status: "pass",
      observed: "SHA-256",
    });
    expect(judge(rule, withCertificate({ signatureHash: null }))).toEqual({
      status: "pass",
      observed: "unknown",
    });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "certificate not observed",
    });
  });

  it("max-certificate-days: the level past the lifetime, pass at it", () => {
    const rule: Rule = { kind: "max-certificate-days", days: 398, level: "warn" };
    const lifetime = (days: number) =>
      withCertificate({
        notBefore: "2026-01-01T00:00:00.000Z",
        notAfter: new Date(Date.parse("2026-01-01T00:00:00.000Z") + days * 86_400_000).toISOString(),
      });
    expect(judge(rule, lifetime(825))).toEqual({ status: "warn", observed: "825 days > 398" });
    expect(judge(rule, lifetime(398))).toEqual({ status: "pass", observed: "398 days" });
    expect(judge(rule, lifetime(399))).toEqual({ status: "warn", observed: "399 days > 398" });
    expect(judge(rule, endpointOf({ tls: null }))).toEqual({
      status: "error",
      observed: "certificate not observed",
    });
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
    const result = evaluateProfile(profile, [good, weak, endpointOf({ tls: null })]);
    expect(result).toEqual({
      profile: "p",
      title: "P",
      status: "warn",
      endpoints: [
        {
          endpoint: "mx.example.org [192.0.2.25]:25",
          status: "pass",
          findings: [
            { rule: "tls12", source: "s1", status: "pass", observed: "TLSv1.2" },
            { rule: "no-3des", source: "s2", status: "pass", observed: "none" },
          ],
        },
        {
          endpoint: "weak.example.org [192.0.2.25]:25",
          status: "warn",
          findings: [
            { rule: "tls12", source: "s1", status: "pass", observed: "TLSv1.2" },
            { rule: "no-3des", source: "s2", status: "warn", observed: DES3.name },
          ],
        },
      ],
    });
    expect(evaluateProfile(profile, []).status).toBe("not_applicable");
  });
});
