/** The profile language's `not` and `cbc` selectors, judged by the one interpreter (both ways each). */
import { describe, expect, it } from "vitest";
import { judge, matches } from "../../../src/audit/profiles/evaluate.js";
import { suiteByName } from "../../../src/audit/tls/cipher-suites.js";
import { endpointOf, tlsOf } from "../../support/reports.js";

const suite = (name: string) => {
  const s = suiteByName(name);
  if (!s) throw new Error(name);
  return s;
};

describe("suite selectors", () => {
  it("cbc: block ciphers without AEAD, not GCM, ChaCha20, RC4 or NULL", () => {
    for (const name of [
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_256_CBC_SHA256",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    ])
      expect(matches(suite(name), { cbc: true }), name).toBe(true);
    for (const name of [
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_RC4_128_SHA",
      "TLS_RSA_WITH_NULL_SHA",
    ])
      expect(matches(suite(name), { cbc: true }), name).toBe(false);
  });

  it("not: every suite the inner selector does not match", () => {
    const notEcdhe = { not: { keyExchanges: ["ECDHE", "TLS13"] } };
    expect(matches(suite("TLS_RSA_WITH_AES_128_GCM_SHA256"), notEcdhe)).toBe(true);
    expect(matches(suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"), notEcdhe)).toBe(true);
    expect(matches(suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), notEcdhe)).toBe(false);
    expect(matches(suite("TLS_AES_256_GCM_SHA384"), notEcdhe)).toBe(false);
  });

  it("ECDHE required on an endpoint: fails with the other suites named, passes when only ECDHE is left", () => {
    const rule = {
      kind: "forbid-suites",
      select: { not: { keyExchanges: ["ECDHE", "TLS13"] } },
      level: "fail",
    } as const;
    const mixed = endpointOf({
      tls: tlsOf({
        versions: ["TLSv1.2"],
        suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"] },
      }),
    });
    expect(judge(rule, mixed)).toEqual({
      status: "fail",
      code: "rule.suites-accepted",
      values: { suites: ["TLS_RSA_WITH_AES_128_GCM_SHA256"] },
    });
    const clean = endpointOf({
      tls: tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] } }),
    });
    expect(judge(rule, clean).status).toBe("pass");
    // An enumeration that did not finish cannot prove the absence.
    const partial = endpointOf({
      tls: tlsOf({
        versions: ["TLSv1.2"],
        suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
        complete: false,
      }),
    });
    expect(judge(rule, partial).status).toBe("error");
  });
});
