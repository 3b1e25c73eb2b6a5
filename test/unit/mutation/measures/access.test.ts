/**
 * The access measures (charter annex §1.1, §1.3) on their failing side: a bad certificate on an
 * access endpoint, no TLS, no forward secrecy, broken parameters, no implicit TLS, authentication
 * offered before STARTTLS, unreachable declared services and failed lookups — each with the status
 * and the evidence code and values a report shows.
 */
import { describe, expect, it } from "vitest";
import type { AuditFacts } from "../../../../src/audit/measures/audit-facts.js";
import type { MeasureId } from "../../../../src/audit/measures/measure.js";
import type { EndpointReport, EndpointTls } from "../../../../src/audit/probe/endpoint.js";
import { endpointOf, tlsOf } from "../../../support/reports.js";
import { judged } from "../../measures/facts.js";

const strong = tlsOf({
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] },
});

const withCert = (status: "expired" | "wrong_host" | "valid"): EndpointTls => {
  const tls = tlsOf({
    versions: ["TLSv1.2"],
    suites: { "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] },
  });
  if (!tls.certificate) throw new Error("sketch without certificate");
  const problems =
    status === "valid" ? [] : status === "expired" ? ["expired", "wrong_host"] : ["wrong_host"];
  return { ...tls, certificate: { ...tls.certificate, status, problems: problems as never } };
};

const endpoint = (partial: Partial<EndpointReport>): EndpointReport =>
  endpointOf({
    host: "imap.example.org",
    port: 993,
    service: "imap",
    tlsMode: "implicit",
    tls: strong,
    starttlsAdvertised: null,
    ...partial,
  });

const access = (id: MeasureId, reports: EndpointReport[], more: Partial<AuditFacts> = {}) =>
  judged(id, { ...more, access: reports.map((report) => ({ report, declared: true })) });

const codes = (m: ReturnType<typeof judged>) => m.evidence.map((e) => `${e.status} ${e.code}`);

describe("access.certificate (charter annex §1.1)", () => {
  it("an expired certificate fails, naming its status and the other problems", () => {
    const m = access("access.certificate", [endpoint({ tls: withCert("expired") })]);
    expect(m.status).toBe("fail");
    expect(m.charter).toBe(true);
    expect(m.evidence).toEqual([
      expect.objectContaining({
        endpoint: "imap.example.org [192.0.2.25]:993",
        status: "fail",
        code: "certificate.judged",
        values: expect.objectContaining({ status: "expired", problems: ["wrong_host"] }),
      }),
    ]);
  });
  it("a certificate for another host fails; a valid one passes", () => {
    expect(access("access.certificate", [endpoint({ tls: withCert("wrong_host") })]).status).toBe("fail");
    const ok = access("access.certificate", [endpoint({ tls: withCert("valid") })]);
    expect(ok.status).toBe("pass");
    expect(ok.evidence[0]?.values).toMatchObject({ status: "valid", problems: [] });
  });
  it("one bad endpoint among good ones fails the measure", () => {
    const good = endpoint({ tls: withCert("valid") });
    const bad = endpoint({ host: "pop.example.org", port: 995, service: "pop3", tls: withCert("expired") });
    expect(access("access.certificate", [good, bad]).status).toBe("fail");
  });
  it("TLS without a certificate seen is undetermined, never a pass", () => {
    const m = access("access.certificate", [endpoint({ tls: { ...strong, certificate: null } })]);
    expect(m.status).toBe("error");
    expect(codes(m)).toEqual(["error certificate.not-seen"]);
  });
  it("plaintext endpoints are not judged here", () => {
    const m = access("access.certificate", [endpoint({ tlsMode: "none", tls: null, port: 143 })]);
    expect(m.status).toBe("not_applicable");
  });
});

describe("access.tls", () => {
  it("a service offered only in plaintext fails; alongside a TLS endpoint of the same service it warns", () => {
    const plain = endpoint({ port: 143, tlsMode: "none", tls: null });
    const alone = access("access.tls", [plain]);
    expect(alone.status).toBe("fail");
    expect(alone.evidence[0]).toMatchObject({
      code: "access.no-tls",
      values: { elsewhere: false, reason: "plaintext" },
    });
    const both = access("access.tls", [plain, endpoint({})]);
    expect(both.status).toBe("warn");
    expect(codes(both)).toEqual(["warn access.no-tls", "pass access.tls"]);
    expect(both.evidence[1]?.values).toMatchObject({ mode: "implicit", version: "TLSv1.3" });
  });
  it("a failed handshake names its reason; STARTTLS is told apart from implicit TLS", () => {
    const failed = endpoint({
      tls: null,
      outcome: "failed",
      error: { step: "handshake", reason: "tls_alert", message: "alert" },
    });
    expect(access("access.tls", [failed]).evidence[0]).toMatchObject({
      status: "fail",
      values: { reason: "tls_alert" },
    });
    const starttls = endpoint({ port: 143, tlsMode: "starttls", starttlsAdvertised: true });
    expect(access("access.tls", [starttls]).evidence[0]?.values).toMatchObject({ mode: "starttls" });
  });
  it("http:// of a webmail is left to webmail.https", () => {
    const http = endpoint({
      host: "webmail.example.org",
      service: "https",
      port: 80,
      tlsMode: "none",
      tls: null,
    });
    expect(access("access.tls", [http]).evidence).toEqual([]);
  });
});

describe("access.pfs and access.tls-parameters", () => {
  const only = (suites: string[], versions: ("TLSv1" | "TLSv1.2" | "SSLv3")[] = ["TLSv1.2"]) =>
    endpoint({
      tls: tlsOf({ versions, suites: Object.fromEntries(versions.map((v) => [v, suites])) }),
    });
  it("static RSA only: no forward secrecy", () => {
    const m = access("access.pfs", [only(["TLS_RSA_WITH_AES_128_GCM_SHA256"])]);
    expect(m.status).toBe("fail");
    expect(access("access.pfs", [endpoint({})]).status).toBe("pass");
  });
  it("SSLv3 and RC4 fail, TLS 1.0 warns; the worst finding is the evidence", () => {
    const ssl3 = access("access.tls-parameters", [
      only(["TLS_RSA_WITH_AES_128_CBC_SHA"], ["SSLv3", "TLSv1.2"]),
    ]);
    expect(ssl3.status).toBe("fail");
    expect(ssl3.evidence.every((e) => e.status === "fail")).toBe(true);
    const old = access("access.tls-parameters", [
      only(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"], ["TLSv1", "TLSv1.2"]),
    ]);
    expect(old.status).toBe("warn");
    expect(access("access.tls-parameters", [endpoint({})]).status).toBe("pass");
  });
});

describe("access.implicit-tls (RFC 8314)", () => {
  it("per protocol: implicit TLS passes, only STARTTLS fails, an implicit port without TLS fails", () => {
    const m = access("access.implicit-tls", [
      endpoint({}),
      endpoint({ service: "pop3", port: 110, tlsMode: "starttls", starttlsAdvertised: true }),
      endpoint({ service: "submission", port: 465, tls: null }),
    ]);
    expect(m.status).toBe("fail");
    expect(m.evidence.map((e) => `${e.status} ${e.code} ${e.values.service}`)).toEqual([
      "pass access.implicit imap",
      "fail access.no-implicit pop3",
      "fail access.no-implicit submission",
    ]);
  });
  it("SMTP on 25 and HTTPS are no access protocols here", () => {
    const m = access("access.implicit-tls", [endpoint({ service: "smtp", port: 25, tlsMode: "starttls" })]);
    expect(m.evidence).toEqual([]);
  });
});

describe("access.starttls (RFC 3207, RFC 2595, RFC 8314 §3)", () => {
  const starttls = (
    service: "imap" | "pop3" | "submission",
    facts: Record<string, unknown>,
    advertised = true,
  ) =>
    endpoint({
      service,
      port: service === "imap" ? 143 : service === "pop3" ? 110 : 587,
      tlsMode: "starttls",
      starttlsAdvertised: advertised,
      dialogue: { protocol: service, facts },
    });
  it("STARTTLS not advertised fails", () => {
    const m = access("access.starttls", [starttls("imap", { loginDisabledBeforeTls: true }, false)]);
    expect(codes(m)).toEqual(["fail access.starttls-missing"]);
  });
  it("each way of authenticating before TLS is named", () => {
    const m = access("access.starttls", [
      starttls("imap", { loginDisabledBeforeTls: false, authBeforeTls: ["PLAIN"] }),
      starttls("pop3", { userBeforeTls: true, saslBeforeTls: ["LOGIN"] }),
      starttls("submission", { authBeforeTls: ["CRAM-MD5"] }),
    ]);
    expect(m.status).toBe("fail");
    expect(m.evidence.map((e) => e.values.mechanisms)).toEqual([
      ["PLAIN", "LOGIN"],
      ["LOGIN", "USER"],
      ["CRAM-MD5"],
    ]);
  });
  it("IMAP without LOGINDISABLED allows LOGIN; POP3 and submission need no such flag", () => {
    expect(access("access.starttls", [starttls("imap", {})]).evidence[0]?.values.mechanisms).toEqual([
      "LOGIN",
    ]);
    const clean = access("access.starttls", [
      starttls("imap", { loginDisabledBeforeTls: true, authBeforeTls: [] }),
      starttls("pop3", { userBeforeTls: false }),
      starttls("submission", {}),
    ]);
    expect(clean.status).toBe("pass");
    expect(codes(clean)).toEqual([
      "pass access.starttls-ok",
      "pass access.starttls-ok",
      "pass access.starttls-ok",
    ]);
  });
  it("SMTP on 25 and implicit ports are left out", () => {
    const m = access("access.starttls", [
      endpoint({ service: "smtp", port: 25, tlsMode: "starttls", starttlsAdvertised: false }),
      endpoint({}),
    ]);
    expect(m.evidence).toEqual([]);
  });
});

describe("what was not reached, and what discovery could not prove", () => {
  const down = endpoint({
    tls: null,
    outcome: "failed",
    error: { step: "connect", reason: "timeout", message: "timed out" },
  });
  const ids: MeasureId[] = ["access.tls", "access.certificate", "access.pfs", "access.tls-parameters"];
  it("a declared service that does not answer is an error naming why; a guessed name is left out", () => {
    const declared = judged("access.tls", { access: [{ report: down, declared: true }] });
    expect(declared.status).toBe("error");
    expect(declared.evidence[0]).toMatchObject({
      code: "access.declared-unreached",
      values: { message: "timed out" },
    });
    for (const id of ids) {
      const guessed = judged(id, { access: [{ report: down, declared: false }] });
      expect(guessed.status, id).toBe("not_applicable");
      expect(guessed.summary.en, id).toMatch(/no access service found$/);
    }
  });
  it("throttled before any answer counts as not reached", () => {
    const throttled = endpoint({
      tls: null,
      error: { step: "greeting", reason: "throttled", message: "421" },
    });
    expect(judged("access.tls", { access: [{ report: throttled, declared: true }] }).status).toBe("error");
  });
  it("a failed SRV or name lookup makes an empty access measure an error, not not_applicable", () => {
    const failures = [
      { name: "_imaps._tcp.example.org", reason: "error", message: "SERVFAIL" },
      { name: "imap.example.org", reason: "timeout", message: "timeout" },
    ] as const;
    for (const id of ids) {
      const m = judged(id, { lookupFailures: failures });
      expect(m.status, id).toBe("error");
      expect(m.evidence[0], id).toMatchObject({
        endpoint: "example.org",
        code: "discovery.lookup-failed",
        values: { names: ["_imaps._tcp.example.org", "imap.example.org"], message: "SERVFAIL" },
      });
    }
  });
  it("a failed webmail. lookup does not touch the access measures", () => {
    const m = judged("access.tls", {
      lookupFailures: [{ name: "webmail.example.org", reason: "error", message: "SERVFAIL" }],
    });
    expect(m.status).toBe("not_applicable");
  });
});
