/** Audit reports judged by the real measures on hand-built MX endpoints, under a chosen annex profile (no network). */
import type { AuditedEndpoint, AuditReport } from "../../src/audit/audit.js";
import { verdictOf } from "../../src/audit/measures/measure.js";
import { judgeAll } from "../../src/audit/measures/registry.js";
import type { Profile } from "../../src/audit/profiles/profile.js";
import { charter2015 } from "../../src/audit/profiles/profiles.js";
import { factsOf } from "../unit/measures/facts.js";
import { endpointOf, type TlsSketch, tlsOf } from "./reports.js";

export const mxOf = (host: string, tls: TlsSketch, address = "192.0.2.25"): AuditedEndpoint => ({
  ...endpointOf({ host, address, tls: tlsOf(tls) }),
  foundBy: ["mx"],
});

/** A report as the audit makes it: the registry's measures judged under `profile` on these MX. */
export function judgedReport(
  domain: string,
  mxEndpoints: readonly AuditedEndpoint[],
  profile: Profile = charter2015,
  finishedAt = "2026-12-01T10:00:05.000Z",
): AuditReport {
  const facts = factsOf({
    domain,
    mx: { kind: "mx", hosts: mxEndpoints.map((e) => ({ host: e.host, priority: 10 })) },
    mxEndpoints,
    annex: profile,
  });
  const measures = judgeAll(facts);
  return {
    schema: "mailcharter/audit/1",
    domain,
    startedAt: new Date(Date.parse(finishedAt) - 5000).toISOString(),
    finishedAt,
    verdict: verdictOf(measures),
    measures,
    endpoints: mxEndpoints,
    discovery: { mx: facts.mx, notes: [] },
    profiles: [],
  };
}

/** TLS 1.2 + 1.3, ECDHE only. */
export const ecdheOnlyTls: TlsSketch = {
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: { "TLSv1.3": ["TLS_AES_256_GCM_SHA384"], "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
};

/** Postfix's defaults: TLS 1.2 and 1.3, static RSA suites too, the client's order. */
export const withRsaTls: TlsSketch = {
  versions: ["TLSv1.2", "TLSv1.3"],
  suites: {
    "TLSv1.3": ["TLS_AES_256_GCM_SHA384"],
    "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256"],
  },
  serverOrder: false,
};

/** TLS 1.0 still accepted beside 1.2. */
export const tls10Tls: TlsSketch = {
  versions: ["TLSv1", "TLSv1.2"],
  suites: {
    TLSv1: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"],
    "TLSv1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
  },
};
