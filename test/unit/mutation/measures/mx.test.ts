/**
 * The MX measures (charter annex §2) on their failing side: STARTTLS missing, refused (454), a
 * handshake that failed, nothing recorded; weak versions, suites and hashes; a bad certificate;
 * an address outside the territory or located nowhere; what a null MX or a failed MX lookup means.
 * And access.autoconfig (charter art. 5): plaintext servers, a bad certificate, nothing proven.
 */
import { describe, expect, it } from "vitest";
import type { AuditFacts } from "../../../../src/audit/measures/audit-facts.js";
import type { MeasureId } from "../../../../src/audit/measures/measure.js";
import type { EndpointReport, EndpointTls } from "../../../../src/audit/probe/endpoint.js";
import type { HttpFetchResult } from "../../../../src/audit/probe/http-fetch.js";
import { endpointOf, type TlsSketch, tlsOf } from "../../../support/reports.js";
import { judged } from "../../measures/facts.js";

const strong: TlsSketch = {
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
};
const mx = (partial: Partial<EndpointReport> = {}) => endpointOf({ tls: tlsOf(strong), ...partial });
const on = (id: MeasureId, endpoints: EndpointReport[], more: Partial<AuditFacts> = {}) =>
  judged(id, { ...more, mxEndpoints: endpoints });
const codes = (m: ReturnType<typeof judged>) => m.evidence.map((e) => `${e.status} ${e.code}`);

describe("mx.starttls", () => {
  it("each way STARTTLS fails is a failure with what the server said", () => {
    const notAdvertised = on("mx.starttls", [mx({ tls: null, starttlsAdvertised: false })]);
    expect(codes(notAdvertised)).toEqual(["fail starttls.not-advertised"]);
    const refused = on(
      "mx.starttls",
      [
        mx({
          tls: null,
          error: { step: "starttls", reason: "rejected", message: "STARTTLS: 454 4.7.0 TLS not available" },
        }),
      ],
      { starttlsRetryPauseMs: 2000 },
    );
    expect(refused.status).toBe("fail");
    expect(refused.evidence[0]).toMatchObject({
      code: "starttls.refused",
      values: { reply: "454 4.7.0 TLS not available", pauseMs: 2000 },
    });
    const handshake = on("mx.starttls", [
      mx({ tls: null, error: { step: "handshake", reason: "tls_alert", message: "handshake_failure" } }),
    ]);
    expect(handshake.evidence[0]).toMatchObject({
      status: "fail",
      code: "starttls.handshake-failed",
      values: { reason: "tls_alert", message: "handshake_failure" },
    });
  });
  it("completed passes with the version; anything else observed is undetermined", () => {
    const ok = on("mx.starttls", [mx()]);
    expect(ok.status).toBe("pass");
    expect(ok.evidence[0]).toMatchObject({ code: "starttls.completed", values: { version: "TLSv1.3" } });
    const later = on("mx.starttls", [
      mx({ tls: null, error: { step: "post-tls", reason: "closed", message: "closed after TLS" } }),
    ]);
    expect(later.evidence[0]).toMatchObject({
      status: "error",
      code: "probe.failed",
      values: { step: "post-tls", message: "closed after TLS" },
    });
    const other = on("mx.starttls", [
      mx({ tls: null, error: { step: "starttls", reason: "timeout", message: "no reply" } }),
    ]);
    expect(other.evidence[0]).toMatchObject({ status: "error", code: "probe.failed" });
    expect(codes(on("mx.starttls", [mx({ tls: null })]))).toEqual(["error probe.nothing-recorded"]);
    const noNegotiated = on("mx.starttls", [mx({ tls: { ...tlsOf(strong), negotiated: null } })]);
    expect(codes(noNegotiated)).toEqual(["error probe.nothing-recorded"]);
  });
  it("an unreachable MX is undetermined, naming the step", () => {
    const down = on("mx.starttls", [
      mx({ tls: null, error: { step: "connect", reason: "timeout", message: "timed out" } }),
    ]);
    expect(down.evidence[0]).toMatchObject({
      status: "error",
      code: "probe.unreached",
      values: { step: "connect", reason: "timeout", message: "timed out" },
    });
  });
  it("no evidence: not applicable after a null MX, error when no MX could be found", () => {
    expect(on("mx.starttls", [], { mx: { kind: "null", hosts: [] } }).status).toBe("not_applicable");
    for (const kind of ["none", "error"] as const) {
      const m = on("mx.starttls", [], {
        domain: "example.org",
        mx: { kind, hosts: [], message: "SERVFAIL" },
      });
      expect(m.status, kind).toBe("error");
      expect(m.evidence[0]).toMatchObject({
        endpoint: "example.org",
        code: "discovery.mx-not-found",
        values: { message: "SERVFAIL" },
      });
    }
    expect(on("mx.starttls", [], { mx: { kind: "none", hosts: [] } }).evidence[0]?.values).toEqual({
      message: "no MX host found",
    });
    expect(on("mx.starttls", [], { mx: { kind: "implicit", hosts: [] } }).status).toBe("not_applicable");
  });
});

