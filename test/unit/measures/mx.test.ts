/** MX measures of the charter annex §2, judged on synthetic reports: each rule both ways. */
import { describe, expect, it } from "vitest";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { onMx } from "./facts.js";

const mxStarttls = (mx: EndpointReport[], noMx: boolean) =>
  onMx("mx.starttls", mx, noMx ? { mx: { kind: "null", hosts: [] } } : {});
const mxTlsVersion = (mx: EndpointReport[]) => onMx("mx.tls-version", mx);
const mxCipher = (mx: EndpointReport[]) => onMx("mx.cipher", mx);
const mxKeyExchange = (mx: EndpointReport[]) => onMx("mx.key-exchange", mx);
const mxHash = (mx: EndpointReport[]) => onMx("mx.hash", mx);
const mxCertificate = (mx: EndpointReport[]) => onMx("mx.certificate", mx);
const mxTerritory = (
  mx: EndpointReport[],
  territory: { countries: string[]; locate: () => { country: string | null; source: string } },
) => onMx("mx.territory", mx, { territory });

const modern = tlsOf({
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], "TLSv1.3": ["TLS_AES_256_GCM_SHA384"] },
});

describe("mx.starttls", () => {
  it("passes with a completed handshake, fails without STARTTLS or with a failed handshake, errs when unreached", () => {
    expect(mxStarttls([endpointOf({ tls: modern })], false).status).toBe("pass");
    expect(
      mxStarttls(
        [
          endpointOf({
            starttlsAdvertised: false,
            error: { step: "starttls", reason: "not_offered", message: "" },
          }),
        ],
        false,
      ).status,
    ).toBe("fail");
    expect(
      mxStarttls([endpointOf({ error: { step: "handshake", reason: "tls_alert", message: "alert" } })], false)
        .status,
    ).toBe("fail");
    expect(
      mxStarttls(
        [
          endpointOf({
            starttlsAdvertised: null,
            error: { step: "greeting", reason: "throttled", message: "421" },
          }),
        ],
        false,
      ).status,
    ).toBe("error");
    expect(mxStarttls([], true).status).toBe("not_applicable");
  });
  it("one bad MX among good ones fails the measure", () => {
    const bad = endpointOf({
      host: "mx2.example.org",
      starttlsAdvertised: false,
      error: { step: "starttls", reason: "not_offered", message: "" },
    });
    expect(mxStarttls([endpointOf({ tls: modern }), bad], false).status).toBe("fail");
  });
});

describe("mx.tls-version", () => {
  it("TLS 1.2/1.3 pass, TLS 1.0 beside them warns, SSL fails, TLS 1.0 alone fails", () => {
    expect(mxTlsVersion([endpointOf({ tls: modern })]).status).toBe("pass");
    const old = tlsOf({
      versions: ["TLSv1", "TLSv1.2"],
      suites: { TLSv1: ["TLS_RSA_WITH_AES_128_CBC_SHA"], "TLSv1.2": ["TLS_RSA_WITH_AES_128_CBC_SHA"] },
    });
    expect(mxTlsVersion([endpointOf({ tls: old })]).status).toBe("warn");
    const ssl = tlsOf({
      versions: ["SSLv3", "TLSv1.2"],
      suites: { SSLv3: ["TLS_RSA_WITH_RC4_128_SHA"], "TLSv1.2": ["TLS_RSA_WITH_AES_128_CBC_SHA"] },
    });
    expect(mxTlsVersion([endpointOf({ tls: ssl })]).status).toBe("fail");
    const only10 = tlsOf({ versions: ["TLSv1"], suites: { TLSv1: ["TLS_RSA_WITH_AES_128_CBC_SHA"] } });
    expect(mxTlsVersion([endpointOf({ tls: only10 })]).status).toBe("fail");
  });
  it("an incomplete enumeration is an error, never a pass", () => {
    const partial = tlsOf({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] },
      complete: false,
    });
    expect(mxTlsVersion([endpointOf({ tls: partial })]).status).toBe("error");
  });
});

describe("mx.cipher, mx.key-exchange, mx.hash: chosen over the weak when both are accepted", () => {
  const both = (serverOrder: boolean, first: string, second: string) =>
    endpointOf({
      tls: tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [first, second] }, serverOrder }),
    });
  const aes = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
  const des3 = "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
  it("AES first in the server's order passes; 3DES first fails; the client's order warns; no AES fails", () => {
    expect(mxCipher([both(true, aes, des3)]).status).toBe("pass");
    expect(mxCipher([both(true, des3, aes)]).status).toBe("fail");
    expect(mxCipher([both(false, des3, aes)]).status).toBe("warn");
    expect(
      mxCipher([endpointOf({ tls: tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [des3] } }) })]).status,
    ).toBe("fail");
  });
  it("ECDHE before static RSA passes; static RSA only fails", () => {
    expect(mxKeyExchange([both(true, aes, "TLS_RSA_WITH_AES_128_CBC_SHA")]).status).toBe("pass");
    expect(mxKeyExchange([both(true, "TLS_RSA_WITH_AES_128_CBC_SHA", aes)]).status).toBe("fail");
    expect(
      mxKeyExchange([
        endpointOf({
          tls: tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": ["TLS_RSA_WITH_AES_128_CBC_SHA"] } }),
        }),
      ]).status,
    ).toBe("fail");
  });
  it("SHA-2 or AEAD chosen passes; a SHA-1 certificate signature fails", () => {
    expect(mxHash([both(true, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", aes)]).status).toBe("pass");
    expect(mxHash([both(true, aes, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]).status).toBe("fail");
    const sha1 = tlsOf({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
      signatureHash: "SHA-1",
    });
    expect(mxHash([endpointOf({ tls: sha1 })]).status).toBe("fail");
  });
});

describe("mx.certificate and mx.territory", () => {
  it("certificate status decides", () => {
    expect(mxCertificate([endpointOf({ tls: modern })]).status).toBe("pass");
    expect(
      mxCertificate([
        endpointOf({
          tls: tlsOf({
            versions: ["TLSv1.3"],
            suites: { "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
            certificate: "expired",
          }),
        }),
      ]).status,
    ).toBe("fail");
  });
  it("inside the territory passes, outside fails, unknown errs — with the source named", () => {
    const geo = (country: string | null) => ({
      countries: ["FR", "RE"],
      locate: () => ({ country, source: "test db" }),
    });
    expect(mxTerritory([endpointOf({})], geo("RE")).status).toBe("pass");
    const outside = mxTerritory([endpointOf({})], geo("US"));
    expect(outside.status).toBe("fail");
    expect(outside.evidence[0]?.observed).toContain("test db");
    expect(mxTerritory([endpointOf({})], geo(null)).status).toBe("error");
  });
});
