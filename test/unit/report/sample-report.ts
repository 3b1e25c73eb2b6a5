/**
 * A realistic audit report for the renderers' golden files and for looking at the HTML: every
 * measure judged by the registry on hand-built facts — two MX (one good, one answering STARTTLS
 * with 454), IMAP on 993 and on 143 with LOGIN before TLS, a POP3 without TLS, a webmail with a
 * cookie problem set twice, and DNS policy records of every kind.
 */
import type { AuditReport } from "../../../src/audit/audit.js";
import { verdictOf } from "../../../src/audit/measures/measure.js";
import { judgeAll } from "../../../src/audit/measures/registry.js";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";
import type { HttpFetchResult, HttpHop } from "../../../src/audit/probe/http-fetch.js";
import { evaluateProfile } from "../../../src/audit/profiles/evaluate.js";
import { profiles } from "../../../src/audit/profiles/profiles.js";
import { endpointOf, tlsOf } from "../../support/reports.js";
import { factsOf } from "../measures/facts.js";

const strong = tlsOf({
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: {
    "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
    "TLSv1.3": ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"],
  },
});
const withChain = {
  ...strong,
  certificate: strong.certificate ? { ...strong.certificate, chain: [strong.certificate] } : null,
};
const old = tlsOf({
  versions: ["TLSv1", "TLSv1.2"],
  suites: {
    TLSv1: ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
    "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"],
  },
  serverOrder: false,
});

const mx1 = endpointOf({ host: "mx1.example.org", address: "192.0.2.25", tls: withChain });
const mx2 = endpointOf({
  host: "mx2.example.org",
  address: "198.51.100.26",
  starttlsAdvertised: true,
  error: {
    step: "starttls",
    reason: "rejected",
    message: "STARTTLS: 454 4.7.0 TLS not available due to local problem",
  },
  stats: { connections: 2, retries: 1, durationMs: 3120 },
});
const imaps = endpointOf({
  host: "imap.example.org",
  address: "192.0.2.30",
  port: 993,
  service: "imap",
  tlsMode: "implicit",
  starttlsAdvertised: null,
  tls: strong,
});
const imap = endpointOf({
  host: "imap.example.org",
  address: "192.0.2.30",
  port: 143,
  service: "imap",
  starttlsAdvertised: true,
  tls: old,
  dialogue: { protocol: "IMAP", facts: { authBeforeTls: ["PLAIN"], loginDisabledBeforeTls: false } },
});
const pop3 = endpointOf({
  host: "pop.example.org",
  address: "192.0.2.31",
  port: 110,
  service: "pop3",
  starttlsAdvertised: false,
  error: { step: "starttls", reason: "not_offered", message: "STLS is not in CAPA" },
});
const submission = endpointOf({
  host: "smtp.example.org",
  address: "192.0.2.32",
  port: 587,
  service: "submission",
  starttlsAdvertised: true,
  tls: strong,
  dialogue: { protocol: "SMTP", facts: { authBeforeTls: [] } },
});

const hop = (partial: Partial<HttpHop>): HttpHop => ({
  url: "https://webmail.example.org/",
  address: "192.0.2.80",
  status: 200,
  headers: [],
  cookies: [],
  location: null,
  tls: null,
  certificate: "valid",
  error: null,
  ...partial,
});
const chain = (hops: HttpHop[], body: string | null): HttpFetchResult => ({
  hops,
  body,
  finalUrl: hops.at(-1)?.url ?? "",
  stopped: null,
  truncated: false,
});
const sessionCookie = { name: "roundcube_sessid", value: "x", attributes: { secure: true as const } };
const page =
  '<html><form method="post" action="/?_task=login"><input type="password" name="_pass"></form></html>';
const webmail = {
  host: "webmail.example.org",
  fromHttp: chain(
    [
      hop({
        url: "http://webmail.example.org/",
        status: 301,
        location: "https://webmail.example.org/",
        certificate: null,
      }),
      hop({
        cookies: [sessionCookie],
        headers: [{ name: "strict-transport-security", value: "max-age=86400" }],
      }),
    ],
    page,
  ),
  fromHttps: chain(
    [
      hop({
        cookies: [sessionCookie],
        headers: [
          { name: "strict-transport-security", value: "max-age=86400" },
          { name: "x-frame-options", value: "DENY" },
        ],
      }),
    ],
    page,
  ),
};

const mxEndpoints: EndpointReport[] = [mx1, mx2];
const facts = factsOf({
  mx: {
    kind: "mx",
    hosts: [
      { host: "mx1.example.org", priority: 10 },
      { host: "mx2.example.org", priority: 20 },
    ],
  },
  mxEndpoints,
  access: [imaps, imap, pop3, submission].map((report) => ({ report, declared: true })),
  webmail: [webmail],
  territory: {
    countries: ["FR"],
    locate: (address) =>
      address === "192.0.2.25"
        ? { country: "FR", source: "test db" }
        : { country: null, source: "@ip-location-db/geo-whois-asn-country (data of 2026-11-01)" },
  },
  starttlsRetryPauseMs: 3000,
  dns: {
    spf: { ok: true, value: ["v=spf1 mx ~all"] },
    dmarc: { ok: true, value: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.org"] },
    tlsRpt: { ok: false, reason: "not_found", message: "NXDOMAIN" },
    mtaSts: { ok: true, value: ["v=STSv1; id=20261101"] },
    dnssec: { ok: true, value: { authenticated: true, rcode: "NOERROR", tlsa: [], count: 2 } },
    tlsa: new Map([
      [
        "mx1.example.org",
        {
          ok: true,
          value: {
            authenticated: true,
            rcode: "NOERROR",
            tlsa: [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.from("bb", "hex") }],
            count: 1,
          },
        },
      ],
      ["mx2.example.org", { ok: false, reason: "not_found", message: "NXDOMAIN" }],
    ]),
    resolver: "127.0.0.53:53",
  },
  stsPolicy: chain(
    [hop({ url: "https://mta-sts.example.org/.well-known/mta-sts.txt" })],
    "version: STSv1\nmode: testing\nmx: mx1.example.org\nmx: mx2.example.org\nmax_age: 604800\n",
  ),
  autoconfig: {
    found: {
      url: "https://autoconfig.example.org/mail/config-v1.1.xml",
      fetch: chain([hop({ url: "https://autoconfig.example.org/mail/config-v1.1.xml" })], "<clientConfig/>"),
      servers: [
        { direction: "incoming", type: "imap", hostname: "imap.example.org", port: 993, socketType: "SSL" },
        {
          direction: "outgoing",
          type: "smtp",
          hostname: "smtp.example.org",
          port: 587,
          socketType: "STARTTLS",
        },
      ],
      omitted: 0,
    },
    tried: [],
  },
});

const measures = judgeAll(facts);
const endpoints = [...mxEndpoints, imaps, imap, pop3, submission];

export const sampleReport: AuditReport = {
  schema: "mailcharter/audit/1",
  domain: "example.org",
  startedAt: "2026-11-29T03:00:00.000Z",
  finishedAt: "2026-11-29T03:00:07.000Z",
  verdict: verdictOf(measures),
  measures,
  endpoints: endpoints.map((e) => ({ ...e, foundBy: e.port === 25 ? ["mx"] : ["srv:_imaps._tcp"] })),
  profiles: profiles.map((p) => evaluateProfile(p, endpoints)),
  discovery: { mx: facts.mx, notes: [] },
};