describe("the TLS measures of the MX hosts", () => {
  const tls = (sketch: Partial<TlsSketch>, extra: Partial<EndpointTls> = {}) =>
    mx({ tls: { ...tlsOf({ ...strong, ...sketch }), ...extra } });
  it("mx.tls-version: SSLv3 fails, TLS 1.0 warns, no TLS 1.2 fails", () => {
    expect(on("mx.tls-version", [tls({ versions: ["SSLv3", "TLSv1.2"] })]).status).toBe("fail");
    expect(on("mx.tls-version", [tls({ versions: ["TLSv1", "TLSv1.2"] })]).status).toBe("warn");
    expect(
      on("mx.tls-version", [
        tls({ versions: ["TLSv1"], suites: { TLSv1: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"] } }),
      ]).status,
    ).toBe("fail");
    expect(on("mx.tls-version", [tls({})]).status).toBe("pass");
  });
  it("mx.cipher: 3DES chosen by the server fails; mx.key-exchange: static RSA first fails", () => {
    const des = tls({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
    });
    expect(on("mx.cipher", [des]).status).toBe("fail");
    expect(on("mx.key-exchange", [des]).status).toBe("fail");
    expect(on("mx.cipher", [tls({})]).status).toBe("pass");
    expect(on("mx.key-exchange", [tls({})]).status).toBe("pass");
  });
  it("mx.hash: SHA-1 chosen first or a SHA-1 signed certificate fails", () => {
    const sha1 = tls({
      versions: ["TLSv1.2"],
      suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
    });
    expect(on("mx.hash", [sha1]).status).toBe("fail");
    const signed = tls({ signatureHash: "SHA-1" });
    const m = on("mx.hash", [signed]);
    expect(m.status).toBe("fail");
    expect(m.evidence).toHaveLength(1);
    expect(on("mx.hash", [tls({})]).status).toBe("pass");
  });
  it("mx.certificate: expired fails, valid passes", () => {
    const m = on("mx.certificate", [tls({ certificate: "expired" })]);
    expect(m.status).toBe("fail");
    expect(m.evidence[0]).toMatchObject({ code: "certificate.judged", values: { status: "expired" } });
    expect(on("mx.certificate", [tls({})]).status).toBe("pass");
  });
  it("an MX that proved it has no TLS is left to mx.starttls; one where TLS was not observed is undetermined", () => {
    const ids: MeasureId[] = ["mx.tls-version", "mx.cipher", "mx.key-exchange", "mx.hash", "mx.certificate"];
    const noStarttls = mx({ tls: null, starttlsAdvertised: false });
    const refused = mx({ tls: null, error: { step: "starttls", reason: "rejected", message: "454" } });
    const unobserved = mx({ tls: null, error: { step: "handshake", reason: "timeout", message: "t" } });
    for (const id of ids) {
      expect(on(id, [noStarttls]).evidence, id).toEqual([]);
      expect(on(id, [refused]).evidence, id).toEqual([]);
      const m = on(id, [unobserved]);
      expect(m.status, id).toBe("error");
      expect(m.evidence[0], id).toMatchObject({
        code: "tls.not-observed",
        values: { step: "handshake", reason: "timeout" },
      });
      expect(on(id, [mx({ tls: null })]).evidence, id).toEqual([
        expect.objectContaining({
          status: "error",
          code: "tls.not-observed",
          values: { step: "", reason: "" },
        }),
      ]);
      const down = mx({ tls: null, error: { step: "connect", reason: "refused", message: "refused" } });
      expect(on(id, [down]).evidence[0], id).toMatchObject({
        code: "probe.unreached",
        values: { step: "connect" },
      });
      expect(
        on(id, [mx({ tls: null, error: { step: "starttls", reason: "timeout", message: "" } })]).status,
        id,
      ).toBe("error");
    }
  });
});

describe("mx.territory (charter annex §2.1)", () => {
  const where = (table: Record<string, string | null>) => ({
    countries: ["FR", "RE"],
    locate: (address: string) => ({ country: table[address] ?? null, source: "test db" }),
  });
  it("an address outside the territory fails; one located nowhere is error, saying how to fix it", () => {
    const m = on(
      "mx.territory",
      [
        mx({ address: "192.0.2.1" }),
        mx({ address: "192.0.2.2" }),
        mx({ address: "192.0.2.3" }),
        mx({ address: "192.0.2.1", port: 25 }),
      ],
      { territory: where({ "192.0.2.1": "FR", "192.0.2.2": "DE" }) },
    );
    expect(m.status).toBe("fail");
    expect(m.evidence.map((e) => [e.status, e.code, e.values])).toEqual([
      ["pass", "territory.inside", { country: "FR", source: "test db" }],
      ["fail", "territory.outside", { country: "DE", countries: ["FR", "RE"], source: "test db" }],
      ["error", "territory.unknown", { source: "test db" }],
    ]);
    expect(
      on("mx.territory", [mx({ address: "192.0.2.9" })], { territory: where({ "192.0.2.9": "RE" }) }).status,
    ).toBe("pass");
  });
  it("a host whose address could not be resolved is undetermined; one without address but no error adds nothing", () => {
    const unresolved = mx({
      address: null,
      tls: null,
      error: { step: "dns", reason: "timeout", message: "no answer" },
    });
    const m = on("mx.territory", [unresolved], { territory: where({}) });
    expect(m.status).toBe("error");
    expect(m.evidence[0]).toMatchObject({ code: "probe.unreached", values: { step: "dns" } });
    expect(on("mx.territory", [mx({ address: null })], { territory: where({}) }).evidence).toEqual([]);
  });
});

describe("access.autoconfig (charter art. 5)", () => {
  const fetch = (certificate: HttpFetchResult["hops"][number]["certificate"]): HttpFetchResult => ({
    hops: [
      {
        url: "https://autoconfig.example.org/mail/config-v1.1.xml",
        address: "192.0.2.80",
        status: 200,
        headers: [],
        cookies: [],
        location: null,
        tls: null,
        certificate,
        error: null,
      },
    ],
    body: "",
    finalUrl: "https://autoconfig.example.org/mail/config-v1.1.xml",
    stopped: null,
    truncated: false,
  });
  const server = (socketType: string, type = "imap", port = 993) => ({
    direction: "incoming" as const,
    type,
    hostname: "imap.example.org",
    port,
    socketType,
  });
  const url = "https://autoconfig.example.org/mail/config-v1.1.xml";
  const autoconfig = (
    servers: ReturnType<typeof server>[],
    certificate: "valid" | "expired" | null = "valid",
  ) =>
    judged("access.autoconfig", {
      autoconfig: { found: { url, fetch: fetch(certificate), servers, omitted: 0 }, tried: [] },
    });
  it("every server with TLS passes; one plaintext server fails", () => {
    const ok = autoconfig([server("SSL"), server("STARTTLS", "smtp", 587), server("tls")]);
    expect(ok.status).toBe("pass");
    expect(ok.summary.en).toBe("Client autoconfiguration: TLS on by default");
    expect(ok.evidence[0]).toMatchObject({
      endpoint: "imap.example.org:993",
      code: "autoconfig.server",
      values: { direction: "incoming", type: "imap", socketType: "SSL" },
    });
    const plain = autoconfig([server("SSL"), server("plain", "pop3", 110)]);
    expect(plain.status).toBe("fail");
    expect(plain.summary.en).toBe("Client autoconfiguration: TLS not always on");
    expect(plain.evidence.map((e) => e.status)).toEqual(["pass", "fail"]);
    expect(autoconfig([server("xSSL")]).status).toBe("fail");
  });
  it("a certificate that is not valid warns; none judged says nothing", () => {
    const m = autoconfig([server("SSL")], "expired");
    expect(m.status).toBe("warn");
    expect(m.evidence.at(-1)).toMatchObject({
      endpoint: url,
      code: "autoconfig.certificate",
      values: { status: "expired" },
    });
    expect(autoconfig([server("SSL")], null).evidence).toHaveLength(1);
  });
  it("a document without servers is undetermined", () => {
    expect(codes(autoconfig([]))).toEqual(["error autoconfig.empty"]);
  });
  it("nothing found: not applicable only when every place proved it; else error naming where", () => {
    const none = judged("access.autoconfig", {
      domain: "example.org",
      autoconfig: { found: null, tried: [{ url, proven: true, message: "404" }] },
    });
    expect(none).toMatchObject({
      status: "not_applicable",
      summary: { en: "Client autoconfiguration: none published" },
    });
    expect(none.evidence[0]).toMatchObject({ endpoint: "example.org", code: "autoconfig.none" });
    const unknown = judged("access.autoconfig", {
      autoconfig: {
        found: null,
        tried: [
          { url, proven: true, message: "404" },
          {
            url: "https://example.org/.well-known/autoconfig/mail/config-v1.1.xml",
            proven: false,
            message: "timed out",
          },
        ],
      },
    });
    expect(unknown.status).toBe("error");
    expect(unknown.evidence[0]).toMatchObject({
      endpoint: "https://example.org/.well-known/autoconfig/mail/config-v1.1.xml",
      code: "autoconfig.unknown",
      values: { message: "timed out" },
    });
  });
});
