/** Hand-built audit facts for the measure tests: every field defaults to "nothing found, proven". */
import type { AuditFacts } from "../../../src/audit/measures/audit-facts.js";
import { type MeasureId, type MeasureResult, resultOf } from "../../../src/audit/measures/measure.js";
import { measureRegistry } from "../../../src/audit/measures/registry.js";
import type { EndpointReport } from "../../../src/audit/probe/endpoint.js";

const noData = (name: string) => ({
  ok: false as const,
  reason: "no_data" as const,
  message: `no data for ${name}`,
});

export function factsOf(
  partial: Partial<Omit<AuditFacts, "dns">> & { dns?: Partial<AuditFacts["dns"]> } = {},
): AuditFacts {
  const { dns, ...rest } = partial;
  return {
    domain: "example.org",
    mx: { kind: "mx", hosts: [{ host: "mx.example.org", priority: 10 }] },
    mxEndpoints: [],
    access: [],
    webmail: [],
    lookupFailures: [],
    stsPolicy: null,
    autoconfig: { found: null, tried: [] },
    territory: { countries: ["FR"], locate: () => ({ country: "FR", source: "test db" }) },
    starttlsRetryPauseMs: 0,
    ...rest,
    dns: {
      spf: noData("example.org"),
      dmarc: noData("_dmarc.example.org"),
      tlsRpt: noData("_smtp._tls.example.org"),
      mtaSts: noData("_mta-sts.example.org"),
      dnssec: { ok: true, value: { authenticated: false, rcode: "NOERROR", tlsa: [], count: 1 } },
      tlsa: new Map(),
      resolver: "fake",
      ...dns,
    },
  };
}

export function judged(id: MeasureId, partial: Parameters<typeof factsOf>[0] = {}): MeasureResult {
  const measure = measureRegistry[id];
  return resultOf(measure, measure.judge(factsOf(partial)));
}

/** One measure over MX endpoints only. */
export const onMx = (
  id: MeasureId,
  mxEndpoints: readonly EndpointReport[],
  partial: Parameters<typeof factsOf>[0] = {},
) => judged(id, { ...partial, mxEndpoints });

const accessIds: readonly MeasureId[] = [
  "access.tls",
  "access.certificate",
  "access.pfs",
  "access.tls-parameters",
  "access.implicit-tls",
  "access.starttls",
];

/** Every access measure over these access endpoints. */
export const accessMeasures = (access: AuditFacts["access"], partial: Parameters<typeof factsOf>[0] = {}) =>
  accessIds.map((id) => judged(id, { ...partial, access }));
