/**
 * Statuses that were wrong: a 454 to STARTTLS, a webmail in plain HTTP only, an address no source
 * locates, and `not_applicable` given where absence was not proven. Each both ways.
 */
import { describe, expect, it } from "vitest";
import { evidenceText } from "../../../src/audit/findings/evidence.js";
import type { MeasureResult } from "../../../src/audit/measures/measure.js";
import type { HttpFetchResult, HttpHop } from "../../../src/audit/probe/http-fetch.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { accessMeasures, judged, onMx } from "./facts.js";

const first = (r: MeasureResult) => {
  const e = r.evidence[0];
  if (!e) throw new Error(`${r.id}: no evidence`);
  return e;
};

const refused454 = endpointOf({
  starttlsAdvertised: true,
  error: {
    step: "starttls",
    reason: "rejected",
    message: "STARTTLS: 454 4.7.0 TLS not available due to local problem",
  },
});

describe("mx.starttls: STARTTLS advertised, then 454", () => {
  it("is a failure naming the reply and the pause — a sender gets no TLS", () => {
    const r = onMx("mx.starttls", [refused454], { starttlsRetryPauseMs: 3000 });
    expect(r.status).toBe("fail");
    expect(r.evidence[0]).toMatchObject({
      code: "starttls.refused",
      values: { reply: "454 4.7.0 TLS not available due to local problem", pauseMs: 3000 },
    });
    expect(evidenceText(first(r), "fr")).toContain("pause de 3000 ms");
  });
  it("is error only when nothing could be observed (greeting timeout), pass with a handshake", () => {
    const silent = endpointOf({
      starttlsAdvertised: null,
      error: { step: "greeting", reason: "timeout", message: "no greeting" },
    });
    expect(onMx("mx.starttls", [silent]).status).toBe("error");
    const tls = tlsOf({ versions: ["TLSv1.3"], suites: { "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] } });
    expect(onMx("mx.starttls", [endpointOf({ tls })]).status).toBe("pass");
  });
  it("the TLS measures of a refused MX are not judged on it, those of a silent one are error", () => {
    expect(onMx("mx.tls-version", [refused454]).status).toBe("not_applicable");
    const silent = endpointOf({
      starttlsAdvertised: null,
      error: { step: "greeting", reason: "timeout", message: "" },
    });
    expect(onMx("mx.tls-version", [silent]).status).toBe("error");
    expect(onMx("mx.certificate", [silent]).evidence[0]?.code).toBe("tls.not-observed");
  });
});

const hop = (partial: Partial<HttpHop>): HttpHop => ({
  url: "http://webmail.example.org/",
  address: "192.0.2.80",
  status: 200,
  headers: [],
  cookies: [],
  location: null,
  tls: null,
  certificate: null,
  error: null,
  ...partial,
});
const chain = (hops: HttpHop[], body: string | null = null): HttpFetchResult => ({
  hops,
  body,
  finalUrl: hops.at(-1)?.url ?? "",
  stopped: hops.at(-1)?.error ? "error" : null,
  truncated: false,
});
const noHttps = chain([
  hop({
    url: "https://webmail.example.org/",
    status: null,
    error: { step: "connect", reason: "refused", message: "connection refused" },
  }),
]);
const sessionCookie = { name: "roundcube_sessid", value: "x", attributes: {} };

describe("webmail served over plain HTTP only", () => {
  const plainOnly = {
    host: "webmail.example.org",
    fromHttp: chain([hop({ cookies: [sessionCookie, sessionCookie] })], "<form><input type=password></form>"),
    fromHttps: noHttps,
  };
  it("webmail.session fails on what was observed (cookies in clear, without flags), not error", () => {
    const r = judged("webmail.session", { webmail: [plainOnly] });
    expect(r.status).toBe("fail");
    const codes = r.evidence.map((e) => e.code);
    expect(codes).toContain("webmail.https-only-plain");
    expect(codes).toContain("webmail.cookie-in-clear");
    // The same cookie set twice is said once.
    expect(codes.filter((c) => c === "webmail.cookie-lacks")).toHaveLength(1);
  });
  it("no false positive: a Secure session cookie on the http:// redirect to HTTPS is not 'in clear'", () => {
    const secure = {
      name: "SID",
      value: "x",
      attributes: { secure: true as const, httponly: true as const, samesite: "Lax" },
    };
    const redirected = {
      host: "webmail.example.org",
      fromHttp: chain([
        hop({ status: 301, location: "https://webmail.example.org/", cookies: [secure] }),
        hop({ url: "https://webmail.example.org/", cookies: [secure] }),
      ]),
      fromHttps: chain([hop({ url: "https://webmail.example.org/", cookies: [secure] })]),
    };
    const codes = judged("webmail.session", { webmail: [redirected] }).evidence.map((e) => e.code);
    expect(codes).not.toContain("webmail.cookie-in-clear");
    expect(codes).toContain("webmail.cookie-ok");
  });
  it("webmail.https fails too; a host answering neither way is error", () => {
    expect(judged("webmail.https", { webmail: [plainOnly] }).status).toBe("fail");
    const silent = {
      host: "webmail.example.org",
      fromHttp: chain([
        hop({ status: null, error: { step: "connect", reason: "timeout", message: "timeout" } }),
      ]),
      fromHttps: noHttps,
    };
    expect(judged("webmail.session", { webmail: [silent] }).status).toBe("error");
    expect(judged("webmail.https", { webmail: [silent] }).status).toBe("error");
  });
});

describe("not_applicable only when absence is proven", () => {
  const servfail = { name: "_imaps._tcp.example.org", reason: "error" as const, message: "SERVFAIL" };
  it("no access service: proven → not applicable; a failed SRV lookup → error", () => {
    expect(accessMeasures([]).every((m) => m.status === "not_applicable")).toBe(true);
    const failed = accessMeasures([], { lookupFailures: [servfail] });
    expect(failed.map((m) => m.status)).toEqual(Array(6).fill("error"));
    expect(failed[0]?.evidence[0]).toMatchObject({
      code: "discovery.lookup-failed",
      values: { names: [servfail.name] },
    });
  });
  it("no webmail: proven → not applicable; a failed webmail. lookup → error (and not for the access measures)", () => {
    expect(judged("webmail.https").status).toBe("not_applicable");
    const failure = { name: "webmail.example.org", reason: "timeout" as const, message: "timeout" };
    expect(judged("webmail.session", { lookupFailures: [failure] }).status).toBe("error");
    expect(accessMeasures([], { lookupFailures: [failure] })[0]?.status).toBe("not_applicable");
  });
  it("MX measures: a null MX is not applicable; no MX found or a failed MX lookup is error", () => {
    expect(judged("mx.starttls", { mx: { kind: "null", hosts: [] } }).status).toBe("not_applicable");
    expect(judged("mx.cipher", { mx: { kind: "error", hosts: [], message: "SERVFAIL" } }).status).toBe(
      "error",
    );
    expect(judged("mx.territory", { mx: { kind: "none", hosts: [], message: "no MX" } }).status).toBe(
      "error",
    );
  });
  it("an MX host whose addresses could not be resolved leaves mx.territory undetermined", () => {
    const unresolved = endpointOf({
      address: null,
      error: { step: "dns", reason: "timeout", message: "DNS timeout" },
    });
    expect(onMx("mx.territory", [unresolved]).status).toBe("error");
  });
});

describe("mx.territory: an address no source locates", () => {
  it("stays error, and says how to give its location", () => {
    const r = onMx("mx.territory", [endpointOf({})], {
      territory: { countries: ["FR"], locate: () => ({ country: null, source: "test db" }) },
    });
    expect(r.status).toBe("error");
    expect(r.evidence[0]?.observed).toMatch(/--geo-file/);
    expect(evidenceText(first(r), "fr")).toMatch(/--geo-file FICHIER/);
  });
});
